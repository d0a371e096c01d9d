"""Pages of committee lists whose rows are counted and fetched by the caller (a SQL slice or a
list of light rows), shown with the usual pagination macro."""

from collections.abc import Callable, Sequence
from math import ceil
from typing import Any

from flask_sqlalchemy.pagination import Pagination


class SlicePage(Pagination):
    """A page of `total` rows; `fetch(offset, limit)` returns its rows. The page number comes
    from ?page= (garbage: 1) and is brought back into range, so any input shows a real page."""

    def __init__(self, total: int, fetch: Callable[[int, int], Sequence[Any]], per_page: int,
                 page: int | None = None) -> None:
        self._total, self._fetch = total, fetch
        super().__init__(page=page, per_page=per_page, max_per_page=None, error_out=False)

    def _query_items(self) -> list[Any]:
        self.page = max(1, min(self.page, ceil(self._total / self.per_page)))
        return list(self._fetch(self._query_offset, self.per_page))

    def _query_count(self) -> int:
        return self._total


def list_page(rows: Sequence[Any], per_page: int, page: int | None = None) -> SlicePage:
    """A page of rows already in memory (light tuples, not ORM objects)."""
    return SlicePage(len(rows), lambda offset, limit: rows[offset:offset + limit], per_page,
                     page)

"""Numbers read from an address's query string (page numbers, ids of filters): bounded, never
trusted. A page or id beyond the database's integers would otherwise reach SQL and fail there
(SQLite refuses integers past 2**63 - 1), so anything outside the bounds reads as absent."""

from collections.abc import Callable, Sequence
from math import ceil
from typing import Any

from flask import request
from flask_sqlalchemy.pagination import Pagination

from grants.extensions import db
from grants.forms import MAX_ID

MAX_PAGE = 100_000  # beyond any real list, and page x rows stays far inside 64 bits


def page_arg(name: str = "page") -> int:
    """The page asked for in `name`, or the first page."""
    number = request.args.get(name, 1, type=int)
    return number if number is not None and 0 < number <= MAX_PAGE else 1


def id_arg(name: str) -> int | None:
    """The id asked for in `name`, or None when absent or impossible."""
    value = request.args.get(name, type=int)
    return value if value is not None and 0 < value <= MAX_ID else None


def paginate(query, per_page: int, name: str = "page", **options):
    """One page of `query`, its number read from `name` (an empty page past the last one)."""
    return db.paginate(query, page=page_arg(name), per_page=per_page, error_out=False, **options)


class SlicePage(Pagination):
    """A page of `total` rows that the caller counted; `fetch(offset, limit)` returns its rows
    (a SQL slice of light rows, or a slice of a list). The page number comes from ?page=
    (garbage: 1) and is brought back into range, so any input shows a real page."""

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

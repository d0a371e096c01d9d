"""Numbers read from an address's query string (page numbers, ids of filters): bounded, never
trusted. A page or id beyond the database's integers would otherwise reach SQL and fail there
(SQLite refuses integers past 2**63 - 1), so anything outside the bounds reads as absent."""

from flask import request

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

"""Paginating lists without a COUNT(*) when the page itself tells the total.

A page that holds some rows but fewer than a full page is the last one: the total is the rows
before it plus its own; a first page without rows means none. Only a full page (or an empty page
after the first) needs the count. At demo size, and on the last page of any list, that is one
statement less per request (benchmarks/throughput.py)."""

from flask_sqlalchemy.pagination import Pagination

from grants.extensions import db


def paginate(select, *, per_page: int, page: int | None = None) -> Pagination:
    """db.paginate(select, page=page, per_page=per_page, error_out=False), same items and total."""
    result = db.paginate(select, page=page, per_page=per_page, error_out=False, count=False)
    shown = len(result.items)
    if 0 < shown < result.per_page or (shown == 0 and result.page == 1):
        result.total = (result.page - 1) * result.per_page + shown
    else:
        result.total = result._query_count()
    return result

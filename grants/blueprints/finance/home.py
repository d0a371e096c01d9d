"""The lists of the finance home, read as light rows with the columns they show: an ORM object per
row (an agreement with its dossier and the dossier's lead) cost more than its statement. Each
list and its total come in one statement, built once per process (building one cost as much as
running it)."""

from functools import cache

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import aliased

from grants.extensions import db
from grants.models import Application, Beneficiary, BudgetEnvelope, Grant, Tranche
from grants.paging import page_arg
from grants.workflow import ApplicationStatus


class RowsPage(Pagination):
    """A page of rows of `select` (a Core select ending with the column `_total`: see
    with_total) and the number of rows of all pages, read on the page's rows: a second
    statement only past the last page."""

    def _query_items(self) -> list:
        select = self._query_args["select"]
        rows = db.session.execute(select.limit(self.per_page).offset(self._query_offset)).all()
        self._counted = rows[0]._total if rows else None
        return rows

    def _query_count(self) -> int:
        if self._counted is not None:
            return self._counted
        if self.page == 1:  # nothing at all
            return 0
        whole = self._query_args["select"].order_by(None).subquery()
        return db.session.scalar(sa.select(sa.func.count()).select_from(whole)) or 0


def with_total(select: sa.Select) -> sa.Select:
    """`select` with the number of its rows on each row (counted before LIMIT and OFFSET)."""
    return select.add_columns(sa.func.count().over().label("_total"))


def rows_page(select, per_page: int, name: str) -> RowsPage:
    """The page of `select` asked for in the address's `name` (an empty page past the last)."""
    return RowsPage(page=page_arg(name), per_page=per_page, max_per_page=None, error_out=False,
                    select=select)


def tranches_query(statuses) -> sa.Select:
    """The tranches in `statuses` with their agreement's number and its number of tranches."""
    return _tranches_query().params(statuses=list(statuses))


@cache
def _tranches_query() -> sa.Select:
    other = aliased(Tranche)
    count = (sa.select(sa.func.count(other.id)).where(other.grant_id == Tranche.grant_id)
             .scalar_subquery())
    return with_total(
        sa.select(Tranche.grant_id, Tranche.seq, Tranche.amount, Tranche.status, Grant.number,
                  count.label("tranches"))
        .join(Grant, Grant.id == Tranche.grant_id)
        .where(Tranche.status.in_(sa.bindparam("statuses", expanding=True)))
        .order_by(Tranche.grant_id, Tranche.seq))


@cache
def awaiting_query() -> sa.Select:
    """Selected dossiers without an agreement: reference, title and lead's name."""
    return with_total(
        sa.select(Application.id, Application.reference, Application.title,
                  Beneficiary.first_name, Beneficiary.last_name)
        .join(Beneficiary, Beneficiary.id == Application.lead_id)
        .where(Application.status == ApplicationStatus.SELECTED,
               ~Application.id.in_(sa.select(Grant.application_id)))
        .order_by(Application.reference))


@cache
def agreements_query() -> sa.Select:
    """The agreements, the last numbered first, with their dossier's reference and lead."""
    return with_total(
        sa.select(Grant.id, Grant.number, Grant.status, Grant.amount, Grant.disbursed,
                  Grant.channel, Application.id.label("application_id"), Application.reference,
                  Beneficiary.first_name, Beneficiary.last_name)
        .join(Application, Application.id == Grant.application_id)
        .join(Beneficiary, Beneficiary.id == Application.lead_id)
        .order_by(Grant.number.desc()))


def envelopes() -> list:
    """The envelopes, the latest fiscal year first, with what each has available."""
    return db.session.execute(_envelopes_query()).all()


@cache
def _envelopes_query() -> sa.Select:
    return (sa.select(
        BudgetEnvelope.id, BudgetEnvelope.name, BudgetEnvelope.closed_at, BudgetEnvelope.total,
        BudgetEnvelope.committed, BudgetEnvelope.disbursed,
        (BudgetEnvelope.total - BudgetEnvelope.committed).label("available"))
        .order_by(BudgetEnvelope.fiscal_year.desc(), BudgetEnvelope.id))


def labels(enum) -> dict:
    """Each member's translated label, read once for the rows of a list."""
    return {member: member.label for member in enum}

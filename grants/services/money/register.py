"""The disbursement register: one row per money movement (commitment, payment, reversal,
release), read from the ledger with the dossier it concerns, in the order they were entered.
Each row is dated by its value date (when the operation took effect: the signature of the
agreement, the payment date, the date of the reversal or of the cancellation); the time it was
entered is a column of its own."""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from grants.models import (
    Account,
    Application,
    Beneficiary,
    BudgetEnvelope,
    Grant,
    LedgerEntry,
    Payment,
    Region,
    Tranche,
    User,
)

STEPS = ("commitment", "payment", "reversal", "release")


@dataclass
class RegisterFilters:
    envelope_id: int | None = None
    fiscal_year: int | None = None
    region_id: int | None = None
    sector: str | None = None
    channel: str | None = None
    start: date | None = None
    end: date | None = None
    step: str | None = None
    # Only the first rows are read (the page on screen): unfiltered, they are computed from the
    # operations posted up to the last of them, not from the whole ledger.
    first_rows: int | None = None

    @property
    def narrowing(self) -> bool:
        return any(getattr(self, name) for name in (
            "envelope_id", "fiscal_year", "region_id", "sector", "channel", "start", "end",
            "step"))


def _whole(expression):
    """SUM() of integers is NUMERIC on PostgreSQL: amounts stay whole francs (int in Python)."""
    return sa.cast(expression, sa.BigInteger)


def _ledger_flows(upto=None):
    """Every leg on the available or committed account, with the envelope's available balance
    once its operation is posted: the running Σ debit − Σ credit of the envelope's AVAILABLE legs
    (appropriations, commitments, releases), operations in the order they were posted (an
    operation's legs are peers: all of them count, whatever their order within it). Read from
    the ledger, so a later change of the envelope's total does not rewrite earlier rows."""
    leg = LedgerEntry
    available_change = sa.case(
        (sa.and_(leg.account == Account.AVAILABLE, leg.side == "D"), leg.amount),
        (leg.account == Account.AVAILABLE, -leg.amount), else_=0)
    query = (sa.select(leg.id, leg.kind, leg.account, leg.created_at, leg.amount, leg.envelope_id,
                       leg.grant_id, leg.payment_id, leg.actor_id,
                       available_change.label("available_change"),
                       sa.func.min(leg.id).over(partition_by=leg.operation).label("posted"))
             .where(leg.account.in_([Account.AVAILABLE, Account.COMMITTED])))
    if upto is not None:  # only the operations posted up to that leg (see register_query)
        posted = sa.select(LedgerEntry.operation).where(LedgerEntry.id <= upto)
        query = query.where(leg.operation.in_(posted))
    legs = query.subquery("legs")
    return sa.select(legs, _whole(sa.func.sum(legs.c.available_change).over(
        partition_by=legs.c.envelope_id, order_by=legs.c.posted)).label("available_after")
    ).subquery("flows")


def first_rows_end():
    """The id of the `first_rows`-th movement of the register (NULL when it has fewer): the
    first rows of the unfiltered register need only the operations posted up to it."""
    ends = (sa.select(LedgerEntry.id).where(LedgerEntry.account == Account.COMMITTED,
                                            LedgerEntry.kind.in_(STEPS))
            .order_by(LedgerEntry.id).offset(sa.bindparam("first_rows_before", type_=sa.Integer))
            .limit(1).scalar_subquery())
    return sa.func.coalesce(ends, sa.select(sa.func.max(LedgerEntry.id)).scalar_subquery())


# The filters, each by the name of its bound parameter and its column in the register's rows.
FILTER_COLUMNS = {"envelope_id": "envelope_id", "fiscal_year": "fiscal_year",
                  "region_id": "region_id", "channel": "channel", "step": "kind",
                  "sector": "sector"}


def register_query(f: RegisterFilters) -> sa.Select:
    """A select of the register rows. Each operation is read through its leg on the committed
    account; running totals per agreement and per envelope come from window functions. The
    statement is built once per set of filters used (building it cost more than running it on a
    page of the register) and receives the filters' values as bound parameters."""
    names = tuple(name for name in (*FILTER_COLUMNS, "start", "end") if getattr(f, name))
    first_rows = f.first_rows if not f.narrowing else None
    values = {name: getattr(f, name) for name in names}
    if first_rows:
        values["first_rows_before"] = first_rows - 1
    return _statement(names, bool(first_rows)).params(values)


@lru_cache(maxsize=64)
def _statement(filters: tuple[str, ...], first_rows: bool) -> sa.Select:
    """The register's rows with the `filters` given as bound parameters. With `first_rows`,
    only the rows up to the `first_rows_before`+1-th movement: the running totals of a row
    depend on earlier operations only, so they are the same."""
    leg = _ledger_flows(first_rows_end() if first_rows else None)
    maker, checker = aliased(User), aliased(User)
    paid_change = sa.case((leg.c.kind == "payment", leg.c.amount),
                          (leg.c.kind == "reversal", -leg.c.amount), else_=0)
    value_date = sa.case(
        (leg.c.kind == "commitment", Grant.signed_on),
        (leg.c.kind == "release", sa.func.date(Grant.cancelled_at, type_=sa.Date)),
        else_=Payment.paid_on).label("value_date")
    tranche_count = (sa.select(sa.func.count(Tranche.id)).where(Tranche.grant_id == Grant.id)
                     .correlate(Grant).scalar_subquery())
    query = (
        sa.select(
            leg.c.id, leg.c.kind, value_date, leg.c.created_at, leg.c.amount, leg.c.envelope_id,
            Application.region_id, Application.sector,
            BudgetEnvelope.fiscal_year, BudgetEnvelope.budget_line, BudgetEnvelope.name,
            Grant.number, Grant.amount.label("grant_amount"), Application.reference,
            Beneficiary.first_name, Beneficiary.last_name, Beneficiary.id_number,
            Region.name.label("region"), Tranche.seq, tranche_count.label("tranches"),
            Tranche.order_number, Payment.reference.label("payment_reference"),
            sa.func.coalesce(Payment.channel, Grant.channel).label("channel"),
            Payment.paid_on,
            _whole(sa.func.sum(paid_change).over(partition_by=leg.c.grant_id,
                                                 order_by=leg.c.id)).label("paid_to_date"),
            leg.c.available_after,
            maker.full_name.label("entered_by"), checker.full_name.label("validated_by"))
        .select_from(leg)
        .join(BudgetEnvelope, BudgetEnvelope.id == leg.c.envelope_id)
        .join(Grant, Grant.id == leg.c.grant_id)
        .join(Application, Application.id == Grant.application_id)
        .join(Beneficiary, Beneficiary.id == Application.lead_id)
        .join(Region, Region.id == Application.region_id)
        .outerjoin(Payment, Payment.id == leg.c.payment_id)
        .outerjoin(Tranche, Tranche.id == Payment.tranche_id)
        .outerjoin(maker, maker.id == sa.func.coalesce(Payment.maker_id, Grant.created_by_id))
        .outerjoin(checker, checker.id == sa.func.coalesce(Payment.checker_id, leg.c.actor_id))
        .where(leg.c.account == Account.COMMITTED, leg.c.kind.in_(STEPS)))
    # Running totals must see every movement: filter outside the window.
    inner = query.subquery()
    outer = sa.select(inner)
    for name in filters:
        column = inner.c.value_date if name in ("start", "end") else inner.c[FILTER_COLUMNS[name]]
        value = sa.bindparam(name, type_=column.type)
        # the dates the register shows: value dates
        outer = outer.where(column >= value if name == "start" else column <= value
                            if name == "end" else column == value)
    return outer.order_by(inner.c.id)


def signed_amount(kind: str, amount: int) -> int:
    """The register shows what each movement does to the dossier: + committed, + paid, − back."""
    return -amount if kind in ("reversal", "release") else amount


def page_query(f: RegisterFilters, skipped: int, count: int) -> sa.Select:
    """The register page's columns for `count` rows after the first `skipped`: the same rows and
    figures as register_query's, read with fewer joins (none for the downloads' columns).
    Unfiltered, the page is cut from the ledger's movements before any join."""
    names = tuple(name for name in (*FILTER_COLUMNS, "start", "end") if getattr(f, name))
    first_rows = f.first_rows if not f.narrowing else None
    values = {name: getattr(f, name) for name in names} | {"skipped": skipped, "count": count}
    if first_rows:
        values["first_rows_before"] = first_rows - 1
    return _page_statement(names, bool(first_rows)).params(values)


@lru_cache(maxsize=64)
def _page_statement(filters: tuple[str, ...], first_rows: bool) -> sa.Select:
    leg = _ledger_flows(first_rows_end() if first_rows else None)
    paid_change = sa.case((leg.c.kind == "payment", leg.c.amount),
                          (leg.c.kind == "reversal", -leg.c.amount), else_=0)
    moves = (sa.select(leg.c.id, leg.c.kind, leg.c.created_at, leg.c.amount, leg.c.envelope_id,
                       leg.c.grant_id, leg.c.payment_id, leg.c.available_after,
                       _whole(sa.func.sum(paid_change).over(
                           partition_by=leg.c.grant_id, order_by=leg.c.id)).label("paid_to_date"))
             .where(leg.c.account == Account.COMMITTED, leg.c.kind.in_(STEPS),
                    leg.c.grant_id.is_not(None)))  # as register_query's join on the agreement
    skipped = sa.bindparam("skipped", type_=sa.Integer)
    count = sa.bindparam("count", type_=sa.Integer)
    if not filters:
        moves = moves.order_by(leg.c.id).offset(skipped).limit(count)
    m = moves.subquery("moves")
    value_date = sa.case(
        (m.c.kind == "commitment", Grant.signed_on),
        (m.c.kind == "release", sa.func.date(Grant.cancelled_at, type_=sa.Date)),
        else_=Payment.paid_on)
    tranche_count = (sa.select(sa.func.count(Tranche.id)).where(Tranche.grant_id == Grant.id)
                     .correlate(Grant).scalar_subquery())
    query = (
        sa.select(m.c.id, m.c.kind, value_date.label("value_date"), m.c.created_at, m.c.amount,
                  Grant.number, Application.reference, Beneficiary.first_name,
                  Beneficiary.last_name, Tranche.seq, tranche_count.label("tranches"),
                  m.c.paid_to_date, m.c.available_after)
        .select_from(m)
        .join(Grant, Grant.id == m.c.grant_id)
        .join(Application, Application.id == Grant.application_id)
        .join(Beneficiary, Beneficiary.id == Application.lead_id)
        .outerjoin(Payment, Payment.id == m.c.payment_id)
        .outerjoin(Tranche, Tranche.id == Payment.tranche_id))
    columns = {"envelope_id": m.c.envelope_id, "region_id": Application.region_id.expression,
               "sector": Application.sector.expression, "step": m.c.kind, "start": value_date,
               "end": value_date, "channel": sa.func.coalesce(Payment.channel, Grant.channel)}
    if "fiscal_year" in filters:
        query = query.join(BudgetEnvelope, BudgetEnvelope.id == m.c.envelope_id)
        columns["fiscal_year"] = BudgetEnvelope.fiscal_year.expression
    for name in filters:  # outside the running totals, as in register_query
        column = columns[name]
        value = sa.bindparam(name, type_=column.type)
        query = query.where(column >= value if name == "start" else column <= value
                            if name == "end" else column == value)
    query = query.order_by(m.c.id)
    return query.offset(skipped).limit(count) if filters else query

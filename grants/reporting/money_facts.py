"""The money the figures count: movements read from the ledger (commitments, payments,
reversals, releases), the envelopes' appropriations, payment orders, and tranches paid on time or
late. Each is an agreement's money, cut by the same breakdowns as the other facts
(grants/reporting/facts.py), its envelope being the one the agreement committed."""

from datetime import date

import sqlalchemy as sa

from grants.extensions import db
from grants.models import (
    Account,
    Application,
    Beneficiary,
    BudgetEnvelope,
    Grant,
    LedgerEntry,
    Payment,
    PaymentKind,
    Tranche,
    TrancheStatus,
)
from grants.reporting.filters import ReportFilter
from grants.reporting.frames import Fact, count_if, sum_if, uses, whole

MOVEMENTS = ("commitment", "payment", "reversal", "release")


def _of_agreements(query: sa.Select, flt: ReportFilter, envelope, day,
                   used: frozenset[str] | None = None) -> sa.Select:
    """`query` (FROM a row that names its Grant) joined to the agreement's dossier, lead person
    and envelope, within the filter: the viewer's regions, the period (by `day`), call and
    funding source. A join that neither the columns read (`used`) nor the filter need is left
    out: an agreement has one dossier, a dossier one lead, a movement one envelope."""
    dossier = flt.regions(Application.region_id) + flt.call(Application.call_id)
    if dossier or uses(used, "application", "beneficiary"):
        query = query.join(Application, Application.id == Grant.application_id)
    if uses(used, "beneficiary"):
        query = query.join(Beneficiary, Beneficiary.id == Application.lead_id)
    if flt.funding_source is not None or uses(used, "budget_envelope"):
        query = query.join(BudgetEnvelope, BudgetEnvelope.id == envelope)
    return query.where(*dossier, *flt.dates(day),
                       *flt.money_source(envelope, BudgetEnvelope.funding_source))


def _dimensions(day, envelope, channel) -> dict:
    return {"period": day, "region": Application.region_id, "sex": Beneficiary.sex,
            "age_band": Beneficiary.birth_date, "youth": Beneficiary.birth_date,
            "sector": Application.sector, "project_type": Application.project_type,
            "call": Application.call_id, "envelope": envelope,
            "funding_source": BudgetEnvelope.funding_source, "channel": channel}


# --- movements, read from the ledger ---------------------------------------------------------
# Each movement is read through its leg on the committed account (as the disbursement register
# does) and dated by its value date: the signature, the payment date, the cancellation.

def _value_date():
    return sa.case((LedgerEntry.kind == "commitment", Grant.signed_on),
                   (LedgerEntry.kind == "release",
                    sa.func.date(Grant.cancelled_at, type_=sa.Date)),
                   else_=Payment.paid_on)


def _movements(flt: ReportFilter, used: frozenset[str] | None = None):
    query = (sa.select(LedgerEntry.id).join(Grant, Grant.id == LedgerEntry.grant_id)
             .where(LedgerEntry.account == Account.COMMITTED, LedgerEntry.kind.in_(MOVEMENTS)))
    if uses(used, "payment") or flt.start is not None or flt.end is not None:
        query = query.outerjoin(Payment, Payment.id == LedgerEntry.payment_id)  # the date
    return _of_agreements(query, flt, LedgerEntry.envelope_id, _value_date(), used)


def _movement_measures():
    kind, amount = LedgerEntry.kind, LedgerEntry.amount
    return {
        "committed": whole(sum_if(kind == "commitment", amount) - sum_if(kind == "release", amount)),
        "commitments": sum_if(kind == "commitment", amount),
        "releases": sum_if(kind == "release", amount),
        "disbursed": whole(sum_if(kind == "payment", amount) - sum_if(kind == "reversal", amount)),
        "payments": sum_if(kind == "payment", amount),
        "reversals": sum_if(kind == "reversal", amount),
        "payment_count": count_if(kind == "payment"),
        "reversal_count": count_if(kind == "reversal"),
        # The people behind an amount (one agreement each): a report hides the amounts of
        # fewer than REPORT_SMALL_CELL of them.
        "grants": whole(sa.func.count(sa.distinct(LedgerEntry.grant_id))),
    }


MONEY = Fact("money", _movements, lambda: _dimensions(
    _value_date(), LedgerEntry.envelope_id, sa.func.coalesce(Payment.channel, Grant.channel)),
    _movement_measures)


# --- appropriations --------------------------------------------------------------------------

def fiscal_year_start():
    """1 January of the envelope's fiscal year, as an SQL date: an appropriation counts from
    then (dated by its entry, a credit entered in March would leave January's commitments
    above what was available)."""
    return sa.func.date(sa.cast(BudgetEnvelope.fiscal_year, sa.String) + "-01-01",
                        type_=sa.Date)


def _appropriations(flt: ReportFilter, used: frozenset[str] | None = None):
    return (sa.select(LedgerEntry.id)
            .join(BudgetEnvelope, BudgetEnvelope.id == LedgerEntry.envelope_id)
            .where(LedgerEntry.account == Account.APPROPRIATION,
                   *flt.dates(fiscal_year_start()),
                   *flt.money_source(LedgerEntry.envelope_id, BudgetEnvelope.funding_source)))


# The envelopes' appropriations (credits less reductions), dated from their fiscal year's start.
# They belong to no region: a figure within a region or a call shows commitments and payments,
# not what is available.
APPROPRIATIONS = Fact("appropriations", _appropriations, lambda: {
    "period": fiscal_year_start(), "envelope": LedgerEntry.envelope_id,
    "funding_source": BudgetEnvelope.funding_source}, lambda: {
    "appropriated": whole(sum_if(LedgerEntry.side == "C", LedgerEntry.amount)
                          - sum_if(LedgerEntry.side == "D", LedgerEntry.amount))})


# --- payment orders and tranches on time -----------------------------------------------------

def _ordered_tranches(flt: ReportFilter, query: sa.Select, used: frozenset[str] | None
                      ) -> sa.Select:
    """The tranches whose payment was ordered, dated by the order."""
    return _of_agreements(query.join(Grant, Grant.id == Tranche.grant_id)
                          .where(Tranche.ordered_at.is_not(None)),
                          flt, Grant.envelope_id, Tranche.ordered_at, used)


def _tranche_dimensions() -> dict:
    return _dimensions(Tranche.ordered_at, Grant.envelope_id,
                       sa.func.coalesce(Tranche.channel, Grant.channel))


# Payment orders (ordonnancements): the tranches the finance officer ordered, dated by the
# order. They are not ledger movements (an order moves no money): the register lists them by
# their payment.
ORDERS = Fact("orders", lambda flt, used: _ordered_tranches(flt, sa.select(Tranche.id), used),
              _tranche_dimensions, lambda: {
                  "orders": whole(sa.func.sum(Tranche.amount)),
                  "order_count": sa.func.count(Tranche.id)})

# A tranche is late when its payment came more than `late_days` days after its payment order,
# or when, ordered, it is still unpaid more than `late_days` days later (as of the day given).
FIRST_PAYMENT = (sa.select(Payment.tranche_id, sa.func.min(Payment.paid_on).label("paid_on"))
                 .where(Payment.kind == PaymentKind.PAYMENT).group_by(Payment.tranche_id)
                 .subquery("first_payment"))


def _days_since_order(day):
    if db.engine.dialect.name == "sqlite":
        return sa.func.julianday(day) - sa.func.julianday(sa.func.date(Tranche.ordered_at))
    return day - sa.cast(Tranche.ordered_at, sa.Date)


def _paid_or_open_tranches(flt: ReportFilter, used: frozenset[str] | None = None):
    """Ordered tranches, but for one cancelled before any payment."""
    query = (sa.select(Tranche.id)
             .outerjoin(FIRST_PAYMENT, FIRST_PAYMENT.c.tranche_id == Tranche.id)
             .where(sa.or_(Tranche.status != TrancheStatus.CANCELLED,
                           FIRST_PAYMENT.c.paid_on.is_not(None))))
    return _ordered_tranches(flt, query, used)


def tranches(late_days: int, today: date) -> Fact:
    """Tranches whose payment was ordered in the period, dated by the order: paid on time, late,
    or waiting (within the delay, or past it)."""
    def measures():
        paid = FIRST_PAYMENT.c.paid_on.is_not(None)
        delay = _days_since_order(FIRST_PAYMENT.c.paid_on)
        waited = _days_since_order(sa.literal(today, sa.Date))
        return {"ordered": sa.func.count(Tranche.id),
                "on_time": count_if(sa.and_(paid, delay <= late_days)),
                "late": count_if(sa.and_(paid, delay > late_days)),
                "waiting": count_if(sa.and_(~paid, waited <= late_days)),
                "waiting_late": count_if(sa.and_(~paid, waited > late_days))}

    return Fact(f"tranches_{late_days}", _paid_or_open_tranches, _tranche_dimensions, measures)

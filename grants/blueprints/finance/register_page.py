"""The rows of the register page: the nine columns it shows, one page read with OFFSET/LIMIT in
one fetch. The downloads (exports/ledger.py) build every column and the per-row keys of their
summary sheet; on a page of 100 rows that work (hundreds of translated labels) cost more than the
query itself."""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _

from grants.extensions import db
from grants.services.money.register import RegisterFilters, page_query, signed_amount


@dataclass(frozen=True, slots=True)
class RegisterLine:
    value_date: date | None
    agreement: str
    dossier: str
    beneficiary: str
    step: str
    tranche: str
    amount: int
    paid_to_date: int
    available_after: int
    entered_on: datetime


def page_lines(filters: RegisterFilters, skipped: int, count: int) -> list[RegisterLine]:
    """Up to `count` register lines after the first `skipped` (the same rows, in the same order,
    as the downloads)."""
    steps = {"commitment": _("Commitment"), "payment": _("Payment"), "reversal": _("Reversal"),
             "release": _("Release")}  # as the downloads write them (exports/ledger.py)
    result = db.session.execute(page_query(filters, skipped, count))
    return [RegisterLine(
        r.value_date, r.number, r.reference or "", f"{r.first_name} {r.last_name}", steps[r.kind],
        f"{r.seq}/{r.tranches}" if r.seq else "", signed_amount(r.kind, r.amount),
        r.paid_to_date, r.available_after, r.created_at) for r in result]

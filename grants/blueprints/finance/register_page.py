"""The register page: its filter form and its rows.

The rows: the nine columns the page shows, one page read with OFFSET/LIMIT in one fetch. The
downloads (exports/ledger.py) build every column and the per-row keys of their summary sheet; on
a page of rows that work (hundreds of translated labels) cost more than the query itself.

The filter form: eight fields, two of them with the envelopes and regions as choices, drawn
once per combination of filters, choices and language (grants/filter_forms.py)."""

from datetime import date, datetime
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext as _
from markupsafe import Markup

from grants.blueprints.finance.forms import RegisterFilterForm
from grants.extensions import db
from grants.filter_forms import drawn_filters
from grants.formatting import money
from grants.models import BudgetEnvelope
from grants.services.money.register import RegisterFilters, page_query, signed_amount
from grants.services.regions import all_regions


def register_filters() -> tuple[RegisterFilters, Markup]:
    """The filters asked for in the address (an invalid value filters nothing) and the filter
    form drawn with them (its messages at the invalid fields)."""
    envelopes = db.session.execute(
        sa.select(BudgetEnvelope.id, BudgetEnvelope.name).order_by(BudgetEnvelope.id))
    drawn = drawn_filters(
        RegisterFilterForm, "finance/_register_filters.html",
        envelope_id=[("", _("All")), *envelopes],
        region_id=[("", _("All")), *((r.id, r.name) for r in all_regions())])
    values = drawn.values
    filters = RegisterFilters(  # a new one each time: the caller sets first_rows on it
        envelope_id=values["envelope_id"], fiscal_year=values["fiscal_year"],
        region_id=values["region_id"], sector=values["sector"] or None,
        channel=values["channel"] or None, start=values["start"], end=values["end"],
        step=values["step"] or None)
    return filters, drawn.html


class RegisterLine(NamedTuple):  # a tuple: built for each line of each page, cheaply
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


def amount_texts(lines: list[RegisterLine]) -> dict[int, str]:
    """Each amount of the lines as shown ("1 500 000 F CFA"), formatted once: a page of 100
    lines shows 300 amounts, a few dozen of them distinct."""
    amounts = {a for line in lines for a in (line.amount, line.paid_to_date, line.available_after)}
    return {amount: money(amount) for amount in amounts}

"""The disbursement register as the finance office wants it: xlsx (constant memory, streamed from
a temporary file) and CSV for French Excel. Both write the rows of services/register.py."""

from collections.abc import Iterator
from pathlib import Path

from flask_babel import gettext as _

from grants.exports.csv import csv_rows
from grants.exports.xlsx import Column, XlsxWriter, temporary_xlsx
from grants.extensions import db
from grants.services.money.register import RegisterFilters, register_query, signed_amount

BATCH = 2000  # rows fetched at a time: memory stays flat whatever the size of the ledger


def _step_labels() -> dict[str, str]:
    return {"commitment": _("Commitment"), "payment": _("Payment"), "reversal": _("Reversal"),
            "release": _("Release")}


def columns() -> list[Column]:
    return [
        Column(_("Order number"), "text", 16), Column(_("Date"), "date", 12),
        Column(_("Fiscal year"), "integer", 8), Column(_("Budget line"), "text", 18),
        Column(_("Agreement"), "text", 14), Column(_("Dossier"), "text", 14),
        Column(_("Beneficiary"), "text", 24), Column(_("ID number"), "text", 18),
        Column(_("Region"), "text", 14), Column(_("Tranche"), "text", 8),
        Column(_("Step"), "text", 14), Column(_("Document number"), "text", 18),
        Column(_("Amount"), "money", 16), Column(_("Channel"), "text", 14),
        Column(_("Payment date"), "date", 12), Column(_("Paid to date (dossier)"), "money", 16),
        Column(_("Remaining (dossier)"), "money", 16),
        Column(_("Envelope available after"), "money", 18), Column(_("Entered by"), "text", 18),
        Column(_("Entered on"), "datetime", 16), Column(_("Validated by"), "text", 18)]


AMOUNT_COLUMN = 12


def rows(filters: RegisterFilters) -> Iterator[list]:
    """The register rows, fetched in batches. Close the iterator when not read to the end."""
    source = _rows_with_keys(filters)
    try:
        for row, _keys in source:
            yield row
    finally:
        source.close()


def _rows_with_keys(filters: RegisterFilters) -> Iterator[tuple[list, dict]]:
    steps = _step_labels()
    result = db.session.execute(register_query(filters).execution_options(yield_per=BATCH))
    try:
        yield from _register_rows(result, steps)
    finally:
        result.close()  # a server-side cursor on PostgreSQL


def _register_rows(result, steps) -> Iterator[tuple[list, dict]]:
    from grants.models import Channel
    from grants.vocabulary import Sector

    for r in result:
        keys = {_("Envelope"): r.name, _("Region"): r.region,
                _("Sector"): Sector(r.sector).label if r.sector else "",
                _("Channel"): Channel(r.channel).label, "paid": r.kind in ("payment", "reversal")}
        yield [
            r.order_number or "", r.value_date, r.fiscal_year, r.budget_line, r.number,
            r.reference or "", f"{r.first_name} {r.last_name}", r.id_number or "", r.region,
            f"{r.seq}/{r.tranches}" if r.seq else "", steps[r.kind], r.payment_reference or "",
            signed_amount(r.kind, r.amount), Channel(r.channel).label, r.paid_on,
            r.paid_to_date, r.grant_amount - r.paid_to_date, r.available_after,
            r.entered_by or "", r.created_at, r.validated_by or ""], keys


def write_register_xlsx(filters: RegisterFilters) -> Path:
    """The register and a summary sheet in a temporary .xlsx file (the caller deletes it)."""
    path = temporary_xlsx()
    summary: dict[tuple[str, str], list[int]] = {}  # (by, value) -> [committed, paid]
    with XlsxWriter(path) as writer:
        sheet = writer.add_sheet(_("Register"), columns())
        for row, keys in _rows_with_keys(filters):
            sheet.write_row(row)
            paid = row[AMOUNT_COLUMN] if keys.pop("paid") else 0
            committed = row[AMOUNT_COLUMN] - paid
            for dimension, value in keys.items():  # net movements by envelope, region, …
                totals_of = summary.setdefault((dimension, value), [0, 0])
                totals_of[0] += committed
                totals_of[1] += paid
        sheet.write_totals(_("Total"), {AMOUNT_COLUMN: "sum"})
        totals = writer.add_sheet(_("Summary"), [Column(_("By"), "text", 14),
                                                 Column(_("Value"), "text", 28),
                                                 Column(_("Committed"), "money", 18),
                                                 Column(_("Amount paid"), "money", 18)])
        for (dimension, value), (committed, paid) in sorted(summary.items()):
            totals.write_row([dimension, value, committed, paid])
    return path


def register_csv(filters: RegisterFilters) -> Iterator[str]:
    """The register as CSV chunks for French Excel (BOM, semicolons, integer amounts)."""
    return csv_rows([c.header for c in columns()], rows(filters))

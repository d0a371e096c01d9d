"""The report of an import: every row of the file, what the preview found and what became of it
(created with its code, linked to whom, skipped and why), as a workbook."""

from __future__ import annotations

from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from grants.exports.xlsx import Column, XlsxWriter, temporary_xlsx
from grants.extensions import db
from grants.models import (
    Beneficiary,
    ImportBatch,
    ImportRow,
    RowDecision,
    RowOutcome,
    RowStatus,
)
from grants.services.imports.mapping import ALL_FIELDS

BATCH = 1000
_REASONS = {"id_number": _l("ID number"), "phone": _l("phone"),
            "name_birth_date": _l("name and date of birth")}


def columns() -> list[Column]:
    return [Column(_("Line"), "integer", 8), Column(_("Last name"), "text", 20),
            Column(_("First name(s)"), "text", 20), Column(_("Check"), "text", 24),
            Column(_("Decision"), "text", 18), Column(_("Outcome"), "text", 16),
            Column(_("Record"), "text", 18), Column(_("Duplicate of"), "text", 22),
            Column(_("Consent"), "text", 12), Column(_("Problems"), "text", 70)]


def rows(batch: ImportBatch):
    created, duplicate = aliased(Beneficiary), aliased(Beneficiary)
    query = (db.select(ImportRow.line, ImportRow.last_name, ImportRow.first_name,
                       ImportRow.status, ImportRow.decision, ImportRow.outcome, created.code,
                       duplicate.code, ImportRow.duplicate_of_line, ImportRow.consent,
                       ImportRow.errors, ImportRow.reasons)
             .outerjoin(created, created.id == ImportRow.beneficiary_id)
             .outerjoin(duplicate, duplicate.id == ImportRow.duplicate_of_id)
             .where(ImportRow.batch_id == batch.id).order_by(ImportRow.line))
    labels = {f.code: str(f.label) for f in ALL_FIELDS}
    result = db.session.execute(query.execution_options(yield_per=BATCH))
    try:
        for (line, last, first, status, decision, outcome, code, duplicate_code, duplicate_line,
             consent, errors, reasons) in result:
            twin = duplicate_code or (_("line %(line)s", line=duplicate_line)
                                      if duplicate_line else None)
            if twin and reasons:
                twin += f" ({', '.join(str(_REASONS.get(r, r)) for r in reasons)})"
            yield [line, last, first, RowStatus(status).label, RowDecision(decision).label,
                   RowOutcome(outcome).label if outcome else _("Not imported yet"), code, twin,
                   _("yes") if consent else _("to collect"),
                   "; ".join(f"{labels.get(field, field)} : {message}"
                             for field, message in errors or [])]
    finally:
        result.close()


def write_report(batch: ImportBatch, progress=None) -> Path:
    path = temporary_xlsx()
    with XlsxWriter(path) as writer:
        sheet = writer.add_sheet(_("Import"), columns())
        for n, row in enumerate(rows(batch), start=1):
            sheet.write_row(row)
            if progress and n % BATCH == 0:
                progress(n)
    return path


def report_name(batch: ImportBatch) -> str:
    return f"import-{batch.id}-rapport.xlsx"

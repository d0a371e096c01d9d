"""The dossiers list as an xlsx file. No restricted data (vulnerabilities, health) ever."""

from collections.abc import Iterable
from pathlib import Path

from flask_babel import gettext as _

from grants.exports.xlsx import Column, XlsxWriter, temporary_xlsx
from grants.models import Application


def _columns() -> list[Column]:
    return [
        Column(_("Reference"), "text", 14), Column(_("Status"), "text", 18),
        Column(_("Call"), "text", 30), Column(_("Type"), "text", 12),
        Column(_("Code"), "text", 16), Column(_("Lead"), "text", 26), Column(_("Sex"), "text", 8),
        Column(_("Phone"), "text", 16), Column(_("Region"), "text", 16),
        Column(_("Cercle"), "text", 14), Column(_("Commune"), "text", 14),
        Column(_("Sector"), "text", 22), Column(_("Project title"), "text", 30),
        Column(_("Budget"), "money", 14), Column(_("Own contribution"), "money", 14),
        Column(_("Amount requested"), "money", 14), Column(_("Jobs planned"), "integer", 8),
        Column(_("of which women"), "integer", 8), Column(_("of which young people"), "integer", 8),
        Column(_("Entered by"), "text", 20), Column(_("Submitted on"), "date", 12),
    ]


def write_applications_xlsx(applications: Iterable[Application]) -> Path:
    """Write the dossiers to a temporary .xlsx file and return its path (the caller deletes it)."""
    path = temporary_xlsx()
    with XlsxWriter(path) as writer:
        sheet = writer.add_sheet(_("Applications"), _columns())
        for app in applications:
            lead = app.lead
            sheet.write_row([
                app.reference or "", app.status.label, app.call.title, app.project_type.label,
                lead.code, lead.full_name, lead.sex.value if lead.sex else "", lead.phone or "",
                app.region.name, app.cercle or "", app.commune or "",
                app.sector.label if app.sector else "", app.title or "", app.budget_total,
                app.own_contribution, app.requested_amount, app.jobs_planned, app.jobs_women,
                app.jobs_youth, app.created_by.full_name,
                app.submitted_at.date() if app.submitted_at else None,
            ])
        sheet.write_totals(_("Total"), {13: "sum", 14: "sum", 15: "sum"})
    return path

"""The dossiers list as an xlsx file. No restricted data (vulnerabilities, health) ever.

Rows stream from one SQL query (the list's filters and scope, every needed column joined),
fetched in batches into a constant-memory workbook: the file's size does not change the memory
used or the number of statements."""

from collections.abc import Callable, Iterator
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from grants.exports.xlsx import Column, XlsxWriter, temporary_xlsx
from grants.extensions import db
from grants.models import Application, Beneficiary, Call, Region, User
from grants.services.intake import queries
from grants.vocabulary import ProjectType, Sector
from grants.workflow import ApplicationStatus

BATCH = 2000  # rows fetched at a time


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


def rows_query(actor: User, filters: queries.Filters) -> sa.Select:
    """The dossiers `actor` may see matching `filters`, in the list's order, as plain columns."""
    author = aliased(User)
    return (queries.search(actor, filters, with_lead=True)
            .with_only_columns(
                Application.reference, Application.status, Call.title, Application.project_type,
                Beneficiary.code, Beneficiary.first_name, Beneficiary.last_name, Beneficiary.sex,
                Beneficiary.phone, Region.name, Application.cercle, Application.commune,
                Application.sector, Application.title, Application.budget_total,
                Application.own_contribution, Application.requested_amount,
                Application.jobs_planned, Application.jobs_women, Application.jobs_youth,
                author.full_name, Application.submitted_at, maintain_column_froms=False)
            .join(Call, Call.id == Application.call_id)
            .join(Region, Region.id == Application.region_id)
            .join(author, author.id == Application.created_by_id))


def rows_of(result) -> Iterator[list]:
    """The sheet's rows from the query's result (labels translated once, not per row)."""
    status_labels = {s: s.label for s in ApplicationStatus}  # translated once, not per row
    type_labels = {t: t.label for t in ProjectType}
    sector_labels = {s: s.label for s in Sector}
    for r in result:
        yield [
            r[0] or "", status_labels[r[1]], r[2], type_labels[r[3]], r[4], f"{r[5]} {r[6]}",
            r[7].value if r[7] else "", r[8] or "", r[9], r[10] or "", r[11] or "",
            sector_labels[r[12]] if r[12] else "", r[13] or "", r[14], r[15], r[16], r[17],
            r[18], r[19], r[20], r[21].date() if r[21] else None]


def write_applications_xlsx(actor: User, filters: queries.Filters,
                            progress: Callable[..., None] | None = None) -> Path:
    """Write the dossiers to a temporary .xlsx file and return its path (the caller deletes it);
    `progress(done, total)` is told how far along it is."""
    query = rows_query(actor, filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(
        query.order_by(None).subquery())) or 0
    path = temporary_xlsx()
    with XlsxWriter(path) as writer:
        sheet = writer.add_sheet(_("Applications"), _columns())
        result = db.session.execute(query.execution_options(yield_per=BATCH))
        try:
            for done, row in enumerate(rows_of(result), 1):
                sheet.write_row(row)
                if progress and done % BATCH == 0:
                    progress(done, total)
        finally:
            result.close()  # a server-side cursor on PostgreSQL
        sheet.write_totals(_("Total"), {13: "sum", 14: "sum", 15: "sum"})
    if progress:
        progress(total, total)
    return path

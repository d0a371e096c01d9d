"""The visits as an xlsx file for programme managers: outcome, revenue, jobs and scores. The
questionnaire's answers (psychosocial) are never exported, only the scores."""

from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from grants.exports.xlsx import Column, XlsxWriter, temporary_xlsx
from grants.extensions import db
from grants.models import Visit


def _columns() -> list[Column]:
    return [
        Column(_("Visit"), "text", 16), Column(_("Visit no."), "text", 8),
        Column(_("Dossier"), "text", 14), Column(_("Beneficiary"), "text", 26),
        Column(_("Region"), "text", 14), Column(_("Commune"), "text", 14),
        Column(_("Sector"), "text", 20), Column(_("Due on"), "date", 12),
        Column(_("Status"), "text", 18), Column(_("Overdue (days)"), "integer", 10),
        Column(_("Field officer"), "text", 20), Column(_("Visited on"), "date", 12),
        Column(_("Mode of the visit"), "text", 10), Column(_("Activity"), "text", 18),
        Column(_("Monthly sales"), "money", 14), Column(_("Monthly profit"), "money", 14),
        Column(_("Jobs"), "integer", 8), Column(_("of which women"), "integer", 8),
        Column(_("of which young people"), "integer", 8), Column(_("Problems"), "text", 30),
        Column(_("Recommendation"), "text", 18), Column(_("Economic score"), "decimal", 10),
        Column(_("Social score"), "decimal", 10), Column(_("Psychosocial score"), "decimal", 10),
        Column(_("Composite score"), "decimal", 10),
        Column(_("Note on the composite score"), "text", 30),
        Column(_("Weight set"), "integer", 8),
        Column(_("Validated by"), "text", 20),
    ]


def write_visits_xlsx(query: sa.Select, today=None) -> Path:
    from datetime import date

    from grants.vocabulary import VisitProblem

    today = today or date.today()
    path = temporary_xlsx()
    query = query.options(joinedload(Visit.assigned_to), joinedload(Visit.reviewed_by),
                          joinedload(Visit.score))
    with XlsxWriter(path) as writer:
        sheet = writer.add_sheet(_("Visits"), _columns())
        for visit in db.session.scalars(query).unique():
            app, score = visit.application, visit.score
            sheet.write_row([
                visit.reference, visit.label, app.reference or "", app.lead.full_name,
                app.region.name, app.commune or "", app.sector.label if app.sector else "",
                visit.due_on, visit.status.label,
                (today - visit.due_on).days if visit.overdue(today) else None,
                visit.assigned_to.full_name if visit.assigned_to else "", visit.visited_on,
                visit.mode.label if visit.mode else "",
                visit.activity_status.label if visit.activity_status else "",
                visit.monthly_revenue, visit.monthly_profit, visit.jobs_total, visit.jobs_women,
                visit.jobs_youth, ", ".join(VisitProblem(p).label for p in visit.problems or []),
                visit.recommendation.label if visit.recommendation else "",
                score.economic if score else None, score.social if score else None,
                score.psychosocial if score else None, score.composite if score else None,
                score.composite_note or "" if score else "",
                score.weight_set.version if score else None,
                visit.reviewed_by.full_name if visit.reviewed_by and
                visit.status == visit.status.VALIDATED else "",
            ])
    return path

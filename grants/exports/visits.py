"""The visits as an xlsx file for programme managers: outcome, revenue, jobs and scores. The
questionnaire's answers (psychosocial) are never exported, only the scores.

Rows stream from one SQL query with every needed column joined, in batches, into a
constant-memory workbook (see exports/applications.py)."""

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from grants.exports.xlsx import Column, XlsxWriter, temporary_xlsx
from grants.extensions import db
from grants.models import (
    Application,
    Beneficiary,
    Region,
    SustainabilityScore,
    User,
    Visit,
    WeightSet,
)
from grants.permissions import Permission, region_scope
from grants.services.followup.questionnaire import composite_note
from grants.vocabulary import ActivityStatus, Recommendation, Sector, VisitMode, VisitProblem
from grants.workflow import VisitStatus

BATCH = 2000  # rows fetched at a time


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


def rows_query(actor: User, overdue_only: bool, today: date) -> sa.Select:
    """The visits `actor` may see (cancelled ones left out), by due date, as plain columns."""
    officer, reviewer = aliased(User), aliased(User)
    query = (
        sa.select(
            Visit.reference, Visit.seq, Application.reference.label("dossier"),
            Beneficiary.first_name, Beneficiary.last_name, Region.name.label("region"),
            Application.commune, Application.sector, Visit.due_on, Visit.status,
            officer.full_name.label("officer"), Visit.visited_on, Visit.mode,
            Visit.activity_status, Visit.monthly_revenue, Visit.monthly_profit, Visit.jobs_total,
            Visit.jobs_women, Visit.jobs_youth, Visit.problems, Visit.recommendation,
            SustainabilityScore.economic, SustainabilityScore.social,
            SustainabilityScore.psychosocial, SustainabilityScore.composite,
            SustainabilityScore.weight_set_id, reviewer.full_name.label("reviewer"))
        .join(Application, Application.id == Visit.application_id)
        .join(Beneficiary, Beneficiary.id == Application.lead_id)
        .join(Region, Region.id == Application.region_id)
        .outerjoin(officer, officer.id == Visit.assigned_to_id)
        .outerjoin(reviewer, reviewer.id == Visit.reviewed_by_id)
        .outerjoin(SustainabilityScore, SustainabilityScore.visit_id == Visit.id)
        .where(Visit.status != VisitStatus.CANCELLED))
    regions = region_scope(actor, Permission.VISIT_VIEW)
    if regions is not None:
        query = query.where(Visit.region_id.in_(regions))
    if overdue_only:
        query = query.where(Visit.status == VisitStatus.PLANNED, Visit.due_on < today)
    return query.order_by(Visit.due_on, Visit.id)


def rows_of(result, today: date) -> Iterator[list]:
    """The sheet's rows from the query's result."""
    # Labels translated once, not per row; the weight sets are few (one per revision).
    # One dict per enum: StrEnum members of different enums may share a value.
    status, mode, activity, advice, sector, problem = (
        {member: member.label for member in enum}
        for enum in (VisitStatus, VisitMode, ActivityStatus, Recommendation, Sector, VisitProblem))
    weight_sets = {ws.id: (ws.version, ws.weights)
                   for ws in db.session.execute(sa.select(WeightSet.id, WeightSet.version,
                                                          WeightSet.weights))}
    for r in result:
        scored = r.weight_set_id is not None
        version, weights = weight_sets[r.weight_set_id] if scored else (None, {})
        yield [
            r.reference, f"V{r.seq}" if r.seq else "V+", r.dossier or "",
            f"{r.first_name} {r.last_name}", r.region, r.commune or "",
            sector[r.sector] if r.sector else "", r.due_on, status[r.status],
            (today - r.due_on).days if r.status.is_planned and r.due_on < today else None,
            r.officer or "", r.visited_on, mode[r.mode] if r.mode else "",
            activity[r.activity_status] if r.activity_status else "",
            r.monthly_revenue, r.monthly_profit, r.jobs_total, r.jobs_women, r.jobs_youth,
            ", ".join(problem[p] for p in r.problems or []),
            advice[r.recommendation] if r.recommendation else "",
            r.economic, r.social, r.psychosocial, r.composite,
            (composite_note(r, weights) or "") if scored else "", version,
            r.reviewer or "" if r.status == VisitStatus.VALIDATED else "",
        ]


def write_visits_xlsx(actor: User, overdue_only: bool = False, today: date | None = None,
                      progress: Callable[..., None] | None = None) -> Path:
    """Write the visits to a temporary .xlsx file and return its path (the caller deletes it)."""
    today = today or date.today()
    query = rows_query(actor, overdue_only, today)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(
        query.order_by(None).subquery())) or 0
    path = temporary_xlsx()
    with XlsxWriter(path) as writer:
        sheet = writer.add_sheet(_("Visits"), _columns())
        result = db.session.execute(query.execution_options(yield_per=BATCH))
        try:
            for done, row in enumerate(rows_of(result, today), 1):
                sheet.write_row(row)
                if progress and done % BATCH == 0:
                    progress(done, total)
        finally:
            result.close()  # a server-side cursor on PostgreSQL
    if progress:
        progress(total, total)
    return path

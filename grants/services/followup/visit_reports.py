"""The field officer's report of a visit: checked, recorded once per key (a draft sent again
after a lost connection, a send-back or a second import records nothing), with its photos and
the questionnaire's scores."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from grants.database import exclusive_transaction, utcnow
from grants.extensions import db
from grants.models import User, Visit, VisitItem, VisitPhoto, VisitSubmission
from grants.permissions import Permission
from grants.services.errors import ConflictError, ValidationError
from grants.services.followup.questionnaire import ITEMS_BY_CODE
from grants.services.followup.sustainability import score_visit
from grants.services.followup.visits import allow, first_paid_on, transition_visit
from grants.vocabulary import (
    ActivityStatus,
    ConsentScope,
    ItemPresence,
    Recommendation,
    VisitMode,
    VisitProblem,
)
from grants.workflow import VisitAction, VisitStatus

MAX_JOBS = 1000
MAX_PHOTOS = 6


# --- the field officer's report -------------------------------------------------------------

@dataclass
class VisitReport:
    """What the field officer recorded; amounts and counts are already integers."""

    visited_on: date | None
    mode: VisitMode | None
    activity_status: ActivityStatus | None
    monthly_revenue: int | None = None
    monthly_profit: int | None = None
    jobs_total: int | None = None
    jobs_women: int | None = None
    jobs_youth: int | None = None
    problems: list[str] = field(default_factory=list)
    observations: str = ""
    recommendation: Recommendation | None = None
    items: dict[int, ItemPresence] = field(default_factory=dict)  # budget line id -> presence
    survey: dict[str, str] = field(default_factory=dict)
    latitude: float | None = None
    longitude: float | None = None
    gps_accuracy: int | None = None
    photos: list = field(default_factory=list)  # (stream, filename) pairs


def _check_report(visit: Visit, report: VisitReport, first_paid_on: date | None) -> None:
    today = date.today()
    if report.visited_on is None:
        raise ValidationError(_l("Enter the date of the visit."), "visited_on")
    if report.visited_on > today:
        raise ValidationError(_l("The date of the visit cannot be in the future."), "visited_on")
    if first_paid_on and report.visited_on < first_paid_on:
        raise ValidationError(_l("The visit cannot be before the first payment (%(day)s).",
                                 day=first_paid_on.strftime("%d/%m/%Y")), "visited_on")
    if report.mode is None:
        raise ValidationError(_l("Say how the visit was made."), "mode")
    if report.activity_status is None:
        raise ValidationError(_l("Choose the status of the activity."), "activity_status")
    if visit.gates_tranche_id and report.recommendation is None:
        raise ValidationError(_l("Give your recommendation for the next tranche."),
                              "recommendation")
    for name in ("jobs_total", "jobs_women", "jobs_youth"):
        value = getattr(report, name)
        if value is not None and not (0 <= value <= MAX_JOBS):
            raise ValidationError(_l("Enter a number between 0 and %(max)d.", max=MAX_JOBS), name)
    for name in ("jobs_women", "jobs_youth"):
        value = getattr(report, name)
        if value is not None and report.jobs_total is None:
            raise ValidationError(_l("Enter first how many people work in the activity."),
                                  "jobs_total")
        if value is not None and value > report.jobs_total:
            raise ValidationError(_l("Cannot be more than the jobs in total."), name)
    if report.monthly_revenue is not None and report.monthly_revenue < 0:
        raise ValidationError(_l("The amount cannot be negative."), "monthly_revenue")
    unknown = set(report.problems) - {p.value for p in VisitProblem}
    if unknown:
        raise ValidationError(_l("Unknown problem."), "problems")
    lines = [line.id for line in visit.application.budget_lines]
    if set(report.items) - set(lines):
        raise ValidationError(_l("This item is not in the project's budget."), "items")
    missing = [line_id for line_id in lines if line_id not in report.items]
    if report.mode == VisitMode.ON_SITE and missing:
        raise ValidationError(_l("On site, say whether this item is there."),
                              f"item_{missing[0]}")
    for code, answer in report.survey.items():
        item = ITEMS_BY_CODE.get(code)
        if item is None or (answer and item.value_of(answer) is None):
            raise ValidationError(_l("Unknown answer in the questionnaire."), f"q_{code}")
    if (report.latitude is None) != (report.longitude is None) or (
            report.latitude is not None and report.longitude is not None
            and not (-90 <= report.latitude <= 90 and -180 <= report.longitude <= 180)):
        raise ValidationError(_l("The position is not valid."), "latitude")
    if len(report.photos) + len(visit.photos) > MAX_PHOTOS:
        raise ValidationError(_l("At most %(n)d photos.", n=MAX_PHOTOS), "photos")
    if report.photos and not visit.application.lead.has_consent(ConsentScope.PHOTO):
        raise ValidationError(_l("The beneficiary did not consent to photos."), "photos")


def _sent_before(actor: User, visit_id: int, key: str) -> Visit | None:
    """The visit recorded earlier with `key`, if any (refused for another visit)."""
    earlier = db.session.get(VisitSubmission, key)
    if earlier is None:
        return None
    if earlier.visit_id != visit_id:
        raise ConflictError(_l("This form was already sent for another visit: reload the page."))
    visit = db.session.get_one(Visit, visit_id)
    allow(actor, Permission.VISIT_RECORD, visit)
    return visit


def submit_visit(actor: User, visit_id: int, report: VisitReport, key: str,
                 *, exclusive: bool = True) -> Visit:
    """Record the field officer's report. The key was issued with the form and kept with the
    offline draft: a key is recorded once for good (VisitSubmission), so the same report sent
    again, even after the visit was sent back, gets the first result and records nothing.
    `exclusive` starts a transaction of its own that takes SQLite's write lock first, so two
    sendings at once queue up; an import, which runs many rows in one transaction, says False."""
    if not key or len(key) > 64:
        raise ValidationError(_l("This form has expired: reload the page."), "key")
    if exclusive:
        exclusive_transaction(db.session)
    earlier = _sent_before(actor, visit_id, key)
    if earlier is not None:
        return earlier
    visit = db.session.get_one(Visit, visit_id)
    allow(actor, Permission.VISIT_RECORD, visit)
    if visit.status != VisitStatus.PLANNED:
        raise ConflictError(_l("This visit is already recorded."))
    _check_report(visit, report, first_paid_on(visit.grant))
    try:
        with db.session.begin_nested():
            db.session.add(VisitSubmission(key=key, visit_id=visit.id, submitted_by_id=actor.id))
    except IntegrityError:  # the same report, sent a moment earlier
        earlier = _sent_before(actor, visit_id, key)
        if earlier is None:  # cannot be: the conflict was on that key's row
            raise
        return earlier
    report.survey = {code: answer for code, answer in report.survey.items() if answer}
    transition_visit(actor, visit, VisitAction.SUBMIT)
    visit.visited_on = report.visited_on
    visit.mode = report.mode
    on_site = report.mode == VisitMode.ON_SITE
    visit.latitude = report.latitude if on_site else None
    visit.longitude = report.longitude if on_site else None
    visit.gps_accuracy = report.gps_accuracy if on_site and report.latitude is not None else None
    visit.activity_status = report.activity_status
    visit.monthly_revenue = report.monthly_revenue
    visit.monthly_profit = report.monthly_profit
    visit.jobs_total, visit.jobs_women = report.jobs_total, report.jobs_women
    visit.jobs_youth = report.jobs_youth
    visit.problems = sorted(set(report.problems))
    visit.observations = (report.observations or "").strip() or None
    visit.recommendation = report.recommendation
    visit.survey = report.survey if visit.with_survey and report.survey else None
    visit.items.clear()  # a corrected report replaces the items of the returned one
    db.session.flush()
    visit.items = [VisitItem(budget_line_id=line_id, presence=presence)
                   for line_id, presence in sorted(report.items.items())]
    visit.submitted_by_id, visit.submitted_at = actor.id, utcnow()
    visit.assigned_to_id = visit.assigned_to_id or actor.id
    for stream, filename in report.photos:
        _store_photo(actor, visit, stream, filename)
    db.session.flush()
    if visit.survey:
        score_visit(visit)
    return visit


def _store_photo(actor: User, visit: Visit, stream, filename: str) -> None:
    from grants.storage import discard, save_upload

    try:
        stored = save_upload(stream, filename)
    except ValidationError as error:  # shown at the photos, not at a "file" field
        raise ValidationError(error.message, "photos") from None
    if stored.content_type not in ("image/jpeg", "image/png"):
        discard(stored.stored_name)
        raise ValidationError(_l("A photo must be a JPEG or PNG image."), "photos")
    visit.photos.append(VisitPhoto.recorded(stored, actor.id))

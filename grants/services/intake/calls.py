"""Calls for proposals: their dates, targets, plans and status (draft → open → closed)."""

from datetime import date

from flask_babel import lazy_gettext as _l

from grants.extensions import db
from grants.models import BudgetEnvelope, Call, Region, User
from grants.services import audit
from grants.services.amounts import parse_amount
from grants.services.errors import ConflictError, ValidationError
from grants.vocabulary import BeneficiaryCategory, CallStatus, DocumentKind, ProjectType

DEFAULT_TRANCHE_PLAN = [60, 40]
DEFAULT_VISIT_PLAN = [1, 3, 6, 12]
DEFAULT_REQUIRED_DOCUMENTS = [DocumentKind.ID_SCAN.value, DocumentKind.PROFORMA.value]


# The most parts a plan may have, and the largest part (a percentage, or a month: 10 years).
MAX_PLAN_PARTS = 12
MAX_PLAN_VALUE = {"tranche_plan": 100, "visit_plan": 120}


def parse_plan(text: str, field: str, *, total: int | None = None) -> list[int]:
    """"60, 40" -> [60, 40], checked by check_plan()."""
    pieces = [p.strip() for p in text.replace(";", ",").replace("/", ",").split(",") if p.strip()]
    if not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in pieces):
        raise ValidationError(_l("Enter whole numbers separated by commas, e.g. 60, 40."),
                              field)
    return check_plan([int(p) for p in pieces], field, total=total)


def check_plan(parts: list[int], field: str, *, total: int | None = None) -> list[int]:
    """A tranche plan (percentages adding up to `total`) or a visit plan (increasing months):
    each part a whole number from 1 to its maximum (100 %, or 120 months), at most 12 parts."""
    maximum = MAX_PLAN_VALUE[field]
    if not parts or any(isinstance(p, bool) or not isinstance(p, int) or not 0 < p <= maximum
                        for p in parts):
        raise ValidationError(_l("Enter whole numbers from 1 to %(max)d, separated by commas.",
                                 max=maximum), field)
    if len(parts) > MAX_PLAN_PARTS:
        raise ValidationError(_l("Enter at most %(n)d numbers.", n=MAX_PLAN_PARTS), field)
    if total is not None and sum(parts) != total:
        raise ValidationError(_l("The parts must add up to %(total)d.", total=total), field)
    if total is None and parts != sorted(set(parts)):
        raise ValidationError(_l("Enter increasing months, e.g. 1, 3, 6, 12."), field)
    return parts


def save_call(actor: User, call: Call | None, *, title: str, description: str | None,
              envelope: BudgetEnvelope, opens_on: date, closes_on: date,
              target_categories: list[str], regions: list[Region], project_types: list[str],
              required_documents: list[str], min_age: int, max_age: int,
              cap_per_project: int, min_contribution_percent: int, tranche_plan: list[int],
              visit_plan: list[int]) -> Call:
    if closes_on < opens_on:
        raise ValidationError(_l("The closing date must be after the opening date."), "closes_on")
    if not target_categories:
        raise ValidationError(_l("Choose at least one target group."), "target_categories")
    if not regions:
        raise ValidationError(_l("Choose at least one region."), "regions")
    if not project_types:
        raise ValidationError(_l("Choose at least one project type."), "project_types")
    if not 0 < min_age <= max_age <= 120:
        raise ValidationError(_l("Enter an age range such as 18 to 60."), "max_age")
    cap_per_project = parse_amount(cap_per_project, "cap_per_project", allow_zero=False)
    if cap_per_project > envelope.total:
        raise ValidationError(_l("The cap cannot exceed the envelope."), "cap_per_project")
    if not 0 <= min_contribution_percent <= 100:
        raise ValidationError(_l("Enter a percentage from 0 to 100."), "min_contribution_percent")
    check_plan(tranche_plan, "tranche_plan", total=100)
    check_plan(visit_plan, "visit_plan")
    _check_codes(target_categories, BeneficiaryCategory, "target_categories")
    _check_codes(project_types, ProjectType, "project_types")
    _check_codes(required_documents, DocumentKind, "required_documents")
    created = call is None
    if call is None:
        call = Call(status=CallStatus.DRAFT)
        db.session.add(call)
    call.title, call.description = title.strip(), (description or "").strip() or None
    call.envelope, call.opens_on, call.closes_on = envelope, opens_on, closes_on
    call.target_categories, call.project_types = sorted(target_categories), sorted(project_types)
    call.required_documents, call.regions = sorted(required_documents), regions
    call.min_age, call.max_age, call.cap_per_project = min_age, max_age, cap_per_project
    call.min_contribution_percent = min_contribution_percent
    call.tranche_plan, call.visit_plan = tranche_plan, visit_plan
    db.session.flush()
    audit.record("call.created" if created else "call.updated", actor, call)
    return call


def _check_codes(codes: list[str], enum, field: str) -> None:
    if set(codes) - {m.value for m in enum}:
        raise ValidationError(_l("Unknown value."), field)


_CALL_MOVES = {CallStatus.DRAFT: CallStatus.OPEN, CallStatus.OPEN: CallStatus.CLOSED}


def advance_call(actor: User, call: Call) -> None:
    """Open a draft call, or close an open one."""
    target = _CALL_MOVES.get(call.status)
    if target is None:
        raise ConflictError(_l("This call is closed."))
    before, call.status = call.status, target
    audit.record("call.status", actor, call, details={"from": before.value, "to": target.value})
    db.session.flush()


def open_calls(on: date) -> list[Call]:
    return list(db.session.scalars(
        db.select(Call).where(Call.status == CallStatus.OPEN, Call.opens_on <= on,
                              Call.closes_on >= on).order_by(Call.closes_on, Call.id)))

"""Follow-up visits: planning from the call's template, assignment, and the supervisor's review
(the field officer's report is in visit_reports.py). A validated visit that a tranche waits for
releases it through the finance services."""

import calendar
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from grants import events
from grants.database import rows_changed, utcnow
from grants.extensions import db
from grants.models import (
    Grant,
    GrantStatus,
    Role,
    Tranche,
    TrancheCondition,
    User,
    Visit,
)
from grants.permissions import Permission, can
from grants.services import audit
from grants.services.errors import ConflictError, ForbiddenError, ValidationError
from grants.services.references import next_reference
from grants.workflow import VISIT_TRANSITIONS, VisitAction, VisitStatus


def add_months(day: date, months: int) -> date:
    """The same day `months` later, kept inside shorter months (31 January + 1 = 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def allow(actor: User, permission: Permission, visit: Visit) -> None:
    """Refuse an actor without the permission on this visit (its region, its officer)."""
    if not can(actor, permission, visit):
        raise ForbiddenError(_l("You may not do this to this visit."))


def transition_visit(actor: User, visit: Visit, action: VisitAction,
                     details: dict | None = None) -> None:
    """The one way a visit changes status: the move must be in VISIT_TRANSITIONS, and it is
    guarded in SQL so that two people acting at once cannot both move it."""
    target = VISIT_TRANSITIONS.get((visit.status, action))
    if target is None:
        raise ConflictError(_l("This visit is \"%(status)s\": this step is not possible.",
                               status=visit.status.label))
    moved = rows_changed(db.session, sa.update(Visit).where(Visit.id == visit.id,
                                                            Visit.status == visit.status)
                         .values(status=target))
    if moved != 1:
        raise ConflictError(_l("This visit has changed meanwhile: reload the page."))
    db.session.refresh(visit)
    audit.record("visit." + action.value, actor, visit, details=details)


def first_paid_on(grant: Grant) -> date | None:
    from grants.models import Payment, PaymentKind

    return db.session.scalar(
        sa.select(sa.func.min(Payment.paid_on))
        .join(Tranche, Tranche.id == Payment.tranche_id)
        .where(Tranche.grant_id == grant.id, Payment.kind == PaymentKind.PAYMENT))


# --- planning -------------------------------------------------------------------------------

def _survey_at(seq: int) -> bool:
    return seq in current_app.config["SURVEY_AT_VISITS"]


def plan_visits(actor: User | None, grant: Grant, first_paid_on: date) -> list[Visit]:
    """The visits of the call's template (V1 at M+1…), counted from the first payment. V1 is the
    visit the favourable-visit tranche waits for. Planning twice changes nothing."""
    if db.session.scalar(sa.select(Visit.id).where(Visit.grant_id == grant.id,
                                                   Visit.seq.is_not(None)).limit(1)):
        return []
    application = grant.application
    gated = next((t for t in grant.tranches
                  if t.condition == TrancheCondition.FAVOURABLE_VISIT), None)
    visits = []
    for seq, months in enumerate(application.call.visit_plan, start=1):
        visit = Visit(reference=next_reference("VS", first_paid_on.year), grant_id=grant.id,
                      application_id=application.id, region_id=application.region_id, seq=seq,
                      months=months, due_on=add_months(first_paid_on, months),
                      gates_tranche_id=gated.id if gated and seq == 1 else None,
                      with_survey=_survey_at(seq), created_by_id=actor.id if actor else None)
        db.session.add(visit)
        visits.append(visit)
    db.session.flush()
    audit.record("visits.planned", actor, grant, details={"visits": len(visits)})
    return visits


def waiting_tranche(grant: Grant) -> Tranche | None:
    """The tranche of the agreement that still waits for a favourable visit, if any."""
    return next((t for t in grant.tranches if t.waits_for_visit), None)


def plan_unscheduled(actor: User, grant: Grant, *, due_on: date | None, reason: str,
                     gates_tranche: bool = False, with_survey: bool = False,
                     assignee: User | None = None) -> Visit:
    """An extra visit (a check after an unfavourable visit, a problem reported by phone…). A
    field officer plans one for themself; only a supervisor makes it decide the waiting tranche
    or gives it to someone else."""
    application = grant.application
    supervisor = can(actor, Permission.VISIT_SUPERVISE, application)
    if not (supervisor or can(actor, Permission.VISIT_RECORD, application)):
        raise ForbiddenError(_l("You may not plan a visit of this project."))
    if not supervisor and (gates_tranche or (assignee is not None and assignee.id != actor.id)):
        raise ForbiddenError(_l("Only a supervisor decides which visit releases a tranche or "
                                "assigns visits."))
    if not supervisor:
        assignee = None  # given to the officer below, without the supervisor's assignment
    if grant.status != GrantStatus.SIGNED:
        raise ConflictError(_l("The agreement is not signed."))
    if not (reason or "").strip():
        raise ValidationError(_l("Say why this visit is needed."), "reason")
    earliest = first_paid_on(grant) or grant.signed_on
    assert earliest is not None  # a signed agreement has its signature date
    if due_on is None or due_on < earliest or due_on > date.today() + timedelta(days=366):
        raise ValidationError(_l("Choose a date between %(first)s and one year from today.",
                                 first=earliest.strftime("%d/%m/%Y")), "due_on")
    tranche = waiting_tranche(grant) if gates_tranche else None
    if gates_tranche and tranche is None:
        raise ValidationError(_l("No tranche of this agreement waits for a visit."),
                              "gates_tranche")
    if tranche is not None:
        # The earlier open visits no longer decide the tranche: the newest one does.
        db.session.execute(sa.update(Visit).where(Visit.gates_tranche_id == tranche.id,
                                                  Visit.status == VisitStatus.PLANNED)
                           .values(gates_tranche_id=None))
    visit = Visit(reference=next_reference("VS", date.today().year), grant_id=grant.id,
                  application_id=application.id, region_id=application.region_id, seq=None,
                  due_on=due_on, reason=reason.strip(), with_survey=with_survey,
                  gates_tranche_id=tranche.id if tranche else None, created_by_id=actor.id)
    if not supervisor:
        visit.assigned_to_id = actor.id
    db.session.add(visit)
    db.session.flush()
    if assignee is not None:
        assign(actor, [visit], assignee)
    audit.record("visit.planned", actor, visit, details={"due_on": due_on.isoformat()})
    return visit


def field_officers_for(region_id: int) -> list[User]:
    """Active field officers whose regions include `region_id`, by name."""
    from grants.models import UserRole, user_region

    return list(db.session.scalars(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .join(user_region, user_region.c.user_id == User.id)
        .where(UserRole.role == Role.FIELD_OFFICER, user_region.c.region_id == region_id,
               User.active.is_(True))
        .order_by(User.full_name, User.id)))


def assign(actor: User, visits: list[Visit], officer: User | None) -> int:
    """Give open visits to a field officer of their region (or take them back with None)."""
    for visit in visits:
        if not can(actor, Permission.VISIT_SUPERVISE, visit):
            raise ForbiddenError(_l("Only a supervisor assigns visits."))
        if not visit.status.is_open:
            raise ConflictError(_l("Visit %(reference)s is closed.", reference=visit.reference))
        if officer is not None and (Role.FIELD_OFFICER not in officer.roles or not officer.active
                                    or visit.region_id not in officer.region_ids):
            raise ValidationError(_l("%(name)s does not cover the region of visit "
                                     "%(reference)s.", name=officer.full_name,
                                     reference=visit.reference), "officer_id")
    ids = [visit.id for visit in visits]
    if ids:
        db.session.execute(sa.update(Visit).where(Visit.id.in_(ids))
                           .values(assigned_to_id=officer.id if officer else None))
        audit.record("visits.assigned", actor, details={
            "visits": ids, "officer": officer.id if officer else None})
    for visit in visits:
        db.session.refresh(visit)
    return len(ids)


# --- the supervisor's review ----------------------------------------------------------------

def _supervised(actor: User, visit_id: int, refusal) -> Visit:
    visit = db.session.get_one(Visit, visit_id)
    if not can(actor, Permission.VISIT_SUPERVISE, visit):
        raise ForbiddenError(refusal)
    return visit


def _reviewed(visit: Visit, actor: User, comment: str | None) -> None:
    visit.reviewed_by_id, visit.reviewed_at = actor.id, utcnow()
    visit.review_comment = (comment or "").strip() or None
    db.session.flush()


def _required(text: str, message) -> str:
    if not (text or "").strip():
        raise ValidationError(message, "comment")
    return text.strip()


def validate_visit(actor: User, visit_id: int, comment: str = "") -> Visit:
    """Validate a submitted visit. When a tranche waits for it and the recommendation lets the
    money go, the finance services make that tranche due; otherwise the tranche stays blocked
    and the agreement page shows this visit as the reason."""
    visit = _supervised(actor, visit_id, _l("Only a supervisor validates visits."))
    if visit.submitted_by_id == actor.id:
        raise ForbiddenError(_l("Another person must validate the visit you recorded."))
    transition_visit(actor, visit, VisitAction.VALIDATE,
                     details={"recommendation": visit.recommendation.value if visit.recommendation
                              else None})
    _reviewed(visit, actor, comment)
    events.visit_validated.send(visit, actor=actor)
    return visit


def return_visit(actor: User, visit_id: int, comment: str) -> Visit:
    """Send a submitted visit back to the field officer, who corrects and submits it again."""
    visit = _supervised(actor, visit_id, _l("Only a supervisor sends visits back."))
    comment = _required(comment, _l("Say what must be corrected."))
    transition_visit(actor, visit, VisitAction.RETURN)
    if visit.score is not None:
        db.session.delete(visit.score)
    _reviewed(visit, actor, comment)
    return visit


def cancel_visit(actor: User, visit_id: int, reason: str) -> Visit:
    visit = _supervised(actor, visit_id, _l("Only a supervisor cancels visits."))
    reason = _required(reason, _l("Say why the visit is cancelled."))
    transition_visit(actor, visit, VisitAction.CANCEL, details={"reason": reason})
    _reviewed(visit, actor, reason)
    return visit


def cancel_open_visits(actor: User, grant_id: int, reason: str) -> int:
    """The agreement is cancelled: its planned visits will not be made."""
    planned = db.session.scalars(sa.select(Visit).where(Visit.grant_id == grant_id,
                                                        Visit.status == VisitStatus.PLANNED)
                                 .order_by(Visit.id)).all()
    for visit in planned:
        transition_visit(actor, visit, VisitAction.CANCEL, details={"reason": reason})
        visit.review_comment = reason
    db.session.flush()
    return len(planned)


@events.tranche_paid.connect
def _plan_at_the_first_payment(tranche: Tranche, actor: User, payment, **_) -> None:
    """The follow-up visits count from the first payment."""
    if tranche.seq == 1:
        plan_visits(actor, tranche.grant, payment.paid_on)


@events.agreement_cancelled.connect
def _cancel_the_planned_visits(grant: Grant, actor: User, reason: str, **_) -> None:
    cancel_open_visits(actor, grant.id, reason)


def tranche_hold(grant: Grant) -> tuple[Tranche, Visit | None] | None:
    """Why the agreement's visit-gated tranche is not yet due: (tranche, the visit it waits for
    or the last visit that decided against it), or None when no tranche waits."""
    tranche = waiting_tranche(grant)
    if tranche is None:
        return None
    visit = db.session.scalar(sa.select(Visit).where(Visit.gates_tranche_id == tranche.id)
                              .order_by(Visit.id.desc()).limit(1))
    return tranche, visit

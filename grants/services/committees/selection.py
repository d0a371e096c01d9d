"""Ranking and selection within the envelope, the chair's decisions, the deliberation, and the
waiting list."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from grants.database import utcnow
from grants.extensions import db
from grants.models import (
    Application,
    CommitteeSession,
    Decision,
    DecisionReason,
    Role,
    Seat,
    SessionDossier,
    SessionStatus,
    User,
)
from grants.permissions import Permission, can
from grants.services import audit
from grants.services.committees.ranking import envelope_available, ranked
from grants.services.committees.scoring import Tally
from grants.services.errors import ConflictError, ForbiddenError, ValidationError
from grants.services.intake.applications import transition
from grants.workflow import ApplicationAction, ApplicationStatus

# --- ranking and the proposed selection ---------------------------------------------------

@dataclass
class Row:
    dossier: SessionDossier
    tally: Tally | None
    rank: int
    decision: Decision
    reason: DecisionReason | None  # None: a reason kept as words (dossier.decision_reason)
    flagged: bool  # spread above the session's threshold: to discuss

    @property
    def application(self) -> Application:
        return self.dossier.application

    @property
    def reason_text(self) -> str:
        """The reason in the reader's language."""
        return self.reason.label if self.reason else (self.dossier.decision_reason or "")


def propose(session: CommitteeSession) -> list[Row]:
    """Rank the dossiers by mean score (ties: social priority, then submission date) and propose
    decisions: above the pass mark and within the envelope, selected in rank order; the next ones
    above the pass mark on the waiting list; the others not selected. The chair's forced
    decisions are kept, and count first against the envelope (services/committees/ranking)."""
    rows = ranked(session)
    dossiers = {d.id: d for d in db.session.scalars(
        db.select(SessionDossier).where(SessionDossier.session_id == session.id))}
    return [Row(dossiers[r.dossier_id], r.tally, r.rank, r.decision or Decision.REJECTED,
                r.reason, r.flagged) for r in rows]


# --- the chair's decisions ----------------------------------------------------------------

def decides_nationally(user: User) -> bool:
    """A programme manager decides for every session (the waiting list, the minutes)."""
    return Role.PROGRAMME_MANAGER in user.roles and bool(can(user, Permission.SELECTION_DECIDE))


def check_decider(user: User, session: CommitteeSession) -> None:
    """After the deliberation: the session's chair, or a programme manager (a national role)."""
    if user.id != session.chair_id and not decides_nationally(user):
        raise ForbiddenError(_l("Only the chair of the session can do this."))


def _check_chair(user: User, session: CommitteeSession) -> None:
    if user.id != session.chair_id:
        raise ForbiddenError(_l("Only the chair of the session can do this."))
    if session.status != SessionStatus.SCORING:
        raise ConflictError(_l("This session is finalised."))


def set_granted_amount(user: User, dossier: SessionDossier, amount: int | None,
                       reason: str | None) -> None:
    """The committee may grant less than requested, with a reason; None restores the request."""
    session = dossier.session
    _check_chair(user, session)
    requested = dossier.application.requested_amount
    if amount is not None:
        if not 0 < amount <= requested:
            raise ValidationError(_l("The amount granted must be above zero and at most the "
                                     "amount requested."), "amount")
        if amount < requested and not (reason or "").strip():
            raise ValidationError(_l("Say why the amount is lowered."), "reason")
    dossier.granted_amount = amount if amount != requested else None
    dossier.amount_reason = (reason or "").strip() or None if dossier.granted_amount else None
    db.session.flush()
    audit.record("committee.amount_set", user, dossier.application,
                 details={"session": session.id, "granted": dossier.amount})


def force_decision(user: User, dossier: SessionDossier, decision: Decision | None,
                   justification: str | None) -> None:
    """The chair moves a dossier in or out of the proposal, only with a written justification;
    None returns it to the ranking. A forced selection must still fit in the envelope."""
    session = dossier.session
    _check_chair(user, session)
    if decision is not None and not (justification or "").strip():
        raise ValidationError(_l("A written justification is required."), "justification")
    dossier.forced_decision = decision
    dossier.justification = (justification or "").strip() or None if decision else None
    forced = db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(db.func.coalesce(
            SessionDossier.granted_amount, Application.requested_amount)), 0))
        .join(Application, Application.id == SessionDossier.application_id)
        .where(SessionDossier.session_id == session.id,
               SessionDossier.forced_decision == Decision.SELECTED))
    if forced > envelope_available(session.call.envelope, exclude_session=session.id):
        raise ConflictError(_l("The envelope cannot cover this selection."), "decision")
    db.session.flush()
    audit.record("committee.decision_forced", user, dossier.application,
                 details={"session": session.id, "decision": decision.value if decision else None})


def record_attendance(user: User, session: CommitteeSession, present_user_ids: set[int]) -> None:
    _check_chair(user, session)
    for member in session.members:
        member.present = member.user_id in present_user_ids
    db.session.flush()
    audit.record("committee.attendance", user, session,
                 details={"present": sorted(present_user_ids)})


def present_voting(session: CommitteeSession) -> int:
    return sum(1 for m in session.members if m.seat == Seat.VOTING and m.present)


def finalise(user: User, session: CommitteeSession) -> list[Row]:
    """Deliberate: with the quorum present, apply the decisions through the dossier workflow and
    lock the scores. Returns the final ranking (the minutes are written from it)."""
    _check_chair(user, session)
    if present_voting(session) < session.quorum:
        raise ConflictError(_l("The quorum is not reached (%(present)d present, %(quorum)d "
                               "needed).", present=present_voting(session),
                               quorum=session.quorum))
    rows = propose(session)
    actions = {Decision.SELECTED: ApplicationAction.SELECT,
               Decision.WAITLISTED: ApplicationAction.WAITLIST,
               Decision.REJECTED: ApplicationAction.REJECT}
    for row in rows:
        row.dossier.rank, row.dossier.decision = row.rank, row.decision
        row.dossier.decision_reason_code, row.dossier.decision_reason = row.reason, None
        if row.application.status == ApplicationStatus.UNDER_REVIEW:
            # The history names the session and the rank (language-neutral); the reason is
            # shown, translated, by the ranking and the minutes.
            transition(user, row.application, actions[row.decision],
                       f"{session.reference} #{row.rank}")
    session.status, session.finalised_at = SessionStatus.FINALISED, utcnow()
    db.session.flush()
    audit.record("committee.finalised", user, session, details={
        "selected": sum(r.decision == Decision.SELECTED for r in rows),
        "waitlisted": sum(r.decision == Decision.WAITLISTED for r in rows)})
    return rows


# --- the waiting list ---------------------------------------------------------------------

def promote_next(user: User, session: CommitteeSession) -> SessionDossier:
    """Select the first dossier of the waiting list whose amount fits what the envelope has left
    (after a selected dossier withdrew or was cancelled)."""
    check_decider(user, session)
    if session.status != SessionStatus.FINALISED:
        raise ConflictError(_l("The waiting list exists once the session is finalised."))
    available = envelope_available(session.call.envelope)
    following = db.session.scalar(
        db.select(SessionDossier).join(Application,
                                       Application.id == SessionDossier.application_id)
        .where(SessionDossier.session_id == session.id,
               SessionDossier.decision == Decision.WAITLISTED,
               Application.status == ApplicationStatus.WAITLISTED)
        .order_by(SessionDossier.rank, SessionDossier.id).limit(1))
    if following is None:
        raise ConflictError(_l("The waiting list is empty."))
    if following.amount > available:
        raise ConflictError(_l("The envelope cannot cover the next dossier (%(ref)s).",
                               ref=following.application.display_reference))
    transition(user, following.application, ApplicationAction.SELECT,
               f"{session.reference} #{following.rank}")  # waiting list → selected says why
    following.decision = Decision.SELECTED
    following.decision_reason_code, following.decision_reason = DecisionReason.PROMOTED, None
    db.session.flush()
    audit.record("committee.promoted", user, following.application,
                 details={"session": session.id, "rank": following.rank})
    return following

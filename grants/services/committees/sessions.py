"""Selection committee sessions before the scoring: the session and its members (voting,
observers, chair, secretary), declarations of interest (for the session, then for each dossier
before it is opened) and recusals."""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from grants.database import utcnow
from grants.extensions import db
from grants.models import (
    Application,
    Call,
    CommitteeSession,
    InterestDeclaration,
    Role,
    Seat,
    SessionDossier,
    SessionMember,
    SessionStatus,
    User,
)
from grants.services import audit
from grants.services.committees.grids import grid_for
from grants.services.errors import ConflictError, ForbiddenError, ValidationError
from grants.services.intake.applications import transition
from grants.services.references import next_reference
from grants.workflow import ApplicationAction, ApplicationStatus


@dataclass
class MemberInput:
    user: User
    seat: Seat
    organisation: str | None = None


def create_session(actor: User, call: Call, *, title: str, chair: User,
                   members: list[MemberInput], secretary: User | None = None,
                   place: str | None = None, meeting_on: date | None = None,
                   scoring_due_on: date | None = None, quorum: int | None = None,
                   applications: list[Application] | None = None,
                   spread_threshold: int = 25) -> CommitteeSession:
    """A session of the committee on a call. Without a list, every eligible dossier of the call
    is assigned; assigned dossiers go "under review"."""
    if not chair.has_role(Role.COMMITTEE_CHAIR):
        raise ValidationError(_l("The chair must hold the committee chair role."), "chair_id")
    for member in members:
        if not (member.user.has_role(Role.COMMITTEE_MEMBER)
                or member.user.has_role(Role.COMMITTEE_CHAIR)):
            raise ValidationError(_l("%(name)s is not a committee member.",
                                     name=member.user.full_name), "members")
    seats = {m.user.id: m for m in members}
    seats.setdefault(chair.id, MemberInput(chair, Seat.VOTING))
    seats[chair.id].seat = Seat.VOTING  # the chair always votes
    voting = sum(1 for m in seats.values() if m.seat == Seat.VOTING)
    quorum = quorum or voting // 2 + 1
    if not 0 < quorum <= voting:
        raise ValidationError(_l("The quorum must be between 1 and the number of voting "
                                 "members (%(n)d).", n=voting), "quorum")
    if spread_threshold <= 0:
        raise ValidationError(_l("Enter a spread threshold above zero."), "spread_threshold")
    if applications is None:
        applications = list(db.session.scalars(
            db.select(Application).where(Application.call_id == call.id,
                                         Application.status == ApplicationStatus.ELIGIBLE)
            .order_by(Application.reference)))
    if not applications:
        raise ValidationError(_l("No eligible dossier to examine."), "applications")
    for application in applications:
        if application.call_id != call.id or application.status != ApplicationStatus.ELIGIBLE:
            raise ValidationError(_l("%(ref)s is not an eligible dossier of this call.",
                                     ref=application.display_reference), "applications")
    grid_for(call)
    session = CommitteeSession(
        reference=next_reference("CS", call.opens_on.year), call_id=call.id,
        title=title.strip(), place=(place or "").strip() or None, meeting_on=meeting_on,
        scoring_due_on=scoring_due_on, quorum=quorum, spread_threshold=spread_threshold,
        chair_id=chair.id, secretary_id=secretary.id if secretary else None)
    session.members = [SessionMember(user_id=m.user.id, seat=m.seat, organisation=m.organisation)
                       for m in seats.values()]
    session.dossiers = [SessionDossier(application_id=a.id) for a in applications]
    db.session.add(session)
    db.session.flush()
    for application in applications:
        transition(actor, application, ApplicationAction.START_REVIEW, session.reference)
    audit.record("committee.session_created", actor, session,
                 details={"members": len(seats), "dossiers": len(applications),
                          "quorum": quorum})
    return session


def dossiers_by_reference(call: Call, text: str | None) -> list[Application] | None:
    """The dossiers of a sub-panel from references typed by staff; None when none are typed."""
    references = sorted({word.upper() for word in (text or "").replace(",", " ").split()})
    if not references:
        return None
    found = list(db.session.scalars(db.select(Application).where(
        Application.call_id == call.id, Application.reference.in_(references))
        .order_by(Application.reference)))
    unknown = sorted(set(references) - {a.reference for a in found})
    if unknown:
        raise ValidationError(_l("Unknown references for this call: %(refs)s.",
                                 refs=", ".join(unknown)), "references")
    return found


def in_session(session: CommitteeSession, application_id: int) -> bool:
    """Whether the session examines this dossier (one indexed lookup, not the whole list)."""
    return db.session.scalar(db.select(SessionDossier.id).where(
        SessionDossier.session_id == session.id,
        SessionDossier.application_id == application_id)) is not None


def membership(user: User, session: CommitteeSession) -> SessionMember:
    member = session.member(user.id)
    if member is None:
        raise ForbiddenError(_l("You are not a member of this session."))
    return member


def declare_for_session(user: User, session: CommitteeSession, declaration: str | None) -> None:
    """The general declaration of interests, made once before any dossier is opened."""
    member = membership(user, session)
    if member.declared_at is not None:
        raise ConflictError(_l("You have already made your declaration for this session."))
    member.declared_at = utcnow()
    member.declaration = (declaration or "").strip() or None
    db.session.flush()
    audit.record("committee.session_declared", user, session)


def declaration_for(member: SessionMember, application_id: int) -> InterestDeclaration | None:
    return db.session.scalar(db.select(InterestDeclaration).where(
        InterestDeclaration.member_id == member.id,
        InterestDeclaration.application_id == application_id))


def declare_for_dossier(user: User, session: CommitteeSession, application: Application,
                        conflicted: bool, details: str | None) -> InterestDeclaration:
    """Before seeing a dossier, the member says whether they have an interest in it. A conflicted
    member is recused: that dossier stays closed to them by every route."""
    member = membership(user, session)
    if member.declared_at is None:
        raise ConflictError(_l("Make your declaration for the session first."))
    if session.status != SessionStatus.SCORING:
        raise ConflictError(_l("This session is finalised."))
    if not in_session(session, application.id):
        raise ValidationError(_l("This dossier is not examined by this session."))
    if declaration_for(member, application.id) is not None:
        raise ConflictError(_l("You have already declared your interests for this dossier."))
    if conflicted and not (details or "").strip():
        raise ValidationError(_l("Say what the conflict of interest is."), "details")
    declaration = InterestDeclaration(member_id=member.id, application_id=application.id,
                                      conflicted=conflicted,
                                      details=(details or "").strip() or None)
    db.session.add(declaration)
    db.session.flush()
    audit.record("committee.interest_declared", user, application,
                 details={"session": session.id, "conflicted": conflicted})
    return declaration


def is_recused(member: SessionMember, application_id: int) -> bool:
    declaration = declaration_for(member, application_id)
    return declaration is not None and declaration.conflicted

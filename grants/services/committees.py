"""Selection committees, before the scoring: the grid of a call, sessions and their members,
declarations of interest (for the session, then for each dossier before it is opened)."""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from grants.database import utcnow
from grants.extensions import db
from grants.models import (
    Application,
    Call,
    CommitteeSession,
    Criterion,
    InterestDeclaration,
    Role,
    ScoringGrid,
    Seat,
    SessionDossier,
    SessionMember,
    SessionStatus,
    User,
)
from grants.services import audit
from grants.services.applications import transition
from grants.services.errors import ConflictError, ForbiddenError, ValidationError
from grants.services.references import next_reference
from grants.workflow import ApplicationAction, ApplicationStatus

# The default grid of DOMAIN.md: code, French label, English label, maximum, social priority.
DEFAULT_CRITERIA = [
    ("C1", "Profil du demandeur : expérience et compétences dans l'activité (y compris acquises "
           "à l'étranger), formation, motivation",
     "Applicant profile: experience and skills in the activity (incl. acquired abroad), "
     "training, motivation", 20, False),
    ("C2", "Pertinence et marché : demande locale, concurrence, clientèle",
     "Relevance and market: local demand, competition, customers", 20, False),
    ("C3", "Faisabilité technique : local, équipement, fournisseurs (factures pro forma)",
     "Technical feasibility: premises, equipment, suppliers (pro-forma invoices)", 15, False),
    ("C4", "Viabilité économique : recettes et charges prévues, marge, cohérence du budget",
     "Economic viability: forecast revenue and costs, margin, budget coherence", 20, False),
    ("C5", "Impact : emplois créés (femmes, jeunes), bénéfice pour la communauté",
     "Impact: jobs created (women, youth), benefit to the community", 10, False),
    ("C6", "Priorité sociale / vulnérabilité", "Social priority / vulnerability", 10, True),
    ("C7", "Apport personnel (en espèces ou en nature)", "Own contribution (cash or in kind)", 5,
     False),
]
DEFAULT_PASS_MARK = 60


# --- the grid -----------------------------------------------------------------------------

def preview_grid(call: Call) -> ScoringGrid:
    """The call's grid, or (not saved) the default one: for pages that only read."""
    grid = db.session.scalar(db.select(ScoringGrid).where(ScoringGrid.call_id == call.id))
    if grid is None:
        grid = ScoringGrid(call_id=call.id, pass_mark=DEFAULT_PASS_MARK)
        grid.criteria = [
            Criterion(position=n, code=code, label_fr=fr, label_en=en, max_points=maximum,
                      social_priority=social)
            for n, (code, fr, en, maximum, social) in enumerate(DEFAULT_CRITERIA, start=1)]
    return grid


def grid_for(call: Call) -> ScoringGrid:
    """The call's grid, created from the default one the first time it is needed."""
    grid = preview_grid(call)
    if grid.id is None:
        db.session.add(grid)
        db.session.flush()
    return grid


@dataclass
class CriterionInput:
    code: str
    label_fr: str
    label_en: str
    guidance: str | None
    max_points: int
    eliminatory: bool
    social_priority: bool


def save_grid(actor: User, grid: ScoringGrid, pass_mark: int,
              criteria: list[CriterionInput]) -> None:
    """Replace the criteria of a grid: maxima must add up to 100; locked once scoring began."""
    if grid.locked_at is not None:
        raise ConflictError(_l("The grid is locked: scores have been recorded."))
    if grid.id is None:
        db.session.add(grid)
    if not 0 <= pass_mark <= 100:
        raise ValidationError(_l("Enter a pass mark from 0 to 100."), "pass_mark")
    codes = [(c.code or "").strip().upper() for c in criteria]
    if not criteria or len(set(codes)) != len(codes) or not all(codes):
        raise ValidationError(_l("Each criterion needs its own code."), "criteria")
    if any(not (c.label_fr or "").strip() or not (c.label_en or "").strip() for c in criteria):
        raise ValidationError(_l("Each criterion needs a label in French and in English."),
                              "criteria")
    if any(c.max_points <= 0 for c in criteria):
        raise ValidationError(_l("Each criterion needs a maximum above zero."), "criteria")
    if sum(c.max_points for c in criteria) != 100:
        raise ValidationError(_l("The maxima must add up to 100 (now %(total)d).",
                                 total=sum(c.max_points for c in criteria)), "criteria")
    if sum(c.social_priority for c in criteria) > 1:
        raise ValidationError(_l("Only one criterion can break ties (social priority)."),
                              "criteria")
    grid.pass_mark = pass_mark
    # The old criteria go first: the unit of work would insert the new ones before deleting
    # the old, and (grid, position) is unique.
    grid.criteria = []
    db.session.flush()
    grid.criteria = [
        Criterion(position=n, code=code, label_fr=c.label_fr.strip(), label_en=c.label_en.strip(),
                  guidance=(c.guidance or "").strip() or None, max_points=c.max_points,
                  eliminatory=c.eliminatory, social_priority=c.social_priority)
        for n, (code, c) in enumerate(zip(codes, criteria, strict=True), start=1)]
    db.session.flush()
    audit.record("grid.saved", actor, grid, details={"criteria": codes, "pass_mark": pass_mark})


# --- sessions -----------------------------------------------------------------------------

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
        transition(application, ApplicationAction.START_REVIEW, actor, session.reference)
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
    if not any(d.application_id == application.id for d in session.dossiers):
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

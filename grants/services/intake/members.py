"""The members of collective and community dossiers: who may join (the rules a lead meets, plus
no record flagged as a possible duplicate, no active grant through another dossier, not already
in), and the shares of a collective project. Choosing members is staff work (it searches the
registry); every change keeps a collective project's shares at 100 % by splitting them equally,
and staff then set them, always to a total of 100 %."""

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from grants.extensions import db
from grants.models import Application, ApplicationMember, Beneficiary, User
from grants.permissions import Permission, can
from grants.services import audit
from grants.services.errors import ConflictError, ForbiddenError, ValidationError
from grants.services.intake.applications import check_editable, person_refusal
from grants.services.intake.beneficiaries import search
from grants.services.intake.past_grants import past_grant_holders
from grants.vocabulary import VerificationStatus
from grants.workflow import ACTIVE_GRANT_STATUSES

MAX_MEMBERS = 20  # the lead included; a share of at least 1 % each leaves room for 100
SEARCH_LIMIT = 10


def active_grant_holders(beneficiary_ids, except_application_id: int | None = None) -> dict:
    """{beneficiary id: reference of the dossier} for those of `beneficiary_ids` who hold an
    active grant through a dossier other than `except_application_id`, or a recent past grant
    (one grant per person)."""
    ids = list(beneficiary_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(ApplicationMember.beneficiary_id, Application.reference, Application.id)
        .join(Application, Application.id == ApplicationMember.application_id)
        .where(ApplicationMember.beneficiary_id.in_(ids),
               Application.id != (except_application_id or 0),
               Application.status.in_(ACTIVE_GRANT_STATUSES))
        .order_by(Application.id))
    holders = {person_id: reference or f"#{app_id}" for person_id, reference, app_id in rows}
    # A grant of an earlier programme, funded recently, counts too (its follow-up year).
    return past_grant_holders(ids) | holders


def join_refusal(app: Application, person: Beneficiary, holders: dict | None = None):
    """Why `person` cannot become a member of `app`, in words, or None. `holders` (from
    active_grant_holders) saves a query per person when a list is checked."""
    if any(m.beneficiary_id == person.id for m in app.members):
        return _l("%(name)s is already a member.", name=person.full_name)
    refusal = person_refusal(person)
    if refusal is not None:
        return refusal
    if person.verification_status == VerificationStatus.SUSPECTED_DUPLICATE:
        return _l("The record %(code)s may be a duplicate: settle it on the person's page first.",
                  code=person.code)
    if holders is None:
        holders = active_grant_holders([person.id], app.id)
    if person.id in holders:
        return _l("%(code)s already holds an active grant (dossier %(reference)s): one grant per "
                  "person.", code=person.code, reference=holders[person.id])
    return None


def _check_may_choose_members(actor: User, app: Application) -> None:
    check_editable(actor, app)
    if not can(actor, Permission.APPLICATION_MEMBERS, app):
        raise ForbiddenError(_l("Only staff choose the members of a dossier."))
    if not app.project_type.has_members:
        raise ConflictError(_l("An individual project has only its lead."))


def candidates(actor: User, app: Application, text: str | None) -> list[tuple[Beneficiary, object]]:
    """The registered returnees `actor` may see who match `text` (name, code, phone, ID number),
    each with the reason they cannot join, or None."""
    if not (text or "").strip():
        return []
    # Their consents are read (scopes, withdrawal), not who recorded them: that user's roles and
    # regions would be loaded too, a statement each whenever such a person is found.
    people = db.session.scalars(
        search(actor, q=text).options(selectinload(Beneficiary.consents).lazyload("*"))
        .limit(SEARCH_LIMIT)).unique().all()
    holders = active_grant_holders([p.id for p in people], app.id)
    return [(person, join_refusal(app, person, holders)) for person in people]


def _split_equally(app: Application) -> None:
    """Equal whole shares of a collective project; the lead takes what rounding leaves."""
    if not app.project_type.has_shares:
        return
    each = 100 // len(app.members)
    for member in app.members:
        member.share_percent = each
    lead = next(m for m in app.members if m.is_lead)
    lead.share_percent = 100 - each * (len(app.members) - 1)


def add_member(actor: User, app: Application, person: Beneficiary) -> ApplicationMember:
    _check_may_choose_members(actor, app)
    if not can(actor, Permission.BENEFICIARY_VIEW, person):
        raise ForbiddenError(_l("You may not add this person."))
    refusal = join_refusal(app, person)
    if refusal is not None:
        raise ConflictError(refusal, "q")
    if len(app.members) >= MAX_MEMBERS:
        raise ConflictError(_l("A dossier has at most %(n)d members.", n=MAX_MEMBERS), "q")
    member = ApplicationMember(beneficiary_id=person.id, share_percent=0)
    app.members.append(member)
    _split_equally(app)
    db.session.flush()
    audit.record("application.member_added", actor, app, details={"beneficiary": person.id})
    return member


def remove_member(actor: User, app: Application, member_id: int) -> ApplicationMember:
    _check_may_choose_members(actor, app)
    member = next((m for m in app.members if m.id == member_id), None)
    if member is None:
        raise ConflictError(_l("This person is no longer a member."))
    if member.is_lead:
        raise ConflictError(_l("The lead cannot be removed."))
    app.members.remove(member)
    _split_equally(app)
    db.session.flush()
    audit.record("application.member_removed", actor, app,
                 details={"beneficiary": member.beneficiary_id})
    return member


def set_shares(actor: User, app: Application, shares: dict[int, int]) -> None:
    """Set the members' shares (whole percent, each from 1 to 100, 100 in all); members left out
    of `shares` keep theirs."""
    _check_may_choose_members(actor, app)
    if not app.project_type.has_shares:
        raise ConflictError(_l("Only a collective project has shares."))
    if set(shares) - {m.id for m in app.members}:
        raise ConflictError(_l("The members have changed meanwhile: check the shares again."))
    wanted = {m.id: shares.get(m.id, m.share_percent) for m in app.members}
    if any(not 1 <= share <= 100 for share in wanted.values()):
        raise ValidationError(_l("Each share is a whole percent from 1 to 100."), "total")
    total = sum(wanted.values())
    if total != 100:
        raise ValidationError(_l("The shares add up to %(total)d %%; they must total 100 %%.",
                                 total=total), "total")
    for member in app.members:
        member.share_percent = wanted[member.id]
    db.session.flush()
    audit.record("application.shares", actor, app,
                 details={"shares": {str(m.beneficiary_id): m.share_percent for m in app.members}})

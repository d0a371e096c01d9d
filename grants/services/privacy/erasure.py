"""Erasure on request (the right to erasure), even without a consent withdrawal.

What the law keeps stays: a person in an open dossier or agreement cannot be erased yet (the
programme still owes or pays them); the ledger and payment rows of a past agreement stay as they
are and now point to a pseudonym. Everything else about the person goes: identity and profile,
confidential data, free-text notes, documents and photos (rows here, files once committed)."""

import secrets
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from grants.database import utcnow
from grants.extensions import db
from grants.models import (
    Application,
    ApplicationEvent,
    ApplicationRevision,
    Attachment,
    Beneficiary,
    Consent,
    ContactPreference,
    DuplicateReview,
    Grant,
    GrantStatus,
    ImportRow,
    OutboundMessage,
    PastDossier,
    Referral,
    Screening,
    User,
    UserSession,
    Visit,
    VisitPhoto,
)
from grants.services import audit
from grants.services.errors import ConflictError, ValidationError
from grants.services.intake.beneficiaries import erase_profile, name_key
from grants.services.privacy.person_file import application_ids
from grants.vocabulary import ConsentEnding
from grants.workflow import ApplicationStatus

PSEUDONYM_PREFIX = "ANON-"
ERASED_FIRST_NAME = "Anonyme"
# Dossiers in these states are over (or never left the applicant): their data may go.
FINISHED = frozenset({ApplicationStatus.DRAFT, ApplicationStatus.INELIGIBLE,
                      ApplicationStatus.REJECTED, ApplicationStatus.CLOSED,
                      ApplicationStatus.WITHDRAWN, ApplicationStatus.CANCELLED})
# The free-text fields of a dossier the person leads.
DOSSIER_TEXTS = ("title", "activity", "community_name", "product_service", "customers_market",
                 "competition", "suppliers", "training_needs", "own_contribution_details")


@dataclass
class Erasure:
    pseudonym: str
    files: list[str] = field(default_factory=list)  # stored names to delete once committed


def is_erased(person: Beneficiary) -> bool:
    return person.code.startswith(PSEUDONYM_PREFIX)


def blocking_dossiers(person: Beneficiary) -> list[Application]:
    """The person's dossiers that are still open (in selection, or with an agreement in force)."""
    dossiers = db.session.scalars(db.select(Application).where(
        Application.id.in_(application_ids(person.id))).order_by(Application.id)).all()
    blocking = []
    for app in dossiers:
        grant = db.session.scalar(db.select(Grant).where(Grant.application_id == app.id))
        grant_open = grant is not None and grant.status != GrantStatus.CANCELLED \
            and app.status != ApplicationStatus.CLOSED
        if grant_open or app.status not in FINISHED:
            blocking.append(app)
    return blocking


def erase(actor: User, person: Beneficiary, reason: str) -> Erasure:
    """Erase `person` on their request; raises ConflictError while an open dossier keeps them."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_l("Say why the person is erased (their request, its date)."),
                              "reason")
    if is_erased(person):
        raise ConflictError(_l("This person has already been erased."))
    blocking = blocking_dossiers(person)
    if blocking:
        raise ConflictError(_l(
            "The law keeps this person's data while a dossier or an agreement is open "
            "(%(refs)s): close, withdraw or cancel it first.",
            refs=", ".join(app.display_reference for app in blocking)))
    result = Erasure(pseudonym=PSEUDONYM_PREFIX + secrets.token_hex(5).upper())
    _erase_identity(person, result.pseudonym)
    _erase_consents(person, result)
    for app_id in application_ids(person.id):
        _erase_dossier(db.session.get_one(Application, app_id), person, result)
    for referral in db.session.scalars(db.select(Referral).where(
            Referral.beneficiary_id == person.id)):
        referral.reason, referral.outcome_note = "", None
    # The messages sent to the person carry their phone, code and references: not kept.
    db.session.execute(db.delete(OutboundMessage).where(
        OutboundMessage.beneficiary_id == person.id))
    db.session.execute(db.delete(ContactPreference).where(
        ContactPreference.beneficiary_id == person.id))
    _erase_imports(person)
    db.session.execute(db.delete(DuplicateReview).where(db.or_(
        DuplicateReview.beneficiary_id == person.id, DuplicateReview.other_id == person.id)))
    if person.user_id:
        _erase_account(db.session.get_one(User, person.user_id), result.pseudonym)
    db.session.flush()
    audit.record("privacy.erased", actor, person,
                 details={"reason": reason[:300], "files": len(result.files)})
    return result


def _erase_identity(person: Beneficiary, pseudonym: str) -> None:
    erase_profile(person)
    person.code, person.first_name, person.last_name = pseudonym, ERASED_FIRST_NAME, pseudonym
    person.name_key = name_key(ERASED_FIRST_NAME, pseudonym)
    person.verification_note = None


def _erase_imports(person: Beneficiary) -> None:
    """Past dossiers keep what the one-grant rule and the history of money need (programme,
    year, sector, outcome, amount, dates) and lose their free-text title; the rows of the
    partner files that held the person keep only the pseudonym."""
    db.session.execute(db.update(PastDossier).where(
        PastDossier.beneficiary_id == person.id).values(title=None))
    db.session.execute(db.update(ImportRow).where(db.or_(
        ImportRow.beneficiary_id == person.id, ImportRow.duplicate_of_id == person.id)).values(
        first_name=ERASED_FIRST_NAME, last_name=person.code, data={}, errors=[]))


def _erase_consents(person: Beneficiary, result: Erasure) -> None:
    now = utcnow()
    for consent in db.session.scalars(db.select(Consent).where(
            Consent.beneficiary_id == person.id)):
        consent.signature_id = None
        if consent.withdrawn_at is None:
            consent.withdrawn_at, consent.withdrawal_reason = now, ConsentEnding.ERASED.value
    db.session.flush()
    _delete_files(db.session.scalars(db.select(Attachment).where(
        Attachment.beneficiary_id == person.id)).all(), result)


def _erase_dossier(app: Application, person: Beneficiary, result: Erasure) -> None:
    """A dossier the person led loses its texts, versions, documents and visit notes; in
    another's collective dossier, the person only leaves their share (the amounts stay)."""
    if app.lead_id != person.id:
        return
    for name in DOSSIER_TEXTS:
        setattr(app, name, None)
    for event in db.session.scalars(db.select(ApplicationEvent).where(
            ApplicationEvent.application_id == app.id)):
        event.comment = None
    for revision in db.session.scalars(db.select(ApplicationRevision).where(
            ApplicationRevision.application_id == app.id)):
        revision.snapshot = {"erased": True}
    for screening in db.session.scalars(db.select(Screening).where(
            Screening.application_id == app.id)):
        screening.reason = None
    _delete_files(list(app.attachments), result)
    for visit in db.session.scalars(db.select(Visit).where(Visit.application_id == app.id)):
        visit.observations = visit.review_comment = visit.reason = None
        visit.latitude = visit.longitude = None
        visit.survey = None
        _delete_files(db.session.scalars(db.select(VisitPhoto).where(
            VisitPhoto.visit_id == visit.id)).all(), result)


def _erase_account(user: User, pseudonym: str) -> None:
    user.username, user.full_name = pseudonym.lower(), pseudonym
    user.phone = user.email = None
    user.active = False
    db.session.execute(db.delete(UserSession).where(UserSession.user_id == user.id))


def _delete_files(rows, result: Erasure) -> None:
    for row in rows:
        result.files.append(row.stored_name)
        db.session.delete(row)
    db.session.flush()


def discard_files(stored_names: list[str]) -> None:
    """Delete the erased files from storage: call after the erasure is committed."""
    from grants.storage import discard

    for name in stored_names:
        discard(name)

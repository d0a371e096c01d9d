"""The returnee registry: registration with consent, duplicate checks, restricted data."""

import unicodedata
from contextlib import suppress
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from grants import events
from grants.database import utcnow, write_transaction
from grants.extensions import db
from grants.models import Beneficiary, BeneficiaryRestricted, Consent, DuplicateReview, Role, User
from grants.permissions import Permission, owner_scope, region_scope
from grants.services import accounts, audit
from grants.services.errors import ConflictError, ForbiddenError, ValidationError
from grants.services.references import next_reference
from grants.vocabulary import ConsentEnding, ConsentScope, IdType, VerificationStatus

CURRENT_NOTICE_VERSION = "2026-01"

# Fields of the registry beyond the identity; stored only with processing consent.
PROFILE_FIELDS = (
    "sex", "birth_date", "birth_date_estimated", "id_type", "id_number", "phone", "region_id",
    "cercle", "commune", "address", "category", "return_country", "return_date", "return_mode",
    "iom_case_number", "education", "skills", "skills_abroad", "household_size")
REQUIRED_PROFILE = ("sex", "birth_date", "region_id", "category")
_MESSAGES = {
    "sex": _l("Choose the sex."),
    "birth_date": _l("Enter the date of birth (or an estimate)."),
    "region_id": _l("Choose the region."),
    "category": _l("Choose the category."),
}


# --- matching keys ------------------------------------------------------------------------

def name_key(first_name: str, last_name: str) -> str:
    """"Kanté Moussa" and "MOUSSA KANTE" give the same key: no accents, no case, any order."""
    text = unicodedata.normalize("NFKD", f"{first_name} {last_name}")
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    words = "".join(c if c.isalnum() else " " for c in text).split()
    return " ".join(sorted(words))


def id_number_key(id_number: str | None) -> str | None:
    if not id_number:
        return None
    key = "".join(c for c in id_number.upper() if c.isalnum())
    return key or None


# --- duplicates ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Match:
    beneficiary: Beneficiary
    reasons: tuple[str, ...]  # "id_number", "phone", "name_birth_date"


def find_duplicates(*, first_name: str, last_name: str, birth_date: date | None,
                    id_number: str | None, phone: str | None,
                    exclude_id: int | None = None) -> list[Match]:
    """Records that may be the same person: same ID number, same phone, or same name and
    birth date (ignoring accents, case and word order). Decisions "not a duplicate" are
    remembered and not shown again."""
    key, id_key = name_key(first_name, last_name), id_number_key(id_number)
    conditions = []
    if id_key:
        conditions.append(Beneficiary.id_number_key == id_key)
    if phone:
        conditions.append(Beneficiary.phone == phone)
    if birth_date:
        conditions.append(db.and_(Beneficiary.name_key == key, Beneficiary.birth_date == birth_date))
    if not conditions:
        return []
    query = db.select(Beneficiary).where(db.or_(*conditions)).order_by(Beneficiary.id).limit(20)
    if exclude_id:
        reviewed = db.select(DuplicateReview.other_id).where(
            DuplicateReview.beneficiary_id == exclude_id)
        query = query.where(Beneficiary.id != exclude_id, Beneficiary.id.not_in(reviewed))
    return [Match(other, duplicate_reasons(DuplicateKeys(id_key, phone, key, birth_date),
                                           DuplicateKeys.of(other)))
            for other in db.session.scalars(query)]


@dataclass(frozen=True)
class DuplicateKeys:
    """What identifies a person for the duplicate checks (the form's and the import's)."""
    id_key: str | None
    phone: str | None  # E.164
    name_key: str
    birth_date: date | None

    @classmethod
    def of(cls, person: Beneficiary) -> "DuplicateKeys":
        return cls(person.id_number_key, person.phone, person.name_key, person.birth_date)


def duplicate_reasons(one: DuplicateKeys, other: DuplicateKeys) -> tuple[str, ...]:
    """Why two people may be the same: same ID number, same phone, or same name and birth date."""
    reasons = []
    if one.id_key and other.id_key == one.id_key:
        reasons.append("id_number")
    if one.phone and other.phone == one.phone:
        reasons.append("phone")
    if one.birth_date and other.name_key == one.name_key and other.birth_date == one.birth_date:
        reasons.append("name_birth_date")
    return tuple(reasons)


def _record_not_duplicate(actor: User, beneficiary: Beneficiary, matches: list[Match],
                          reason: str) -> None:
    for match in matches:
        for a, b in ((beneficiary.id, match.beneficiary.id), (match.beneficiary.id, beneficiary.id)):
            exists = db.session.scalar(db.select(DuplicateReview.id).where(
                DuplicateReview.beneficiary_id == a, DuplicateReview.other_id == b))
            if exists is None:
                db.session.add(DuplicateReview(beneficiary_id=a, other_id=b, reason=reason,
                                               decided_by_id=actor.id))
    audit.record("beneficiary.not_duplicate", actor, beneficiary,
                 details={"others": [m.beneficiary.id for m in matches]})


# --- registration -------------------------------------------------------------------------

def _check_region_reach(actor: User, region_id: int | None) -> None:
    """Staff limited to some regions register and move people only within them."""
    regions = region_scope(actor, Permission.BENEFICIARY_EDIT)
    if regions is not None and region_id is not None and region_id not in regions:
        raise ValidationError(_l("Choose one of your regions."), "region_id")


def check_profile(data: dict) -> tuple[dict, list[ValidationError]]:
    """The intake form's rules on a profile: the cleaned values and every refusal, in the order
    the form shows them. The form stops at the first; an import reports them all per row."""
    profile = {name: data.get(name) for name in PROFILE_FIELDS}
    errors: list[ValidationError] = []
    if profile["phone"]:
        try:
            profile["phone"] = accounts.normalise_phone(profile["phone"])
        except ValidationError as error:
            errors.append(error)
    if profile["id_type"] in (None, IdType.NONE):
        profile["id_number"] = None
    elif not profile["id_number"]:
        errors.append(ValidationError(
            _l("Enter the document number, or choose \"No document\"."), "id_number"))
    if profile["birth_date"] and profile["birth_date"] > date.today():
        errors.append(ValidationError(_l("The date of birth cannot be in the future."),
                                      "birth_date"))
    if profile["return_date"] and profile["return_date"] > date.today():
        errors.append(ValidationError(_l("The return date cannot be in the future."),
                                      "return_date"))
    for name in REQUIRED_PROFILE:
        if profile[name] in (None, ""):
            errors.append(ValidationError(_MESSAGES[name], name))
    return profile, errors


def _clean_profile(data: dict) -> dict:
    profile, errors = check_profile(data)
    if errors:
        raise errors[0]
    return profile


def register(actor: User, *, first_name: str, last_name: str, consent_scopes: list[str],
             consent_date: date, profile: dict, restricted: dict | None = None,
             duplicates_confirmed: bool = False, not_duplicate_reason: str | None = None,
             client_token: str | None = None, signature_id: int | None = None) -> Beneficiary:
    """Register a person after the consent notice was read to them.

    Without processing consent only the names and the refusal are kept. With it, likely
    duplicates stop the registration unless staff confirm "not a duplicate" with a reason."""
    if client_token:
        earlier = db.session.scalar(db.select(Beneficiary).where(
            Beneficiary.client_token == client_token))
        if earlier is not None:
            return earlier  # the same form sent twice
    first_name, last_name = first_name.strip(), last_name.strip()
    if not first_name or not last_name:
        raise ValidationError(_l("Enter the first and last names."), "first_name")
    processing = ConsentScope.PROCESSING in consent_scopes
    clean = _clean_profile(profile) if processing else {}
    _check_region_reach(actor, clean.get("region_id"))
    if processing:
        matches = find_duplicates(first_name=first_name, last_name=last_name,
                                  birth_date=clean["birth_date"], id_number=clean["id_number"],
                                  phone=clean["phone"])
        if matches and not duplicates_confirmed:
            raise PossibleDuplicates(matches)
        if matches and not (not_duplicate_reason or "").strip():
            raise ValidationError(_l("Say why this is not the same person."),
                                  "not_duplicate_reason")
    else:
        matches = []
    person = Beneficiary(
        code=next_reference("ML", consent_date.year if consent_date else utcnow().year),
        first_name=first_name, last_name=last_name, name_key=name_key(first_name, last_name),
        created_by_id=actor.id, client_token=client_token, **clean)
    person.id_number_key = id_number_key(person.id_number)
    db.session.add(person)
    db.session.flush()
    _add_consent(actor, person, consent_scopes, consent_date, signature_id)
    if processing and restricted:
        save_restricted(actor, person, **restricted)
    if matches:
        _record_not_duplicate(actor, person, matches, (not_duplicate_reason or "").strip())
    audit.record("beneficiary.registered", actor, person,
                 details={"processing_consent": processing})
    events.returnee_registered.send(person, actor=actor)
    return person


class PossibleDuplicates(ConflictError):
    def __init__(self, matches: list[Match]):
        super().__init__(_l("This person may already be registered. Open the existing record, "
                            "or confirm that it is someone else and say why."))
        self.matches = matches


def update(actor: User, person: Beneficiary, *, first_name: str, last_name: str, profile: dict,
           duplicates_confirmed: bool = False, not_duplicate_reason: str | None = None) -> None:
    if not person.has_consent(ConsentScope.PROCESSING):
        raise ForbiddenError(_l("Without consent to processing, only the names are kept."))
    clean = _clean_profile(profile)
    _check_region_reach(actor, clean["region_id"])
    matches = find_duplicates(first_name=first_name, last_name=last_name,
                              birth_date=clean["birth_date"], id_number=clean["id_number"],
                              phone=clean["phone"], exclude_id=person.id)
    if matches and not duplicates_confirmed:
        raise PossibleDuplicates(matches)
    if matches and not (not_duplicate_reason or "").strip():
        raise ValidationError(_l("Say why this is not the same person."), "not_duplicate_reason")
    changed = sorted(name for name, value in clean.items() if getattr(person, name) != value)
    person.first_name, person.last_name = first_name.strip(), last_name.strip()
    person.name_key = name_key(person.first_name, person.last_name)
    for name, value in clean.items():
        setattr(person, name, value)
    person.id_number_key = id_number_key(person.id_number)
    if matches:
        _record_not_duplicate(actor, person, matches, (not_duplicate_reason or "").strip())
    db.session.flush()
    audit.record("beneficiary.updated", actor, person, details={"fields": changed})


# --- consent ------------------------------------------------------------------------------

def _add_consent(actor: User, person: Beneficiary, scopes: list[str], given_on: date,
                 signature_id: int | None) -> Consent:
    unknown = set(scopes) - {s.value for s in ConsentScope}
    if unknown:
        raise ValidationError(_l("Unknown consent scope."), "consent_scopes")
    if given_on > date.today():
        raise ValidationError(_l("The consent date cannot be in the future."), "consent_date")
    consent = Consent(beneficiary=person, given_on=given_on, scopes=sorted(scopes),
                      notice_version=CURRENT_NOTICE_VERSION, recorded_by_id=actor.id,
                      signature_id=signature_id)
    db.session.add(consent)
    db.session.flush()
    return consent


def record_consent(actor: User, person: Beneficiary, scopes: list[str], given_on: date,
                   signature_id: int | None = None) -> Consent:
    """A new consent replaces the current one (which stays in the history)."""
    for old in person.consents:
        if old.withdrawn_at is None:
            old.withdrawn_at, old.withdrawn_by_id = utcnow(), actor.id
            old.withdrawal_reason = ConsentEnding.REPLACED.value
    consent = _add_consent(actor, person, scopes, given_on, signature_id)
    if ConsentScope.PROCESSING not in scopes:
        erase_profile(person)
    audit.record("beneficiary.consent_recorded", actor, person, details={"scopes": sorted(scopes)})
    events.consent_changed.send(person, actor=actor, consent=consent)
    return consent


def withdraw_consent(actor: User, person: Beneficiary, reason: str) -> None:
    """Withdrawing consent stops the processing: the profile and restricted data are erased and
    only the names and the consent history remain."""
    if not reason.strip():
        raise ValidationError(_l("Say why the consent is withdrawn."), "reason")
    consent = person.current_consent
    if consent is None:
        raise ConflictError(_l("There is no consent to withdraw."))
    consent.withdrawn_at, consent.withdrawn_by_id = utcnow(), actor.id
    consent.withdrawal_reason = reason.strip()
    erase_profile(person)
    audit.record("beneficiary.consent_withdrawn", actor, person)
    db.session.flush()
    events.consent_changed.send(person, actor=actor, consent=None)


def erase_profile(person: Beneficiary) -> None:
    """Empty the profile and the restricted data (consent withdrawal, erasure on request)."""
    for name in PROFILE_FIELDS:
        setattr(person, name, False if name == "birth_date_estimated" else None)
    person.id_number_key = None
    db.session.execute(db.delete(BeneficiaryRestricted).where(
        BeneficiaryRestricted.beneficiary_id == person.id))


# --- restricted data ----------------------------------------------------------------------

def read_restricted(actor: User, person: Beneficiary) -> BeneficiaryRestricted | None:
    """Vulnerabilities and health notes; every reading is audited (pages that only read call
    this: the write lock is taken before the reading)."""
    write_transaction(db.session)
    row = db.session.get(BeneficiaryRestricted, person.id)
    audit.record("beneficiary.restricted_read", actor, person)
    return row


def save_restricted(actor: User, person: Beneficiary, *, vulnerabilities: list[str],
                    health_notes: str | None) -> None:
    if not person.has_consent(ConsentScope.PROCESSING):
        raise ForbiddenError(_l("Without consent to processing, nothing more can be recorded."))
    row = db.session.get(BeneficiaryRestricted, person.id)
    if row is None:
        row = BeneficiaryRestricted(beneficiary_id=person.id)
        db.session.add(row)
    row.vulnerabilities = sorted(vulnerabilities)
    row.health_notes = (health_notes or "").strip() or None
    row.updated_by_id = actor.id
    db.session.flush()
    audit.record("beneficiary.restricted_updated", actor, person)


# --- verification and accounts --------------------------------------------------------------

def set_verification(actor: User, person: Beneficiary, status: VerificationStatus,
                     comment: str) -> None:
    if status in (VerificationStatus.REJECTED, VerificationStatus.SUSPECTED_DUPLICATE) \
            and not comment.strip():
        raise ValidationError(_l("Explain this decision."), "comment")
    before = person.verification_status
    person.verification_status = status
    person.verification_note = comment.strip() or None
    audit.record("beneficiary.verification", actor, person,
                 details={"from": before.value, "to": status.value})
    db.session.flush()


def create_applicant_account(actor: User, person: Beneficiary) -> tuple[User, str]:
    """Give the person an applicant account (login by phone) with a temporary password."""
    if person.user_id:
        raise ConflictError(_l("This person already has an account."))
    if not person.phone:
        raise ValidationError(_l("Record a phone number first: it is the login."), "phone")
    user, temporary = accounts.create_user(
        actor, username=person.code.lower(), full_name=person.full_name,
        roles=[Role.APPLICANT], phone=person.phone)
    assert temporary is not None  # created without a password: a temporary one was made
    person.user_id = user.id
    db.session.flush()
    return user, temporary


# --- lists --------------------------------------------------------------------------------

def search(actor: User, *, q: str | None = None, region_id: int | None = None,
           status: str | None = None, consent_to_collect: bool = False):
    """Registry search for `actor` (region scope applied), newest first: a select to paginate."""
    query = db.select(Beneficiary)
    regions = region_scope(actor, Permission.BENEFICIARY_VIEW)
    if regions is not None:
        query = query.where(db.or_(Beneficiary.region_id.in_(regions), db.and_(
            Beneficiary.region_id.is_(None), Beneficiary.created_by_id == actor.id)))
    if owner_scope(actor, Permission.BENEFICIARY_VIEW):
        query = query.where(Beneficiary.user_id == actor.id)
    if q and q.strip():
        text = q.strip()
        conditions = [Beneficiary.code == text.upper(),
                      Beneficiary.name_key.contains(name_key(text, ""))]
        with suppress(ValidationError):
            conditions.append(Beneficiary.phone == accounts.normalise_phone(text))
        if id_number_key(text):
            conditions.append(Beneficiary.id_number_key == id_number_key(text))
        query = query.where(db.or_(*conditions))
    if region_id:
        query = query.where(Beneficiary.region_id == region_id)
    if status:
        query = query.where(Beneficiary.verification_status == status)
    if consent_to_collect:  # imported without a consent: to be asked at the next contact
        query = query.where(~Beneficiary.consents.any())
    return query.order_by(Beneficiary.created_at.desc(), Beneficiary.id.desc())



def add_signature(actor: User, consent: Consent, stream, filename: str) -> None:
    """Keep a photo of the signature or thumbprint given with a consent (JPEG, PNG or PDF)."""

    from grants.models import Attachment
    from grants.storage import save_upload
    from grants.vocabulary import DocumentKind

    stored = save_upload(stream, filename)
    attachment = Attachment.recorded(stored, actor.id, beneficiary_id=consent.beneficiary_id,
                                     kind=DocumentKind.SIGNATURE)
    db.session.add(attachment)
    db.session.flush()
    consent.signature_id = attachment.id

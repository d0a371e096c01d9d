"""Referrals of returnees to CNRM partner services, and the partner registry. A referral hands
personal data to a third party: it needs the beneficiary's sharing consent (docs/DOMAIN.md)."""

from flask_babel import lazy_gettext as _l

from grants.extensions import db
from grants.models import Beneficiary, Partner, Referral, User, Visit
from grants.permissions import Permission, can
from grants.services import audit
from grants.services.errors import ConflictError, ForbiddenError, ValidationError
from grants.vocabulary import ConsentScope, ReferralService
from grants.workflow import REFERRAL_TRANSITIONS, ReferralStatus


def save_partner(actor: User, partner: Partner, **fields) -> Partner:
    if not (fields.get("name") or "").strip():
        raise ValidationError(_l("Enter the partner's name."), "name")
    services = [ReferralService(code) for code in fields.pop("services", [])]
    if not services:
        raise ValidationError(_l("Choose at least one service."), "services")
    for name, value in fields.items():
        setattr(partner, name, value.strip() if isinstance(value, str) else value)
    partner.services = [s.value for s in services]
    db.session.add(partner)
    db.session.flush()
    audit.record("partner.saved", actor, partner)
    return partner


def refer(actor: User, beneficiary: Beneficiary, *, partner: Partner, service: ReferralService,
          reason: str, visit: Visit | None = None) -> Referral:
    """Propose a referral; refused without the beneficiary's consent to share with partners."""
    # The activity's region decides who follows the referral (the visit's, when there is one).
    scope = visit if visit is not None else beneficiary
    if not can(actor, Permission.REFERRAL_MANAGE, scope):
        raise ForbiddenError(_l("You may not refer this person."))
    if not beneficiary.has_consent(ConsentScope.SHARE_CNRM):
        raise ConflictError(_l("The beneficiary has not agreed to share data with CNRM "
                               "partners: record this consent first."))
    if not partner.active or service.value not in partner.services:
        raise ValidationError(_l("This partner does not offer this service."), "partner_id")
    if not (reason or "").strip():
        raise ValidationError(_l("Say why the person is referred."), "reason")
    referral = Referral(beneficiary_id=beneficiary.id, partner_id=partner.id, service=service,
                        reason=reason.strip(), visit_id=visit.id if visit else None,
                        application_id=visit.application_id if visit else None,
                        region_id=scope.region_id, created_by_id=actor.id)
    db.session.add(referral)
    db.session.flush()
    audit.record("referral.proposed", actor, referral,
                 details={"partner": partner.id, "service": service.value})
    return referral


def follow(actor: User, referral: Referral, status: ReferralStatus, note: str = "") -> Referral:
    """Record what became of a referral (accepted, done, refused, no follow-up)."""
    if not can(actor, Permission.REFERRAL_MANAGE, referral):
        raise ForbiddenError(_l("You may not follow this referral."))
    if status not in REFERRAL_TRANSITIONS[referral.status]:
        raise ConflictError(_l("A referral \"%(current)s\" cannot become \"%(new)s\".",
                               current=referral.status.label, new=status.label))
    previous = referral.status
    referral.status = status
    referral.outcome_note = (note or "").strip() or referral.outcome_note
    db.session.flush()
    audit.record("referral." + status.value, actor, referral,
                 details={"from": previous.value})
    return referral

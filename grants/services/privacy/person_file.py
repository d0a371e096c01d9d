"""A person's file: everything the system holds on one returnee, as plain data (JSON-ready), for
the JSON download and the French PDF. Producing it is audited."""

from datetime import date, datetime
from typing import Any

from grants.extensions import db
from grants.models import (
    Application,
    ApplicationEvent,
    ApplicationMember,
    ApplicationRevision,
    Attachment,
    AuditEvent,
    Beneficiary,
    BeneficiaryRestricted,
    Grant,
    OutboundMessage,
    PastDossier,
    Payment,
    Referral,
    SustainabilityScore,
    Tranche,
    User,
    Visit,
    VisitPhoto,
)
from grants.services import audit
from grants.services.intake.beneficiaries import PROFILE_FIELDS

# Audit actions that record a reading of confidential data about a person (or their visits).
CONFIDENTIAL_READINGS = ("beneficiary.restricted_read", "visit.survey_read")


def _plain(value: Any) -> Any:
    """A value as JSON writes it: dates in ISO form, enums as their codes."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, int | str | float):
        return value.value
    return value


def _row(obj: Any, names: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in names}


def _files(rows) -> list[dict[str, Any]]:
    return [_row(f, ("id", "display_name", "content_type", "size", "uploaded_at"))
            | ({"kind": f.kind.value} if hasattr(f, "kind") else {}) for f in rows]


def application_ids(person_id: int) -> list[int]:
    return list(db.session.scalars(db.select(ApplicationMember.application_id).where(
        ApplicationMember.beneficiary_id == person_id).order_by(ApplicationMember.application_id)))


def visit_ids(person_id: int) -> list[int]:
    return list(db.session.scalars(db.select(Visit.id).where(
        Visit.application_id.in_(application_ids(person_id))).order_by(Visit.id)))


def readings(person_id: int):
    """Every reading of the person's confidential data, newest first: a select to paginate."""
    visits = [str(i) for i in visit_ids(person_id)]
    return (db.select(AuditEvent).where(AuditEvent.action.in_(CONFIDENTIAL_READINGS), db.or_(
        db.and_(AuditEvent.object_type == "beneficiary", AuditEvent.object_id == str(person_id)),
        db.and_(AuditEvent.object_type == "visit", AuditEvent.object_id.in_(visits))))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))


def _dossier(app: Application, person_id: int) -> dict[str, Any]:
    share = next((m.share_percent for m in app.members if m.beneficiary_id == person_id), None)
    grant = db.session.scalar(db.select(Grant).where(Grant.application_id == app.id))
    payments = [] if grant is None else db.session.scalars(
        db.select(Payment).join(Tranche).where(Tranche.grant_id == grant.id)
        .order_by(Payment.id)).all()
    visits = db.session.scalars(db.select(Visit).where(Visit.application_id == app.id)
                                .order_by(Visit.id)).all()
    return {
        **_row(app, ("id", "reference", "status", "project_type", "title", "sector", "activity",
                     "cercle", "commune", "product_service", "customers_market", "competition",
                     "suppliers", "monthly_revenue", "monthly_costs", "training_needs",
                     "budget_total", "own_contribution", "own_contribution_details",
                     "requested_amount", "created_at", "submitted_at")),
        "role": "lead" if app.lead_id == person_id else "member", "share_percent": share,
        "history": [_row(e, ("at", "action", "from_status", "to_status", "comment"))
                    for e in db.session.scalars(db.select(ApplicationEvent).where(
                        ApplicationEvent.application_id == app.id).order_by(ApplicationEvent.id))],
        "versions": [_row(r, ("number", "at", "reason", "snapshot"))
                     for r in db.session.scalars(db.select(ApplicationRevision).where(
                         ApplicationRevision.application_id == app.id)
                         .order_by(ApplicationRevision.number))],
        "documents": _files(db.session.scalars(db.select(Attachment).where(
            Attachment.application_id == app.id).order_by(Attachment.id))),
        "agreement": None if grant is None else _row(
            grant, ("number", "status", "amount", "disbursed", "channel", "account", "signed_on")),
        "payments": [_row(p, ("id", "kind", "amount", "channel", "reference", "paid_on"))
                     for p in payments],
        "visits": [_visit(v) for v in visits],
    }


def _visit(visit: Visit) -> dict[str, Any]:
    score = db.session.scalar(db.select(SustainabilityScore).where(
        SustainabilityScore.visit_id == visit.id))
    return {
        **_row(visit, ("reference", "status", "due_on", "visited_on", "mode", "activity_status",
                       "monthly_revenue", "monthly_profit", "jobs_total", "observations",
                       "recommendation", "survey", "review_comment")),
        "photos": _files(db.session.scalars(db.select(VisitPhoto).where(
            VisitPhoto.visit_id == visit.id).order_by(VisitPhoto.id))),
        "score": None if score is None else _row(
            score, ("economic", "social", "psychosocial", "composite", "computed_at")),
    }


def collect(person: Beneficiary) -> dict[str, Any]:
    """Everything held on `person` (no audit: see produce())."""
    restricted = db.session.get(BeneficiaryRestricted, person.id)
    dossiers = db.session.scalars(db.select(Application).where(
        Application.id.in_(application_ids(person.id))).order_by(Application.id)).all()
    referrals = db.session.scalars(db.select(Referral).where(
        Referral.beneficiary_id == person.id).order_by(Referral.id)).all()
    account = db.session.get(User, person.user_id) if person.user_id else None
    readers = db.session.execute(
        db.select(AuditEvent.at, AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id,
                  User.full_name).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.id.in_(readings(person.id).with_only_columns(AuditEvent.id)))
        .order_by(AuditEvent.at, AuditEvent.id)).all()
    return {
        "produced_at": _plain(datetime.now().astimezone()),
        "identity": {**_row(person, ("code", "first_name", "last_name", *PROFILE_FIELDS,
                                     "verification_status", "verification_note", "created_at")),
                     "region": person.region.name if person.region else None},
        "account": None if account is None else _row(
            account, ("username", "phone", "active", "created_at", "last_login_at")),
        "consents": [_row(c, ("given_on", "notice_version", "scopes", "recorded_at",
                              "withdrawn_at", "withdrawal_reason")) for c in person.consents],
        "confidential": None if restricted is None else _row(
            restricted, ("vulnerabilities", "health_notes", "updated_at")),
        "documents": _files(db.session.scalars(db.select(Attachment).where(
            Attachment.beneficiary_id == person.id).order_by(Attachment.id))),
        "dossiers": [_dossier(app, person.id) for app in dossiers],
        "past_dossiers": [_row(p, ("programme", "year", "title", "sector", "outcome", "amount",
                                   "funded_on", "import_batch_id", "created_at"))
                          for p in db.session.scalars(db.select(PastDossier).where(
                              PastDossier.beneficiary_id == person.id).order_by(PastDossier.id))],
        "referrals": [{**_row(r, ("created_at", "service", "reason", "status", "outcome_note")),
                       "partner": r.partner.name} for r in referrals],
        "messages": [_row(m, ("created_at", "event", "language", "channel", "phone", "text",
                              "state", "sent_at", "delivered_at", "cancelled_at"))
                     for m in db.session.scalars(db.select(OutboundMessage).where(
                         OutboundMessage.beneficiary_id == person.id).order_by(
                         OutboundMessage.id))],
        "confidential_readings": [
            {"at": _plain(at), "action": action, "object": f"{kind}:{oid}", "by": name}
            for at, action, kind, oid, name in readers],
    }


def produce(actor: User, person: Beneficiary, file_format: str) -> dict[str, Any]:
    """The person's file, with the audit row that says who produced it, when, in what form."""
    data = collect(person)
    audit.record("privacy.file_produced", actor, person, details={"format": file_format})
    return data

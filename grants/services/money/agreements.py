"""Grant agreements (conventions): drafted from the committee's amount and split into tranches,
signed (the commitment of the envelope), cancelled (the unpaid part returns to the envelope).
Money moves through the transaction core of money/core.py (ARCHITECTURE.md, "Money")."""

from datetime import date
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from grants import events, formatting
from grants.database import rows_changed, utcnow
from grants.extensions import db
from grants.models import (
    Account,
    AgreementCopy,
    Application,
    BudgetEnvelope,
    Channel,
    Grant,
    GrantStatus,
    Tranche,
    TrancheCondition,
    TrancheStatus,
    User,
)
from grants.permissions import Permission
from grants.services import audit
from grants.services.amounts import parse_amount
from grants.services.errors import ConflictError, ValidationError
from grants.services.intake.applications import transition
from grants.services.money.core import (
    allow,
    claim_key,
    guarded,
    lock_agreement,
    mark_done,
    money_transaction,
    post_legs,
)
from grants.services.money.envelopes import commitment_refused
from grants.services.references import next_reference
from grants.workflow import ApplicationAction, ApplicationStatus


def split(amount: int, plan: list[int]) -> list[int]:
    """Whole francs per tranche from percentages; the remainder goes on the last tranche (P3)."""
    parts = [amount * percent // 100 for percent in plan[:-1]]
    parts.append(amount - sum(parts))
    if any(part <= 0 for part in parts):
        raise ValidationError(_l("The amount is too small for this tranche plan."), "amount")
    return parts


def check_channel(channel: Channel, tranches: list[int]) -> None:
    """A mobile-money wallet receives at most WALLET_CAP at once (each tranche)."""
    cap = current_app.config["WALLET_CAP"]
    if channel.is_wallet and max(tranches) > cap:
        raise ValidationError(_l(
            "A mobile-money wallet cannot receive more than %(cap)s at once: choose a bank "
            "transfer or a supplier payment, or split the grant into more tranches.",
            cap=formatting.money(cap)), "channel")


def granted_amount(application: Application) -> int:
    """What the committee granted (the amount requested unless it lowered it)."""
    from grants.models import Decision, SessionDossier

    decided = db.session.scalar(sa.select(SessionDossier).where(
        SessionDossier.application_id == application.id,
        SessionDossier.decision == Decision.SELECTED).order_by(SessionDossier.id.desc()))
    return decided.amount if decided else application.requested_amount


def prepare_agreement(actor: User, application: Application, *, amount: int, channel: Channel,
                      account: str) -> Grant:
    """Draft the agreement of a selected dossier with its tranches (not yet a commitment)."""
    allow(actor, Permission.GRANT_MANAGE, application)
    if application.status != ApplicationStatus.SELECTED:
        raise ConflictError(_l("Only a selected dossier gets an agreement."))
    if db.session.scalar(sa.select(Grant.id).where(Grant.application_id == application.id)):
        raise ConflictError(_l("This dossier already has an agreement."))
    amount = parse_amount(amount, "amount", allow_zero=False)
    if amount > granted_amount(application):
        raise ValidationError(_l("The agreement cannot exceed the amount granted (%(amount)s).",
                                 amount=formatting.money(granted_amount(application))), "amount")
    if not (account or "").strip():
        raise ValidationError(_l("Enter the account, wallet number or supplier."), "account")
    call = application.call
    if call.envelope.closed_at is not None:
        raise ConflictError(_l("The envelope is closed: no new agreement can be signed on it."))
    parts = split(amount, call.tranche_plan)
    check_channel(channel, parts)
    grant = Grant(number=next_reference("CV", call.opens_on.year), application_id=application.id,
                  envelope_id=call.envelope_id, amount=amount, channel=channel,
                  account=account.strip(), created_by_id=actor.id, status=GrantStatus.DRAFT)
    conditions = [TrancheCondition.SIGNATURE, TrancheCondition.FAVOURABLE_VISIT]
    grant.tranches = [Tranche(seq=n, amount=part,
                              condition=conditions[n - 1] if n <= 2 else TrancheCondition.PREVIOUS_PAID)
                      for n, part in enumerate(parts, start=1)]
    db.session.add(grant)
    db.session.flush()
    audit.record("grant.prepared", actor, grant, details={"amount": amount})
    events.agreement_prepared.send(grant, actor=actor)
    return grant


def sign_agreement(actor: User, grant_id: int, signed_on: date, key: str,
                   signed_copy: tuple[BinaryIO, str] | None = None) -> Grant:
    """Sign: commit the envelope (engagement), refused when it cannot cover the amount.
    `signed_copy` (stream, file name): the scan of the signed agreement, if already at hand."""
    money_transaction()
    if claim_key(key, "sign", actor):
        return db.session.get_one(Grant, grant_id)
    grant = db.session.get_one(Grant, grant_id)
    allow(actor, Permission.GRANT_MANAGE, grant.application)
    if grant.status != GrantStatus.DRAFT:
        raise ConflictError(_l("This agreement is already signed or cancelled."))
    if signed_on > date.today():
        raise ValidationError(_l("The signature date cannot be in the future."), "signed_on")
    commit = (sa.update(BudgetEnvelope)
              .where(BudgetEnvelope.id == grant.envelope_id, BudgetEnvelope.closed_at.is_(None),
                     BudgetEnvelope.committed + grant.amount <= BudgetEnvelope.total)
              .values(committed=BudgetEnvelope.committed + grant.amount))
    if rows_changed(db.session, commit) != 1:
        raise commitment_refused(grant.envelope_id)
    guarded(sa.update(Grant).where(Grant.id == grant.id, Grant.status == GrantStatus.DRAFT)
            .values(status=GrantStatus.SIGNED, signed_on=signed_on, signed_by_id=actor.id),
            _l("This agreement is already signed or cancelled."))
    guarded(sa.update(Tranche).where(Tranche.grant_id == grant.id, Tranche.seq == 1,
                                     Tranche.status == TrancheStatus.PLANNED)
            .values(status=TrancheStatus.ELIGIBLE), _l("The first tranche is not planned."))
    db.session.refresh(grant)
    post_legs("commitment", grant.envelope_id, actor,
              [(Account.COMMITTED, "D", grant.amount), (Account.AVAILABLE, "C", grant.amount)],
              grant_id=grant.id)
    application = grant.application
    transition(actor, application, ApplicationAction.SIGN_AGREEMENT, grant.number)
    mark_done(key, grant.id)
    audit.record("grant.signed", actor, grant, details={"amount": grant.amount})
    events.agreement_signed.send(grant, actor=actor)
    if signed_copy is not None:  # last: a refused file undoes the signature, no file is orphaned
        _store_signed_copy(actor, grant, *signed_copy)
    return grant


# --- the signed copy ----------------------------------------------------------------------

def attach_signed_copy(actor: User, grant_id: int, stream: BinaryIO, filename: str) -> AgreementCopy:
    """Add the scan of the signed agreement (PDF, JPEG or PNG, checked by content), at the
    signature or later. A new scan replaces it on the page; the earlier ones are kept, and the
    replacement is written to the audit log with both fingerprints."""
    grant = db.session.get_one(Grant, grant_id)
    allow(actor, Permission.GRANT_MANAGE, grant.application)
    if grant.status == GrantStatus.DRAFT:
        raise ConflictError(_l("Sign the agreement before adding its signed copy."))
    return _store_signed_copy(actor, grant, stream, filename)


def _store_signed_copy(actor: User, grant: Grant, stream: BinaryIO, filename: str) -> AgreementCopy:
    from grants.storage import save_upload

    previous = grant.signed_copy
    stored = save_upload(stream, filename)
    copy = AgreementCopy.recorded(stored, actor.id, grant_id=grant.id)
    db.session.add(copy)
    db.session.flush()
    details = {"copy": copy.id, "sha256": copy.sha256, "size": copy.size}
    if previous is not None:
        details.update(replaces=previous.id, previous_sha256=previous.sha256)
    audit.record("grant.signed_copy_replaced" if previous else "grant.signed_copy_added", actor,
                 grant, details=details)
    db.session.expire(grant, ["copies"])
    return copy


def cancel_grant(actor: User, grant_id: int, reason: str, key: str) -> Grant:
    """Cancel a signed agreement: its unpaid part returns to the envelope."""
    money_transaction()
    if claim_key(key, "cancel", actor):
        return db.session.get_one(Grant, grant_id)
    grant = db.session.get_one(Grant, grant_id)
    if not (reason or "").strip():
        raise ValidationError(_l("Say why the agreement is cancelled."), "reason")
    if grant.status != GrantStatus.SIGNED:
        raise ConflictError(_l("Only a signed agreement can be cancelled."))
    if any(t.status == TrancheStatus.ORDERED for t in grant.tranches):
        raise ConflictError(_l("A payment is ordered: pay or withdraw it first."))
    lock_agreement(grant.id)  # an order racing the cancellation waits, or is waited for
    unpaid = grant.amount - grant.disbursed
    ordered = sa.exists(sa.select(Tranche.id).where(Tranche.grant_id == grant.id,
                                                    Tranche.status == TrancheStatus.ORDERED))
    guarded(sa.update(Grant).where(Grant.id == grant.id, Grant.status == GrantStatus.SIGNED,
                                   Grant.disbursed == grant.disbursed, ~ordered)
            .values(status=GrantStatus.CANCELLED, cancelled_at=utcnow(),
                    cancel_reason=reason.strip()), _l("This agreement has changed meanwhile."))
    if unpaid:
        guarded(sa.update(BudgetEnvelope)
                .where(BudgetEnvelope.id == grant.envelope_id,
                       BudgetEnvelope.committed - unpaid >= BudgetEnvelope.disbursed)
                .values(committed=BudgetEnvelope.committed - unpaid),
                _l("The envelope's accounts do not allow this release."))
        post_legs("release", grant.envelope_id, actor,
                  [(Account.AVAILABLE, "D", unpaid), (Account.COMMITTED, "C", unpaid)],
                  grant_id=grant.id)
    db.session.execute(sa.update(Tranche).where(Tranche.grant_id == grant.id,
                                                Tranche.status.in_([TrancheStatus.PLANNED,
                                                                    TrancheStatus.ELIGIBLE]))
                       .values(status=TrancheStatus.CANCELLED))
    db.session.refresh(grant)
    application = grant.application
    transition(actor, application, ApplicationAction.CANCEL, reason.strip())
    mark_done(key, grant.id)
    audit.record("grant.cancelled", actor, grant, details={"released": unpaid})
    events.agreement_cancelled.send(grant, actor=actor, reason=reason.strip())
    return grant

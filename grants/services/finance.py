"""The finance services: the only code that moves money (DESIGN.md §4).

Every movement runs in one transaction: validate; claim the idempotency key (a UNIQUE constraint
decides a race); guarded single-statement UPDATEs that must each change exactly one row (never
"read, check in Python, then write"); balanced ledger legs; an audit row. On SQLite the
transaction begins with BEGIN IMMEDIATE. Ledger and payment rows are never updated or deleted."""

import uuid
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from grants.database import begin_immediate, utcnow
from grants.extensions import db
from grants.models import (
    Account,
    Application,
    BudgetEnvelope,
    Channel,
    Grant,
    GrantStatus,
    LedgerEntry,
    MoneyAction,
    Payment,
    PaymentKind,
    Tranche,
    TrancheCondition,
    TrancheStatus,
    User,
)
from grants.permissions import Permission, can
from grants.services import audit
from grants.services.errors import ConflictError, DomainError, ForbiddenError, ValidationError
from grants.services.money import parse_amount
from grants.services.references import next_reference
from grants.workflow import ApplicationAction, ApplicationStatus


class EnvelopeExhausted(ConflictError):
    """The envelope cannot cover the amount."""


# --- the transaction ----------------------------------------------------------------------

def money_transaction() -> None:
    """Start the money operation in a transaction of its own. On SQLite it begins with BEGIN
    IMMEDIATE, which takes the write lock first (two officers clicking at once queue up)."""
    if db.session.new or db.session.dirty or db.session.deleted:
        raise RuntimeError("a money operation must start with nothing pending in the session")
    db.session.rollback()  # end the request's read transaction; objects reload when used
    if db.engine.dialect.name == "sqlite":
        begin_immediate.set(True)


def _guarded(statement, message) -> None:
    """Run a guarded UPDATE; it must change exactly one row, or nothing moves."""
    if db.session.execute(statement).rowcount != 1:
        raise message if isinstance(message, DomainError) else ConflictError(message)


def _post(kind: str, envelope_id: int, actor: User | None, legs: list[tuple[Account, str, int]],
          grant_id: int | None = None, payment_id: int | None = None) -> str:
    """Write the balanced legs of one operation: Σ debits = Σ credits (P5)."""
    debit = sum(amount for _account, side, amount in legs if side == "D")
    credit = sum(amount for _account, side, amount in legs if side == "C")
    if debit != credit or debit <= 0:
        raise RuntimeError(f"unbalanced {kind}: {debit} D / {credit} C")
    operation = str(uuid.uuid4())
    for account, side, amount in legs:
        db.session.add(LedgerEntry(operation=operation, kind=kind, envelope_id=envelope_id,
                                   grant_id=grant_id, payment_id=payment_id, account=account,
                                   side=side, amount=amount, actor_id=actor.id if actor else None))
    db.session.flush()
    return operation


def _allow(actor: User, permission: Permission, application: Application) -> None:
    if not can(actor, permission, application):
        raise ForbiddenError(_l("You may not do this operation."))


def _claim(key: str | None, action: str, actor: User) -> MoneyAction | None:
    """Claim an idempotency key. Returns the earlier action when the key was already used."""
    if not key or len(key) > 64:
        raise ValidationError(_l("This form has expired: reload the page."), "key")
    earlier = db.session.get(MoneyAction, key)
    if earlier is not None:
        return earlier
    try:
        with db.session.begin_nested():
            db.session.add(MoneyAction(key=key, action=action, object_id=0, actor_id=actor.id))
    except IntegrityError:  # a concurrent request claimed it first
        return db.session.get(MoneyAction, key)
    return None


def _done(key: str, object_id: int) -> None:
    db.session.execute(sa.update(MoneyAction).where(MoneyAction.key == key)
                       .values(object_id=object_id))


# --- envelopes ----------------------------------------------------------------------------

def set_envelope_total(actor: User, envelope: BudgetEnvelope, total: int) -> None:
    """The appropriation of an envelope; lowering it below what is committed is refused."""
    total = parse_amount(total, "total", allow_zero=False)
    delta = total - envelope.total if envelope.id else total
    if envelope.id is None:
        envelope.total = total
        db.session.add(envelope)
        db.session.flush()
    elif delta:
        _guarded(sa.update(BudgetEnvelope).where(BudgetEnvelope.id == envelope.id,
                                                 BudgetEnvelope.total == total - delta,
                                                 BudgetEnvelope.committed <= total)
                 .values(total=total),
                 ValidationError(_l("The total cannot be below what is already committed."),
                                 "total"))
        db.session.refresh(envelope)
    if delta > 0:
        _post("appropriation", envelope.id, actor,
              [(Account.AVAILABLE, "D", delta), (Account.APPROPRIATION, "C", delta)])
    elif delta < 0:
        _post("appropriation", envelope.id, actor,
              [(Account.APPROPRIATION, "D", -delta), (Account.AVAILABLE, "C", -delta)])


def close_envelope(actor: User, envelope: BudgetEnvelope) -> None:
    _guarded(sa.update(BudgetEnvelope).where(BudgetEnvelope.id == envelope.id,
                                             BudgetEnvelope.closed_at.is_(None))
             .values(closed_at=utcnow()), _l("This envelope is already closed."))
    audit.record("envelope.closed", actor, envelope)


# --- agreements ---------------------------------------------------------------------------

def split(amount: int, plan: list[int]) -> list[int]:
    """Whole francs per tranche from percentages; the remainder goes on the last tranche (P3)."""
    parts = [amount * percent // 100 for percent in plan[:-1]]
    parts.append(amount - sum(parts))
    if any(part <= 0 for part in parts):
        raise ValidationError(_l("The amount is too small for this tranche plan."), "amount")
    return parts


def _check_channel(channel: Channel, tranches: list[int]) -> None:
    cap = current_app.config["WALLET_CAP"]
    if channel.is_wallet and max(tranches) > cap:
        raise ValidationError(_l(
            "A mobile-money wallet cannot receive more than %(cap)s at once: choose a bank "
            "transfer or a supplier payment, or split the grant into more tranches.",
            cap=_money(cap)), "channel")


def _money(amount: int) -> str:
    from grants.formatting import money

    return money(amount)


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
    _allow(actor, Permission.GRANT_MANAGE, application)
    if application.status != ApplicationStatus.SELECTED:
        raise ConflictError(_l("Only a selected dossier gets an agreement."))
    if db.session.scalar(sa.select(Grant.id).where(Grant.application_id == application.id)):
        raise ConflictError(_l("This dossier already has an agreement."))
    amount = parse_amount(amount, "amount", allow_zero=False)
    if amount > granted_amount(application):
        raise ValidationError(_l("The agreement cannot exceed the amount granted (%(amount)s).",
                                 amount=_money(granted_amount(application))), "amount")
    if not (account or "").strip():
        raise ValidationError(_l("Enter the account, wallet number or supplier."), "account")
    call = application.call
    parts = split(amount, call.tranche_plan)
    _check_channel(channel, parts)
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
    return grant


def sign_agreement(actor: User, grant_id: int, signed_on: date, key: str) -> Grant:
    """Sign: commit the envelope (engagement), refused when it cannot cover the amount."""
    from grants.services.applications import transition

    money_transaction()
    if _claim(key, "sign", actor):
        return db.session.get(Grant, grant_id)
    grant = db.session.get(Grant, grant_id)
    _allow(actor, Permission.GRANT_MANAGE, db.session.get(Application, grant.application_id))
    if grant.status != GrantStatus.DRAFT:
        raise ConflictError(_l("This agreement is already signed or cancelled."))
    if signed_on > date.today():
        raise ValidationError(_l("The signature date cannot be in the future."), "signed_on")
    _guarded(sa.update(BudgetEnvelope)
             .where(BudgetEnvelope.id == grant.envelope_id, BudgetEnvelope.closed_at.is_(None),
                    BudgetEnvelope.committed + grant.amount <= BudgetEnvelope.total)
             .values(committed=BudgetEnvelope.committed + grant.amount),
             EnvelopeExhausted(_l("The envelope cannot cover this agreement.")))
    _guarded(sa.update(Grant).where(Grant.id == grant.id, Grant.status == GrantStatus.DRAFT)
             .values(status=GrantStatus.SIGNED, signed_on=signed_on, signed_by_id=actor.id),
             _l("This agreement is already signed or cancelled."))
    _guarded(sa.update(Tranche).where(Tranche.grant_id == grant.id, Tranche.seq == 1,
                                      Tranche.status == TrancheStatus.PLANNED)
             .values(status=TrancheStatus.ELIGIBLE), _l("The first tranche is not planned."))
    db.session.refresh(grant)
    _post("commitment", grant.envelope_id, actor,
          [(Account.COMMITTED, "D", grant.amount), (Account.AVAILABLE, "C", grant.amount)],
          grant_id=grant.id)
    application = db.session.get(Application, grant.application_id)
    transition(application, ApplicationAction.SIGN_AGREEMENT, actor, grant.number)
    _done(key, grant.id)
    audit.record("grant.signed", actor, grant, details={"amount": grant.amount})
    return grant


# --- tranches and payments ----------------------------------------------------------------

def order_payment(actor: User, tranche_id: int, key: str, channel: Channel | None = None) -> Tranche:
    """The payment order (ordonnancement) of a due tranche, by a finance officer."""
    money_transaction()
    if _claim(key, "order", actor):
        return db.session.get(Tranche, tranche_id)
    tranche = db.session.get(Tranche, tranche_id)
    grant = tranche.grant
    _allow(actor, Permission.GRANT_MANAGE, db.session.get(Application, grant.application_id))
    channel = channel or grant.channel
    _check_channel(channel, [tranche.amount])
    if grant.status != GrantStatus.SIGNED:
        raise ConflictError(_l("The agreement is not signed."))
    number = next_reference("OP", date.today().year)
    _guarded(sa.update(Tranche).where(Tranche.id == tranche.id,
                                      Tranche.status == TrancheStatus.ELIGIBLE,
                                      _earlier_all_paid(tranche), _grant_signed(grant))
             .values(status=TrancheStatus.ORDERED, ordered_by_id=actor.id, ordered_at=utcnow(),
                     order_number=number, channel=channel),
             _l("This tranche is not due for payment."))
    db.session.refresh(tranche)
    _done(key, tranche.id)
    audit.record("tranche.ordered", actor, tranche, details={"amount": tranche.amount,
                                                             "order": number})
    return tranche


def pay_tranche(actor: User, tranche_id: int, key: str, reference: str,
                paid_on: date | None = None) -> Payment:
    """The payment (by the accountant, never the officer who ordered it) of an ordered tranche."""
    from grants.services.applications import transition

    money_transaction()
    earlier = db.session.scalar(sa.select(Payment).where(Payment.idempotency_key == key))
    if earlier is not None:
        return earlier  # a replay: the first result, nothing more
    tranche = db.session.get(Tranche, tranche_id)
    grant = tranche.grant
    _allow(actor, Permission.PAYMENT_EXECUTE, db.session.get(Application, grant.application_id))
    if tranche.status != TrancheStatus.ORDERED:
        raise ConflictError(_l("This tranche is not ordered for payment."))
    if tranche.ordered_by_id == actor.id:
        raise ForbiddenError(_l("The officer who ordered a payment cannot pay it."))
    if not (reference or "").strip():
        raise ValidationError(_l("Enter the payment reference."), "reference")
    paid_on = paid_on or date.today()
    if paid_on > date.today() or (grant.signed_on and paid_on < grant.signed_on):
        raise ValidationError(_l("The payment date must be between the signature and today."),
                              "paid_on")
    payment = Payment(tranche_id=tranche.id, kind=PaymentKind.PAYMENT, amount=tranche.amount,
                      idempotency_key=key, maker_id=tranche.ordered_by_id, checker_id=actor.id,
                      channel=tranche.channel, reference=reference.strip(), paid_on=paid_on)
    try:
        with db.session.begin_nested():
            db.session.add(payment)
    except IntegrityError:  # the same key, a moment earlier
        return db.session.scalar(sa.select(Payment).where(Payment.idempotency_key == key))
    _move(tranche, grant, tranche.amount, TrancheStatus.ORDERED, TrancheStatus.PAID)
    _post("payment", grant.envelope_id, actor,
          [(Account.SPENT, "D", tranche.amount), (Account.COMMITTED, "C", tranche.amount),
           (Account.ADVANCES, "D", tranche.amount), (Account.TREASURY, "C", tranche.amount)],
          grant_id=grant.id, payment_id=payment.id)
    following = next((t for t in grant.tranches if t.seq == tranche.seq + 1), None)
    if following is not None and following.condition == TrancheCondition.PREVIOUS_PAID:
        _make_eligible(following)
    if tranche.seq == 1:  # the follow-up visits count from the first payment
        from grants.services.visits import plan_visits

        plan_visits(grant, paid_on, actor)
    application = db.session.get(Application, grant.application_id)
    if application.status == ApplicationStatus.AGREEMENT_SIGNED:
        transition(application, ApplicationAction.START_DISBURSEMENT, actor, grant.number)
    audit.record("tranche.paid", actor, tranche, details={"amount": tranche.amount,
                                                          "payment": payment.id})
    return payment


def _earlier_all_paid(tranche: Tranche):
    """SQL condition: every tranche before this one is paid (P6), checked in the UPDATE itself."""
    earlier = sa.orm.aliased(Tranche)
    return ~sa.exists(sa.select(earlier.id).where(
        earlier.grant_id == tranche.grant_id, earlier.seq < tranche.seq,
        earlier.status != TrancheStatus.PAID))


def _grant_signed(grant: Grant):
    return sa.exists(sa.select(Grant.id).where(Grant.id == grant.id,
                                               Grant.status == GrantStatus.SIGNED))


def _move(tranche: Tranche, grant: Grant, amount: int, source: TrancheStatus,
          target: TrancheStatus) -> None:
    """Move `amount` (negative for a reversal) from committed to disbursed, guarded."""
    order_kept = _earlier_all_paid(tranche) if amount > 0 else sa.true()
    _guarded(sa.update(Tranche).where(Tranche.id == tranche.id, Tranche.status == source,
                                      order_kept)
             .values(status=target), _l("This tranche has changed meanwhile."))
    _guarded(sa.update(BudgetEnvelope)
             .where(BudgetEnvelope.id == grant.envelope_id,
                    BudgetEnvelope.disbursed + amount <= BudgetEnvelope.committed,
                    BudgetEnvelope.disbursed + amount >= 0)
             .values(disbursed=BudgetEnvelope.disbursed + amount),
             _l("The envelope cannot cover this payment."))
    _guarded(sa.update(Grant)
             .where(Grant.id == grant.id, Grant.status == GrantStatus.SIGNED,
                    Grant.disbursed + amount <= Grant.amount, Grant.disbursed + amount >= 0)
             .values(disbursed=Grant.disbursed + amount),
             _l("The agreement cannot take this payment."))
    db.session.refresh(tranche)
    db.session.refresh(grant)


def _make_eligible(tranche: Tranche) -> None:
    db.session.execute(sa.update(Tranche).where(Tranche.id == tranche.id,
                                                Tranche.status == TrancheStatus.PLANNED)
                       .values(status=TrancheStatus.ELIGIBLE))


def favourable_visit(actor: User, tranche_id: int, visit_reference: str) -> Tranche:
    """The condition of a tranche gated by a follow-up visit is met: it becomes due, once the
    tranches before it are paid (P6). Called by the follow-up services, never by a form."""
    tranche = db.session.get(Tranche, tranche_id)
    if tranche.condition != TrancheCondition.FAVOURABLE_VISIT:
        raise ConflictError(_l("This tranche does not wait for a visit."))
    if tranche.grant.status != GrantStatus.SIGNED:
        raise ConflictError(_l("The agreement is not signed."))
    earlier = [t for t in tranche.grant.tranches if t.seq < tranche.seq]
    if any(t.status != TrancheStatus.PAID for t in earlier):
        raise ConflictError(_l("The tranches before it are not paid yet."))
    _guarded(sa.update(Tranche).where(Tranche.id == tranche.id,
                                      Tranche.status == TrancheStatus.PLANNED)
             .values(status=TrancheStatus.ELIGIBLE), _l("This tranche is not waiting."))
    db.session.refresh(tranche)
    audit.record("tranche.condition_met", actor, tranche, details={"visit": visit_reference})
    return tranche


def reverse_payment(actor: User, payment_id: int, reason: str, key: str) -> Payment:
    """A correction: mirror entries, and the tranche is due again."""
    money_transaction()
    earlier = db.session.scalar(sa.select(Payment).where(Payment.idempotency_key == key))
    if earlier is not None:
        return earlier
    original = db.session.get(Payment, payment_id)
    _allow(actor, Permission.PAYMENT_EXECUTE,
           db.session.get(Application, original.tranche.grant.application_id))
    if original.kind != PaymentKind.PAYMENT:
        raise ConflictError(_l("A reversal cannot be reversed."))
    if not (reason or "").strip():
        raise ValidationError(_l("Say why the payment is reversed."), "reason")
    tranche = original.tranche
    grant = tranche.grant
    later = [t for t in grant.tranches if t.seq > tranche.seq
             and t.status in (TrancheStatus.PAID, TrancheStatus.ORDERED)]
    if later:
        raise ConflictError(_l("Reverse the later tranches first."))
    reversal = Payment(tranche_id=tranche.id, kind=PaymentKind.REVERSAL, amount=original.amount,
                       idempotency_key=key, maker_id=original.maker_id, checker_id=actor.id,
                       reverses_payment_id=original.id, channel=original.channel,
                       reference=reason.strip()[:80], paid_on=date.today())
    try:
        with db.session.begin_nested():
            db.session.add(reversal)
    except IntegrityError:
        raise ConflictError(_l("This payment is already reversed.")) from None
    _move(tranche, grant, -original.amount, TrancheStatus.PAID, TrancheStatus.ELIGIBLE)
    _post("reversal", grant.envelope_id, actor,
          [(Account.COMMITTED, "D", original.amount), (Account.SPENT, "C", original.amount),
           (Account.TREASURY, "D", original.amount), (Account.ADVANCES, "C", original.amount)],
          grant_id=grant.id, payment_id=reversal.id)
    audit.record("payment.reversed", actor, tranche, details={"payment": original.id})
    return reversal


def cancel_grant(actor: User, grant_id: int, reason: str, key: str) -> Grant:
    """Cancel a signed agreement: its unpaid part returns to the envelope."""
    from grants.services.applications import transition

    money_transaction()
    if _claim(key, "cancel", actor):
        return db.session.get(Grant, grant_id)
    grant = db.session.get(Grant, grant_id)
    if not (reason or "").strip():
        raise ValidationError(_l("Say why the agreement is cancelled."), "reason")
    if grant.status != GrantStatus.SIGNED:
        raise ConflictError(_l("Only a signed agreement can be cancelled."))
    if any(t.status == TrancheStatus.ORDERED for t in grant.tranches):
        raise ConflictError(_l("A payment is ordered: pay or withdraw it first."))
    unpaid = grant.amount - grant.disbursed
    ordered = sa.exists(sa.select(Tranche.id).where(Tranche.grant_id == grant.id,
                                                    Tranche.status == TrancheStatus.ORDERED))
    _guarded(sa.update(Grant).where(Grant.id == grant.id, Grant.status == GrantStatus.SIGNED,
                                    Grant.disbursed == grant.disbursed, ~ordered)
             .values(status=GrantStatus.CANCELLED, cancelled_at=utcnow(),
                     cancel_reason=reason.strip()), _l("This agreement has changed meanwhile."))
    if unpaid:
        _guarded(sa.update(BudgetEnvelope)
                 .where(BudgetEnvelope.id == grant.envelope_id,
                        BudgetEnvelope.committed - unpaid >= BudgetEnvelope.disbursed)
                 .values(committed=BudgetEnvelope.committed - unpaid),
                 _l("The envelope's accounts do not allow this release."))
        _post("release", grant.envelope_id, actor,
              [(Account.AVAILABLE, "D", unpaid), (Account.COMMITTED, "C", unpaid)],
              grant_id=grant.id)
    db.session.execute(sa.update(Tranche).where(Tranche.grant_id == grant.id,
                                                Tranche.status.in_([TrancheStatus.PLANNED,
                                                                    TrancheStatus.ELIGIBLE]))
                       .values(status=TrancheStatus.CANCELLED))
    db.session.refresh(grant)
    application = db.session.get(Application, grant.application_id)
    transition(application, ApplicationAction.CANCEL, actor, reason.strip())
    _done(key, grant.id)
    audit.record("grant.cancelled", actor, grant, details={"released": unpaid})
    return grant

"""Tranche payments: the payment order (ordonnancement) by a finance officer, the payment by an
accountant (never the officer who ordered it), reversals, and tranches made due by a favourable
follow-up visit. Money moves through the transaction core of money/core.py (ARCHITECTURE.md, "Money")."""

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from grants import events
from grants.database import rows_changed, utcnow
from grants.extensions import db
from grants.models import (
    Account,
    BatchLine,
    BatchStatus,
    BudgetEnvelope,
    Channel,
    Grant,
    GrantStatus,
    LineResult,
    Payment,
    PaymentBatch,
    PaymentKind,
    Tranche,
    TrancheCondition,
    TrancheStatus,
    User,
    Visit,
)
from grants.permissions import Permission, can
from grants.services import audit
from grants.services.errors import ConflictError, ForbiddenError, ValidationError
from grants.services.intake.applications import transition
from grants.services.money.agreements import check_channel
from grants.services.money.core import (
    allow,
    claim_key,
    guarded,
    lock_agreement,
    mark_done,
    money_transaction,
    post_legs,
)
from grants.services.references import next_reference
from grants.workflow import ApplicationAction, ApplicationStatus, VisitStatus


def order_payment(actor: User, tranche_id: int, key: str, channel: Channel | None = None) -> Tranche:
    """The payment order (ordonnancement) of a due tranche, by a finance officer."""
    money_transaction()
    if claim_key(key, "order", actor):
        return db.session.get_one(Tranche, tranche_id)
    tranche = db.session.get_one(Tranche, tranche_id)
    grant = tranche.grant
    allow(actor, Permission.GRANT_MANAGE, grant.application)
    channel = channel or grant.channel
    check_channel(channel, [tranche.amount])
    if grant.status != GrantStatus.SIGNED:
        raise ConflictError(_l("The agreement is not signed."))
    lock_agreement(grant.id)  # a reversal of an earlier tranche waits, or is waited for
    number = next_reference("OP", date.today().year)
    guarded(sa.update(Tranche).where(Tranche.id == tranche.id,
                                     Tranche.status == TrancheStatus.ELIGIBLE,
                                     _earlier_all_paid(tranche))
            .values(status=TrancheStatus.ORDERED, ordered_by_id=actor.id, ordered_at=utcnow(),
                    order_number=number, channel=channel),
            _l("This tranche is not due for payment."))
    db.session.refresh(tranche)
    mark_done(key, tranche.id)
    audit.record("tranche.ordered", actor, tranche, details={"amount": tranche.amount,
                                                             "order": number})
    return tranche


def pay_tranche(actor: User, tranche_id: int, key: str, reference: str,
                paid_on: date | None = None) -> Payment:
    """The payment (by the accountant, never the officer who ordered it) of an ordered tranche,
    on its own: refused while the tranche waits in an open mobile-money batch."""
    money_transaction()
    return pay_ordered(actor, tranche_id, key, reference, paid_on)


def pay_ordered(actor: User, tranche_id: int, key: str, reference: str,
                paid_on: date | None = None, batch_line_id: int | None = None) -> Payment:
    """The payment, inside a money transaction already begun: on its own, or as the line
    `batch_line_id` of the operator's result file (services/batches.py)."""
    earlier = db.session.scalar(sa.select(Payment).where(Payment.idempotency_key == key))
    if earlier is not None:
        return earlier  # a replay: the first result, nothing more
    tranche = db.session.get_one(Tranche, tranche_id)
    grant = tranche.grant
    allow(actor, Permission.PAYMENT_EXECUTE, grant.application)
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
    lock_agreement(grant.id)
    payment = Payment(tranche_id=tranche.id, kind=PaymentKind.PAYMENT, amount=tranche.amount,
                      idempotency_key=key, maker_id=tranche.ordered_by_id, checker_id=actor.id,
                      channel=tranche.channel, reference=reference.strip(), paid_on=paid_on)
    try:
        with db.session.begin_nested():
            db.session.add(payment)
    except IntegrityError:  # the same key, a moment earlier: its payment is there
        return db.session.scalars(sa.select(Payment).where(Payment.idempotency_key == key)).one()
    _move(tranche, grant, tranche.amount, TrancheStatus.ORDERED, TrancheStatus.PAID,
          batch_line_id)
    post_legs("payment", grant.envelope_id, actor,
              [(Account.SPENT, "D", tranche.amount), (Account.COMMITTED, "C", tranche.amount),
               (Account.ADVANCES, "D", tranche.amount), (Account.TREASURY, "C", tranche.amount)],
              grant_id=grant.id, payment_id=payment.id)
    following = next((t for t in grant.tranches if t.seq == tranche.seq + 1), None)
    if following is not None and following.condition == TrancheCondition.PREVIOUS_PAID:
        _make_eligible(following)
    application = grant.application
    if application.status == ApplicationStatus.AGREEMENT_SIGNED:
        transition(actor, application, ApplicationAction.START_DISBURSEMENT, grant.number)
    audit.record("tranche.paid", actor, tranche, details={"amount": tranche.amount,
                                                          "payment": payment.id})
    events.tranche_paid.send(tranche, actor=actor, payment=payment)
    return payment


def _earlier_all_paid(tranche: Tranche):
    """SQL condition: every tranche before this one is paid (P6), checked in the UPDATE itself."""
    earlier = sa.orm.aliased(Tranche)
    return ~sa.exists(sa.select(earlier.id).where(
        earlier.grant_id == tranche.grant_id, earlier.seq < tranche.seq,
        earlier.status != TrancheStatus.PAID))


def _later_none_ordered(tranche: Tranche):
    """SQL condition: no tranche after this one is ordered or paid (a reversal undoes the last
    step first)."""
    later = sa.orm.aliased(Tranche)
    return ~sa.exists(sa.select(later.id).where(
        later.grant_id == tranche.grant_id, later.seq > tranche.seq,
        later.status.in_([TrancheStatus.ORDERED, TrancheStatus.PAID])))


def open_batch_lines(tranche_id=None):
    """The lines still waiting in an open batch (of one tranche): their tranches belong to that
    batch, and are paid through its result file only."""
    query = (sa.select(BatchLine.id).join(PaymentBatch)
             .where(BatchLine.result == LineResult.PENDING,
                    PaymentBatch.status.in_([s for s in BatchStatus if s.is_open])))
    return query if tranche_id is None else query.where(BatchLine.tranche_id == tranche_id)


def _outside_open_batches(tranche: Tranche, batch_line_id: int | None):
    """SQL condition: the tranche waits in no open batch (but the line being applied)."""
    return ~sa.exists(open_batch_lines(tranche.id).where(BatchLine.id != (batch_line_id or 0)))


def _move(tranche: Tranche, grant: Grant, amount: int, source: TrancheStatus,
          target: TrancheStatus, batch_line_id: int | None = None) -> None:
    """Move `amount` (negative for a reversal) from committed to disbursed, guarded. The caller
    holds the agreement's row (lock_agreement): the tranche conditions read committed state."""
    order_kept = _earlier_all_paid(tranche) if amount > 0 else _later_none_ordered(tranche)
    moved = rows_changed(db.session, sa.update(Tranche).where(
        Tranche.id == tranche.id, Tranche.status == source, order_kept,
        _outside_open_batches(tranche, batch_line_id)).values(status=target))
    if moved != 1:
        raise _tranche_refused(tranche, amount, batch_line_id)
    guarded(sa.update(BudgetEnvelope)
            .where(BudgetEnvelope.id == grant.envelope_id,
                   BudgetEnvelope.disbursed + amount <= BudgetEnvelope.committed,
                   BudgetEnvelope.disbursed + amount >= 0)
            .values(disbursed=BudgetEnvelope.disbursed + amount),
            _l("The envelope cannot cover this payment."))
    guarded(sa.update(Grant)
            .where(Grant.id == grant.id, Grant.status == GrantStatus.SIGNED,
                   Grant.disbursed + amount <= Grant.amount, Grant.disbursed + amount >= 0)
            .values(disbursed=Grant.disbursed + amount),
            _l("The agreement cannot take this payment."))
    db.session.refresh(tranche)
    db.session.refresh(grant)


def _tranche_refused(tranche: Tranche, amount: int, batch_line_id: int | None) -> ConflictError:
    """Why the guarded UPDATE of a tranche changed nothing: read after the refusal, only to word
    the message (nothing moves)."""
    batch = db.session.scalar(sa.select(PaymentBatch).join(BatchLine).where(
        BatchLine.id.in_(open_batch_lines(tranche.id)), BatchLine.id != (batch_line_id or 0)))
    if batch is not None:
        return ConflictError(_l("This tranche waits in the payment batch %(batch)s: it is paid "
                                "through that batch, unless it is removed from it first.",
                                batch=batch.reference))
    condition = _earlier_all_paid(tranche) if amount > 0 else _later_none_ordered(tranche)
    if not db.session.scalar(sa.select(condition)):
        return ConflictError(_l("The tranches before it are not paid yet.") if amount > 0
                             else _l("Reverse the later tranches first."))
    return ConflictError(_l("This tranche has changed meanwhile."))


def _make_eligible(tranche: Tranche) -> None:
    db.session.execute(sa.update(Tranche).where(Tranche.id == tranche.id,
                                                Tranche.status == TrancheStatus.PLANNED)
                       .values(status=TrancheStatus.ELIGIBLE))


def favourable_visit(actor: User, tranche_id: int, visit_id: int) -> Tranche:
    """The condition of a tranche gated by a follow-up visit is met: it becomes due, once the
    tranches before it are paid (P6). Only a validated visit that decides this tranche with a
    favourable recommendation meets it, and only a supervisor of that visit may say so; the
    follow-up services call this when the visit is validated, never a form."""
    tranche = db.session.get_one(Tranche, tranche_id)
    if tranche.condition != TrancheCondition.FAVOURABLE_VISIT:
        raise ConflictError(_l("This tranche does not wait for a visit."))
    visit = db.session.get(Visit, visit_id)
    if (visit is None or visit.gates_tranche_id != tranche.id
            or visit.status != VisitStatus.VALIDATED or visit.recommendation is None
            or not visit.recommendation.releases):
        raise ConflictError(_l("No validated favourable visit decides this tranche."))
    if not can(actor, Permission.VISIT_SUPERVISE, visit):
        raise ForbiddenError(_l("Only a supervisor of the visit releases the tranche."))
    if tranche.grant.status != GrantStatus.SIGNED:
        raise ConflictError(_l("The agreement is not signed."))
    earlier = [t for t in tranche.grant.tranches if t.seq < tranche.seq]
    if any(t.status != TrancheStatus.PAID for t in earlier):
        raise ConflictError(_l("The tranches before it are not paid yet."))
    guarded(sa.update(Tranche).where(Tranche.id == tranche.id,
                                     Tranche.status == TrancheStatus.PLANNED)
            .values(status=TrancheStatus.ELIGIBLE), _l("This tranche is not waiting."))
    db.session.refresh(tranche)
    audit.record("tranche.condition_met", actor, tranche, details={"visit": visit.reference})
    return tranche


@events.visit_validated.connect
def _release_the_tranche_it_decides(visit: Visit, actor: User, **_) -> None:
    """A validated visit whose recommendation lets the money go makes the tranche it decides
    due; otherwise the tranche stays blocked and the agreement page shows the visit as why."""
    tranche = visit.gates_tranche
    if (tranche is not None and visit.recommendation is not None
            and visit.recommendation.releases and tranche.status == TrancheStatus.PLANNED):
        favourable_visit(actor, tranche.id, visit.id)


def reverse_payment(actor: User, payment_id: int, reason: str, key: str) -> Payment:
    """A correction: mirror entries, and the tranche is due again."""
    money_transaction()
    earlier = db.session.scalar(sa.select(Payment).where(Payment.idempotency_key == key))
    if earlier is not None:
        return earlier
    original = db.session.get_one(Payment, payment_id)
    allow(actor, Permission.PAYMENT_EXECUTE,
          original.tranche.grant.application)
    if original.kind != PaymentKind.PAYMENT:
        raise ConflictError(_l("A reversal cannot be reversed."))
    if not (reason or "").strip():
        raise ValidationError(_l("Say why the payment is reversed."), "reason")
    tranche = original.tranche
    grant = tranche.grant
    # Who is who on a reversal (a decision, not an accident): the maker stays the officer who
    # ordered the payment, since the reversal corrects that order's payment record; the checker
    # is the accountant who reverses it. That accountant may be the one who paid: correcting
    # one's own payment record needs no second accountant. The officer who ordered it may not
    # reverse it (a person holding both roles), as the CHECK maker_id <> checker_id also says.
    if actor.id == original.maker_id:
        raise ForbiddenError(_l("The officer who ordered a payment cannot reverse it."))
    lock_agreement(grant.id)  # an order of a later tranche waits, or is waited for
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
    post_legs("reversal", grant.envelope_id, actor,
              [(Account.COMMITTED, "D", original.amount), (Account.SPENT, "C", original.amount),
               (Account.TREASURY, "D", original.amount), (Account.ADVANCES, "C", original.amount)],
              grant_id=grant.id, payment_id=reversal.id)
    audit.record("payment.reversed", actor, tranche, details={"payment": original.id})
    events.payment_reversed.send(tranche, actor=actor, reversal=reversal, original=original)
    return reversal

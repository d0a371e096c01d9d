"""The money transaction core and the envelopes (DESIGN.md §4).

Only the finance services move money: this module (the transaction, guarded updates, ledger
postings, idempotency keys; envelope appropriations and closing), services/agreements.py (drafts,
signatures that commit the envelope, cancellations, the signed copy) and services/payments.py
(payment orders, payments, reversals, tranches made due by a follow-up visit).

Every movement runs in one transaction: validate; claim the idempotency key (a UNIQUE constraint
decides a race); guarded single-statement UPDATEs that must each change exactly one row (never
"read, check in Python, then write"); balanced ledger legs; an audit row. On SQLite the
transaction begins with BEGIN IMMEDIATE. Ledger and payment rows are never updated or deleted."""

import uuid

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from grants.database import begin_immediate, end_read_transaction, utcnow
from grants.extensions import db
from grants.models import (
    Account,
    Application,
    BudgetEnvelope,
    Grant,
    GrantStatus,
    LedgerEntry,
    MoneyAction,
    User,
)
from grants.permissions import Permission, can
from grants.services import audit
from grants.services.errors import ConflictError, DomainError, ForbiddenError, ValidationError
from grants.services.money import parse_amount


class EnvelopeExhausted(ConflictError):
    """The envelope cannot cover the amount."""


class EnvelopeClosed(ConflictError):
    """The envelope is closed: nothing new is committed on it."""


def __getattr__(name: str):
    """`from grants.services.finance import favourable_visit` keeps working (the follow-up
    services call it); it lives in services/payments.py, imported on first use to avoid a cycle."""
    if name == "favourable_visit":
        from grants.services.payments import favourable_visit

        return favourable_visit
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- the transaction ----------------------------------------------------------------------

def money_transaction() -> None:
    """Start the money operation in a transaction of its own. On SQLite it begins with BEGIN
    IMMEDIATE, which takes the write lock first (two officers clicking at once queue up)."""
    end_read_transaction(db.session)  # objects reload when used
    if db.engine.dialect.name == "sqlite":
        begin_immediate.set(True)


def _guarded(statement, message) -> None:
    """Run a guarded UPDATE; it must change exactly one row, or nothing moves."""
    if db.session.execute(statement).rowcount != 1:
        raise message if isinstance(message, DomainError) else ConflictError(message)


def lock_agreement(grant_id: int) -> None:
    """Take the agreement's row first, with a guarded UPDATE that changes no value but must find
    it signed. Every operation on its tranches (order, payment, reversal, batching,
    cancellation) starts here, so they run one after the other: on PostgreSQL the row lock makes
    the second wait, and its later statements see what the first committed (READ COMMITTED
    takes a new snapshot per statement); on SQLite BEGIN IMMEDIATE already serialises them."""
    _guarded(sa.update(Grant).where(Grant.id == grant_id, Grant.status == GrantStatus.SIGNED)
             .values(disbursed=Grant.disbursed),
             _l("This agreement is not in force: it is not signed, or it was cancelled."))


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


def _allow(actor: User, permission: Permission, application: Application | None = None) -> None:
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


def _money(amount: int) -> str:
    from grants.formatting import money

    return money(amount)


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
    """Close the envelope for good: no new agreement is signed on it (the signature's guarded
    UPDATE checks it); the agreements already signed are paid as usual."""
    _allow(actor, Permission.PROGRAMME_MANAGE)
    _guarded(sa.update(BudgetEnvelope).where(BudgetEnvelope.id == envelope.id,
                                             BudgetEnvelope.closed_at.is_(None))
             .values(closed_at=utcnow()), _l("This envelope is already closed."))
    db.session.refresh(envelope)
    audit.record("envelope.closed", actor, envelope, details={
        "total": envelope.total, "committed": envelope.committed,
        "disbursed": envelope.disbursed})


def commitment_refused(envelope_id: int) -> ConflictError:
    """Why a guarded commitment changed no row of the envelope: it is closed, or it cannot cover
    the amount. Read after the refusal, only to word the message (nothing moves)."""
    closed = db.session.scalar(sa.select(BudgetEnvelope.closed_at)
                               .where(BudgetEnvelope.id == envelope_id))
    if closed is not None:
        return EnvelopeClosed(_l("The envelope is closed: no new agreement can be signed on it."))
    return EnvelopeExhausted(_l("The envelope cannot cover this agreement."))

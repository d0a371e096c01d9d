"""The money transaction core (ARCHITECTURE.md, "Money"): the one place that says how money moves.

Every money service (envelopes.py, agreements.py, payments.py, batches.py) runs each movement
through these functions, in one transaction: `money_transaction()` begins it (BEGIN IMMEDIATE on
SQLite); `allow()` checks the permission; `claim_key()` claims the idempotency key (a UNIQUE
constraint decides a race); `guarded()` runs single-statement UPDATEs that must each change
exactly one row (never "read, check in Python, then write"); `lock_agreement()` serialises the
operations on one agreement's tranches; `post_legs()` writes balanced ledger legs. Ledger and
payment rows are never updated or deleted."""


import uuid

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from grants.database import exclusive_transaction, rows_changed
from grants.extensions import db
from grants.models import (
    Account,
    Application,
    Grant,
    GrantStatus,
    LedgerEntry,
    MoneyAction,
    User,
)
from grants.permissions import Permission, can
from grants.services.errors import ConflictError, DomainError, ForbiddenError, ValidationError


def money_transaction() -> None:
    """Start the money operation in a transaction of its own (BEGIN IMMEDIATE on SQLite)."""
    exclusive_transaction(db.session)


def guarded(statement: sa.Update, message: LazyString | str | DomainError) -> None:
    """Run a guarded UPDATE; it must change exactly one row, or nothing moves."""
    if rows_changed(db.session, statement) != 1:
        raise message if isinstance(message, DomainError) else ConflictError(message)


def lock_agreement(grant_id: int) -> None:
    """Take the agreement's row first, with a guarded UPDATE that changes no value but must find
    it signed. Every operation on its tranches (order, payment, reversal, batching,
    cancellation) starts here, so they run one after the other: on PostgreSQL the row lock makes
    the second wait, and its later statements see what the first committed (READ COMMITTED
    takes a new snapshot per statement); on SQLite BEGIN IMMEDIATE already serialises them."""
    guarded(sa.update(Grant).where(Grant.id == grant_id, Grant.status == GrantStatus.SIGNED)
            .values(disbursed=Grant.disbursed),
            _l("This agreement is not in force: it is not signed, or it was cancelled."))


def post_legs(kind: str, envelope_id: int, actor: User | None, legs: list[tuple[Account, str, int]],
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


def allow(actor: User, permission: Permission, application: Application | None = None) -> None:
    """Refuse an actor without the permission (on this dossier's scope)."""
    if not can(actor, permission, application):
        raise ForbiddenError(_l("You may not do this operation."))


def claim_key(key: str | None, action: str, actor: User) -> MoneyAction | None:
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


def mark_done(key: str, object_id: int) -> None:
    """Record what the claimed key produced (a replay returns it)."""
    db.session.execute(sa.update(MoneyAction).where(MoneyAction.key == key)
                       .values(object_id=object_id))

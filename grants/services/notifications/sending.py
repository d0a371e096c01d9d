"""The sending job's work: the SMS that are due, one at a time, through the configured gateway;
a refused message is tried again later, each time later (BACKOFF), and failed after
SMS_MAX_ATTEMPTS; one the operator rejects for good (MessageRejected) is failed at once.
Messages for the call list are never sent: an agent calls."""

from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa

from grants.database import rows_changed, utcnow
from grants.extensions import db
from grants.models import ContactChannel, MessageState, OutboundMessage
from grants.services.notifications.gateways import Gateway, GatewayError, MessageRejected

# The wait after the 1st, 2nd… refusal; the last one repeats.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15),
           timedelta(hours=1), timedelta(hours=4))


# A message being sent is not due again before this (longer than any gateway's timeout).
SENDING_LEASE = timedelta(minutes=10)


def backoff(attempts: int) -> timedelta:
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


def due_ids(now: datetime, limit: int = 100) -> list[int]:
    return list(db.session.scalars(sa.select(OutboundMessage.id).where(
        OutboundMessage.state == MessageState.QUEUED,
        OutboundMessage.channel == ContactChannel.SMS,
        OutboundMessage.next_attempt_at <= now).order_by(OutboundMessage.id).limit(limit)))


def send_one(message_id: int, gateway: Gateway, now: datetime, max_attempts: int,
             commit: Callable[[], None] | None = None) -> bool:
    """Send one due message (still queued: an opt-out may have cancelled it meanwhile);
    True when the gateway took it. The message is claimed first (committed by `commit`), so
    that no transaction, and on SQLite no write lock, is held while the operator answers; then
    its outcome is recorded (flushed: the caller commits)."""
    claimed = _claim(message_id, now)
    if claimed is None:
        return False  # cancelled by an opt-out, or taken by another worker, meanwhile
    phone, text, attempts = claimed
    if not phone:  # erased with the profile: nowhere to send it
        _record(message_id, state=MessageState.FAILED, next_attempt_at=None,
                error="no phone number")
        return False
    if commit is not None:
        commit()
    try:
        gateway_id = gateway.send(phone, text, str(message_id))
    except GatewayError as error:
        if isinstance(error, MessageRejected) or attempts >= max_attempts:
            _record(message_id, state=MessageState.FAILED, next_attempt_at=None,
                    error=str(error)[:300])
        else:
            _record(message_id, next_attempt_at=now + backoff(attempts), error=str(error)[:300])
        return False
    # Sent, even if an opt-out came while the operator answered: the message has left.
    _record(message_id, state=MessageState.SENT, sent_at=now, next_attempt_at=None,
            gateway_id=gateway_id, error=None)
    return True


def _claim(message_id: int, now: datetime) -> tuple[str | None, str, int] | None:
    """Queued and due -> one more attempt, not due again before SENDING_LEASE (if the worker
    dies during the call, the message is tried again then); its phone, text and attempts."""
    claimed = rows_changed(db.session, sa.update(OutboundMessage).where(
        OutboundMessage.id == message_id, OutboundMessage.state == MessageState.QUEUED,
        OutboundMessage.next_attempt_at <= now).values(
        attempts=OutboundMessage.attempts + 1, next_attempt_at=now + SENDING_LEASE))
    if not claimed:
        return None
    row = db.session.execute(sa.select(OutboundMessage.phone, OutboundMessage.text,
                                       OutboundMessage.attempts)
                             .where(OutboundMessage.id == message_id)).one()
    return row.phone, row.text, row.attempts


def _record(message_id: int, **values) -> None:
    db.session.execute(sa.update(OutboundMessage).where(OutboundMessage.id == message_id)
                       .values(**values))
    db.session.flush()
    db.session.expire_all()  # objects of the caller read the outcome again


def send_due(gateway: Gateway, max_attempts: int, now: datetime | None = None,
             commit=None) -> tuple[int, int]:
    """Send everything due; (sent, refused). `commit` is called after each message."""
    now = now or utcnow()
    sent = refused = 0
    while batch := due_ids(now):  # each message leaves the due ones, sent or not
        for message_id in batch:
            if send_one(message_id, gateway, now, max_attempts, commit):
                sent += 1
            else:
                refused += 1
            if commit is not None:
                commit()
    return sent, refused

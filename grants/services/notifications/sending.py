"""The sending job's work: the SMS that are due, one at a time, through the configured gateway;
a refused message is tried again later, each time later (BACKOFF), and failed after
SMS_MAX_ATTEMPTS; one the operator rejects for good (MessageRejected) is failed at once.
Messages for the call list are never sent: an agent calls."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from grants.database import utcnow
from grants.extensions import db
from grants.models import ContactChannel, MessageState, OutboundMessage
from grants.services.notifications.gateways import Gateway, GatewayError, MessageRejected

# The wait after the 1st, 2nd… refusal; the last one repeats.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15),
           timedelta(hours=1), timedelta(hours=4))


def backoff(attempts: int) -> timedelta:
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


def due_ids(now: datetime, limit: int = 100) -> list[int]:
    return list(db.session.scalars(sa.select(OutboundMessage.id).where(
        OutboundMessage.state == MessageState.QUEUED,
        OutboundMessage.channel == ContactChannel.SMS,
        OutboundMessage.next_attempt_at <= now).order_by(OutboundMessage.id).limit(limit)))


def send_one(message_id: int, gateway: Gateway, now: datetime, max_attempts: int) -> bool:
    """Send one due message (still queued: an opt-out may have cancelled it meanwhile);
    True when the gateway took it. Flushes; the caller commits each message."""
    message = db.session.get_one(OutboundMessage, message_id, with_for_update=True)
    if message.state is not MessageState.QUEUED:
        return False  # cancelled by an opt-out meanwhile
    if not message.phone:  # erased with the profile: nowhere to send it
        message.state, message.next_attempt_at, message.error = (
            MessageState.FAILED, None, "no phone number")
        db.session.flush()
        return False
    message.attempts += 1
    try:
        message.gateway_id = gateway.send(message.phone, message.text, str(message.id))
    except GatewayError as error:
        message.error = str(error)[:300]
        if isinstance(error, MessageRejected) or message.attempts >= max_attempts:
            message.state, message.next_attempt_at = MessageState.FAILED, None
        else:
            message.next_attempt_at = now + backoff(message.attempts)
        db.session.flush()
        return False
    message.state, message.sent_at, message.next_attempt_at = MessageState.SENT, now, None
    message.error = None
    db.session.flush()
    return True


def send_due(gateway: Gateway, max_attempts: int, now: datetime | None = None,
             commit=None) -> tuple[int, int]:
    """Send everything due; (sent, refused). `commit` is called after each message."""
    now = now or utcnow()
    sent = refused = 0
    while batch := due_ids(now):  # each message leaves the due ones, sent or not
        for message_id in batch:
            if send_one(message_id, gateway, now, max_attempts):
                sent += 1
            else:
                refused += 1
            if commit is not None:
                commit()
    return sent, refused

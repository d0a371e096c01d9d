"""Delivery receipts: the operator tells, by a callback to our address, what became of a message
it took. Its callbackData is our message's id (orange.py asks for it with each message).

A receipt moves a sent message to delivered or failed, once: one guarded UPDATE, so that a
receipt sent twice, late, or for a message already settled changes nothing. A receipt in
between ("DeliveredToNetwork", "MessageWaiting"…) leaves the message sent."""

from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa

from grants.database import rows_changed, utcnow
from grants.extensions import db
from grants.models import MessageState, OutboundMessage

# The OneAPI delivery statuses the Orange API sends, and what each settles.
SETTLES = {"DeliveredToTerminal": MessageState.DELIVERED,
           "DeliveryImpossible": MessageState.FAILED}
PENDING = {"DeliveredToNetwork", "MessageWaiting", "DeliveryUncertain",
           "DeliveryNotificationNotSupported"}
LARGEST_ID = 2**63 - 1


class Outcome(StrEnum):
    SETTLED = "settled"  # the message's state changed
    UNCHANGED = "unchanged"  # already settled, or a status in between
    UNKNOWN = "unknown"  # no message of ours has this id (erased since, or not ours)


@dataclass(frozen=True)
class Receipt:
    reference: str  # the callbackData
    status: str  # the deliveryStatus


def parse(body: object) -> Receipt | None:
    """The receipt in an operator's JSON body, or None when it is not one."""
    notification = body.get("deliveryInfoNotification") if isinstance(body, dict) else None
    if not isinstance(notification, dict):
        return None
    info = notification.get("deliveryInfo")
    reference, status = notification.get("callbackData"), (
        info.get("deliveryStatus") if isinstance(info, dict) else None)
    if not isinstance(reference, str | int) or isinstance(reference, bool) \
            or not isinstance(status, str) or status not in SETTLES.keys() | PENDING:
        return None
    return Receipt(str(reference)[:40], status)


def record(receipt: Receipt) -> Outcome:
    """Apply one receipt. Flushes; the caller commits."""
    message_id = int(receipt.reference) if receipt.reference.isascii() and \
        receipt.reference.isdigit() else None
    if message_id is None or message_id > LARGEST_ID or db.session.get(
            OutboundMessage, message_id) is None:
        return Outcome.UNKNOWN
    settled = SETTLES.get(receipt.status)
    if settled is None:
        return Outcome.UNCHANGED
    values: dict = {"state": settled}
    if settled is MessageState.DELIVERED:
        values["delivered_at"] = utcnow()
    else:
        values["error"] = f"receipt: {receipt.status}"
    changed = rows_changed(db.session, sa.update(OutboundMessage).where(
        OutboundMessage.id == message_id, OutboundMessage.state == MessageState.SENT,
        OutboundMessage.gateway_id.is_not(None)).values(**values))
    return Outcome.SETTLED if changed == 1 else Outcome.UNCHANGED


def receipt_url(public_url: str, secret: str) -> str:
    """Where the operator sends receipts: our callback route, the secret in its path."""
    return f"{public_url.rstrip('/')}/messages/accuses-reception/{secret}"

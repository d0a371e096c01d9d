"""The outbox: a message is queued in the transaction of the event that caused it, once per
idempotency key, only for a returnee who gave the "follow-up contact" consent and has a phone
number; it waits there for the sending job (SMS) or for a call by an intake agent (CALL).
A withdrawn consent cancels everything still queued."""

from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from grants.database import rows_changed, utcnow
from grants.extensions import db
from grants.models import (
    Application,
    Beneficiary,
    ContactChannel,
    ContactPreference,
    MessageEvent,
    MessageState,
    OutboundMessage,
    User,
)
from grants.permissions import Permission, can, region_scope
from grants.services import audit
from grants.services.errors import ConflictError, ForbiddenError, ValidationError
from grants.services.notifications import segments, templates
from grants.vocabulary import ConsentScope


def money_text(amount: int) -> str:
    """1 500 000 F CFA: plain spaces, which GSM-7 has (the pages' narrow spaces it has not)."""
    return f"{amount:,}".replace(",", " ") + " F CFA"


def date_text(day: date | datetime | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def preference(person: Beneficiary) -> tuple[str, ContactChannel]:
    chosen = db.session.get(ContactPreference, person.id)
    return (chosen.language, chosen.channel) if chosen else ("fr", ContactChannel.SMS)


def may_contact(person: Beneficiary) -> bool:
    return person.has_consent(ConsentScope.FOLLOW_UP) and bool(person.phone)


def compose(event: MessageEvent, language: str, values: dict[str, str]) -> str:
    text = templates.render(templates.body_for(event, language), values)
    return segments.to_gsm7(text) if current_app.config["SMS_TO_GSM7"] else text


def queue(person: Beneficiary, event: MessageEvent, key: str, values: dict[str, str],
          application: Application | None = None) -> OutboundMessage | None:
    """Queue the message of `event` for `person`; None when they may not be contacted or the
    key was used already (a replayed step)."""
    if not may_contact(person):
        return None
    if db.session.scalar(sa.select(OutboundMessage.id)
                         .where(OutboundMessage.idempotency_key == key)) is not None:
        return None
    language, channel = preference(person)
    text = compose(event, language, {"first_name": person.first_name, "code": person.code,
                                     **values})
    message = OutboundMessage(
        idempotency_key=key, beneficiary_id=person.id, region_id=person.region_id,
        application_id=application.id if application else None, event=event,
        language=language, channel=channel, phone=person.phone, text=text,
        segments=segments.count_segments(text).count, state=MessageState.QUEUED,
        next_attempt_at=utcnow() if channel is ContactChannel.SMS else None)
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:  # the same key a moment earlier, in another transaction
        return None
    return message


def cancel_queued(person_id: int) -> int:
    """Cancel every message still waiting for this person (their consent is gone)."""
    return rows_changed(db.session, sa.update(OutboundMessage).where(
        OutboundMessage.beneficiary_id == person_id,
        OutboundMessage.state == MessageState.QUEUED).values(
        state=MessageState.CANCELLED, cancelled_at=utcnow(), next_attempt_at=None))


def set_preference(actor: User, person: Beneficiary, language: str,
                   channel: ContactChannel) -> ContactPreference:
    if not can(actor, Permission.BENEFICIARY_EDIT, person):
        raise ForbiddenError(_l("You may not do this operation."))
    if language not in current_app.config["MESSAGE_LANGUAGES"]:
        raise ValidationError(_l("Choose a language from the list."), "language")
    chosen = db.session.get(ContactPreference, person.id)
    if chosen is None:
        chosen = ContactPreference(beneficiary_id=person.id)
        db.session.add(chosen)
    chosen.language, chosen.channel = language, channel
    db.session.flush()
    audit.record("contact_preference.saved", actor, person,
                 details={"language": language, "channel": channel.value})
    return chosen


def calls_to_make(user: User) -> sa.Select:
    """The messages waiting on `user`'s call list: people who chose to be called, in the regions
    the user serves (the list and the home page's to-do count the same rows)."""
    query = sa.select(OutboundMessage).where(OutboundMessage.channel == ContactChannel.CALL,
                                             OutboundMessage.state == MessageState.QUEUED)
    regions = region_scope(user, Permission.MESSAGES_CALL)
    if regions is not None:
        query = query.where(OutboundMessage.region_id.in_(regions))
    return query


def mark_called(actor: User, message_id: int) -> OutboundMessage:
    """An intake agent called the returnee and told them the message."""
    message = db.session.get_one(OutboundMessage, message_id)
    if not can(actor, Permission.MESSAGES_CALL, message):
        raise ForbiddenError(_l("You may not do this operation."))
    changed = rows_changed(db.session, sa.update(OutboundMessage).where(
        OutboundMessage.id == message_id, OutboundMessage.channel == ContactChannel.CALL,
        OutboundMessage.state == MessageState.QUEUED).values(
        state=MessageState.DELIVERED, called_by_id=actor.id, called_at=utcnow(),
        delivered_at=utcnow()))
    if changed != 1:
        raise ConflictError(_l("This call is already done or cancelled."))
    db.session.refresh(message)
    audit.record("message.called", actor, message.beneficiary)
    return message


def monthly_counts(months: int = 12) -> list[tuple[str, int, int]]:
    """(yyyy-mm, messages, segments) of the SMS sent or delivered, newest month first."""
    month = sa.func.substr(sa.cast(OutboundMessage.sent_at, sa.String), 1, 7)
    rows = db.session.execute(
        sa.select(month, sa.func.count(), sa.func.sum(OutboundMessage.segments))
        .where(OutboundMessage.channel == ContactChannel.SMS,
               OutboundMessage.sent_at.is_not(None))
        .group_by(month).order_by(month.desc()).limit(months)).all()
    return [(m, int(n), int(s or 0)) for m, n, s in rows]

"""Staff reminders: each staff member's choice of a daily digest (none, SMS or e-mail) and their
quiet hours, and the digest's way out: an SMS through the outbox (like the returnees' messages,
sent by the same job) or an e-mail (email.py). A digest tells counts only, never a returnee's
name or data."""

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from grants.database import utcnow
from grants.extensions import db
from grants.models import (
    ContactChannel,
    DigestChannel,
    MessageEvent,
    MessageState,
    OutboundMessage,
    ReminderPreference,
    User,
)
from grants.services import audit
from grants.services.errors import ValidationError
from grants.services.notifications import segments


def preference_of(user: User) -> ReminderPreference:
    """The user's choice; none recorded: no digest, no quiet hours (not added to the session)."""
    return db.session.get(ReminderPreference, user.id) or ReminderPreference(
        user_id=user.id, digest=DigestChannel.NONE)


def save_preference(actor: User, digest: DigestChannel, quiet_start: int | None,
                    quiet_end: int | None) -> ReminderPreference:
    """One's own digest choice. SMS needs a phone number on the account, e-mail an address."""
    if digest is DigestChannel.SMS and not actor.phone:
        raise ValidationError(_l("Your account has no phone number: ask an administrator to add "
                                 "it, or choose another way."), "digest")
    if digest is DigestChannel.EMAIL and not actor.email:
        raise ValidationError(_l("Your account has no e-mail address: ask an administrator to "
                                 "add it, or choose another way."), "digest")
    for name, hour in (("quiet_start", quiet_start), ("quiet_end", quiet_end)):
        if hour is not None and not 0 <= hour <= 23:
            raise ValidationError(_l("Choose an hour from the list."), name)
    if (quiet_start is None) != (quiet_end is None):
        raise ValidationError(_l("Give both the start and the end of your quiet hours, or "
                                 "neither."), "quiet_end" if quiet_end is None else "quiet_start")
    if quiet_start is not None and quiet_start == quiet_end:
        raise ValidationError(_l("Quiet hours must end at another hour than they start."),
                              "quiet_end")
    chosen = db.session.get(ReminderPreference, actor.id)
    if chosen is None:
        chosen = ReminderPreference(user_id=actor.id)
        db.session.add(chosen)
    chosen.digest, chosen.quiet_start, chosen.quiet_end = digest, quiet_start, quiet_end
    db.session.flush()
    audit.record("reminder_preference.saved", actor, actor,
                 details={"digest": digest.value, "quiet": [quiet_start, quiet_end]})
    return chosen


def due_digests(today: date) -> list[ReminderPreference]:
    """Those who chose a digest and have not had today's, active accounts only."""
    return list(db.session.scalars(
        sa.select(ReminderPreference).join(User, User.id == ReminderPreference.user_id)
        .where(ReminderPreference.digest != DigestChannel.NONE, User.active.is_(True),
               sa.or_(ReminderPreference.last_digest_on.is_(None),
                      ReminderPreference.last_digest_on < today))
        .order_by(ReminderPreference.user_id)))


def queue_digest_sms(user: User, text: str, day: date) -> OutboundMessage | None:
    """The digest as an SMS in the outbox, once per user and day (None: already queued)."""
    key = f"staff_digest:{user.id}:{day.isoformat()}"
    if db.session.scalar(sa.select(OutboundMessage.id)
                         .where(OutboundMessage.idempotency_key == key)) is not None:
        return None
    text = segments.to_gsm7(text)
    message = OutboundMessage(
        idempotency_key=key, user_id=user.id, event=MessageEvent.STAFF_DIGEST,
        language=user.locale or "fr", channel=ContactChannel.SMS, phone=user.phone, text=text,
        segments=segments.count_segments(text).count, state=MessageState.QUEUED,
        next_attempt_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:  # the same digest a moment earlier, in another transaction
        return None
    return message

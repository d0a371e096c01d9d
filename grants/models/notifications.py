"""Messages to returnees (issue 14): each one's contact preference, the editable templates per
event and language, and the outbox, where every message waits for the sending job or, for those
who asked to be called, for an intake agent of their region."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.database import UTCDateTime, enum_type, utcnow
from grants.extensions import Model
from grants.models.accounts import User
from grants.models.applications import Application
from grants.models.beneficiaries import Beneficiary
from grants.vocabulary import LabelledEnum


class ContactChannel(LabelledEnum):
    SMS = "sms", _l("Text message (SMS)")
    CALL = "call", _l("To be called by staff")


class MessageState(LabelledEnum):
    QUEUED = "queued", _l("Queued")
    SENT = "sent", _l("Sent")
    DELIVERED = "delivered", _l("Delivered")
    FAILED = "failed", _l("Failed")
    CANCELLED = "cancelled", _l("Cancelled")

    @property
    def is_queued(self) -> bool:
        return self is MessageState.QUEUED


class MessageEvent(LabelledEnum):
    """What happened to the returnee, as the message tells it (the template's key)."""

    REGISTERED = "registered", _l("Registration done")
    SUBMITTED = "submitted", _l("Dossier submitted")
    INCOMPLETE = "incomplete", _l("Dossier incomplete")
    ELIGIBLE = "eligible", _l("Dossier eligible")
    INELIGIBLE = "ineligible", _l("Dossier not eligible")
    SELECTED = "selected", _l("Selected by the committee")
    WAITLISTED = "waitlisted", _l("On the waiting list")
    NOT_SELECTED = "not_selected", _l("Not selected")
    AGREEMENT_READY = "agreement_ready", _l("Agreement ready to sign")
    TRANCHE_PAID = "tranche_paid", _l("Tranche paid")
    VISIT_RESULT = "visit_result", _l("Visit result")
    # A staff member's daily digest of their reminders (counts only, no returnee's data): not a
    # template an administrator edits, its text is written in the staff member's language.
    STAFF_DIGEST = "staff_digest", _l("Staff reminders")

    @property
    def is_for_returnee(self) -> bool:
        return self is not MessageEvent.STAFF_DIGEST


class DigestChannel(LabelledEnum):
    """How a staff member gets the daily digest of their reminders."""

    NONE = "none", _l("No digest")
    SMS = "sms", _l("Text message (SMS)")
    EMAIL = "email", _l("E-mail")

    @property
    def is_chosen(self) -> bool:
        return self is not DigestChannel.NONE


class ContactPreference(Model):
    """How a returnee wants to hear from the programme; none recorded: SMS in French."""

    __tablename__ = "contact_preference"

    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiary.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), default="fr")  # a template language
    channel: Mapped[ContactChannel] = mapped_column(enum_type(ContactChannel, 8),
                                                    default=ContactChannel.SMS)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MessageTemplate(Model):
    """An administrator's text for one event in one language (the shipped text otherwise)."""

    __tablename__ = "message_template"
    __table_args__ = (sa.UniqueConstraint("event", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[MessageEvent] = mapped_column(enum_type(MessageEvent, 24))
    language: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(String(480))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReminderPreference(Model):
    """A staff member's choice of a daily digest of their reminders, and their quiet hours
    (whole hours, Bamako time; start after end spans midnight). None recorded: no digest."""

    __tablename__ = "reminder_preference"
    __table_args__ = (
        sa.CheckConstraint("quiet_start BETWEEN 0 AND 23 AND quiet_end BETWEEN 0 AND 23",
                           name="quiet_hours"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    digest: Mapped[DigestChannel] = mapped_column(enum_type(DigestChannel, 8),
                                                  default=DigestChannel.NONE)
    quiet_start: Mapped[int | None] = mapped_column(sa.SmallInteger)
    quiet_end: Mapped[int | None] = mapped_column(sa.SmallInteger)
    last_digest_on: Mapped[date | None] = mapped_column(sa.Date)  # the day of the last one sent
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def is_quiet_at(self, hour: int) -> bool:
        if self.quiet_start is None or self.quiet_end is None or self.quiet_start == self.quiet_end:
            return False
        if self.quiet_start < self.quiet_end:
            return self.quiet_start <= hour < self.quiet_end
        return hour >= self.quiet_start or hour < self.quiet_end  # over midnight


class OutboundMessage(Model):
    """One message to one returnee about one event: queued in the transaction of the event,
    sent later by the job (or put on the call list). The idempotency key (event and object)
    makes a replayed step queue nothing new. A staff member's digest goes the same way, to
    `user_id` instead of a returnee."""

    __tablename__ = "outbound_message"
    __table_args__ = (sa.CheckConstraint("beneficiary_id IS NOT NULL OR user_id IS NOT NULL",
                                         name="has_recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    beneficiary_id: Mapped[int | None] = mapped_column(
        ForeignKey("beneficiary.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(  # a staff member's digest
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)  # the scope
    event: Mapped[MessageEvent] = mapped_column(enum_type(MessageEvent, 24))
    language: Mapped[str] = mapped_column(String(8))
    channel: Mapped[ContactChannel] = mapped_column(enum_type(ContactChannel, 8))
    phone: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(1000))
    segments: Mapped[int] = mapped_column(default=1)
    state: Mapped[MessageState] = mapped_column(enum_type(MessageState, 16),
                                                default=MessageState.QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    gateway_id: Mapped[str | None] = mapped_column(String(100))
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    called_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    beneficiary: Mapped[Beneficiary | None] = relationship()
    application: Mapped[Application | None] = relationship()
    called_by: Mapped[User | None] = relationship(foreign_keys=[called_by_id])

    @property
    def is_call(self) -> bool:
        return self.channel is ContactChannel.CALL

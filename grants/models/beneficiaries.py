"""The returnee registry: identity, return profile, consent, restricted data, duplicate checks."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.database import UTCDateTime, enum_type, utcnow
from grants.extensions import Model
from grants.models.accounts import User
from grants.models.reference import Region
from grants.vocabulary import (
    BeneficiaryCategory,
    ConsentScope,
    Education,
    IdType,
    ReturnMode,
    Sex,
    VerificationStatus,
)


class Beneficiary(Model):
    __tablename__ = "beneficiary"
    __table_args__ = (sa.CheckConstraint("household_size >= 0", name="household_size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # ML-2026-000123
    # Identity (kept even when processing consent is refused, to prove the refusal)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str] = mapped_column(String(170), index=True)  # accent-free, for duplicates
    # Everything below stays empty without processing consent.
    sex: Mapped[Sex | None] = mapped_column(enum_type(Sex, 1))
    birth_date: Mapped[date | None]
    birth_date_estimated: Mapped[bool] = mapped_column(default=False)
    id_type: Mapped[IdType | None] = mapped_column(enum_type(IdType, 20))
    id_number: Mapped[str | None] = mapped_column(String(40))
    id_number_key: Mapped[str | None] = mapped_column(String(40), index=True)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    cercle: Mapped[str | None] = mapped_column(String(80))
    commune: Mapped[str | None] = mapped_column(String(80))
    address: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[BeneficiaryCategory | None] = mapped_column(enum_type(BeneficiaryCategory))
    return_country: Mapped[str | None] = mapped_column(String(80))
    return_date: Mapped[date | None]
    return_mode: Mapped[ReturnMode | None] = mapped_column(enum_type(ReturnMode))
    iom_case_number: Mapped[str | None] = mapped_column(String(40))
    education: Mapped[Education | None] = mapped_column(enum_type(Education, 16))
    skills: Mapped[str | None] = mapped_column(Text)
    skills_abroad: Mapped[str | None] = mapped_column(Text)
    household_size: Mapped[int | None]
    verification_status: Mapped[VerificationStatus] = mapped_column(
        enum_type(VerificationStatus, 24), default=VerificationStatus.UNVERIFIED)
    verification_note: Mapped[str | None] = mapped_column(String(300))  # why rejected / flagged
    # The applicant account of this person, for self-service (phone + password).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    client_token: Mapped[str | None] = mapped_column(String(36), unique=True)  # double-submit guard
    # The import batch that created the record (its undo removes it while it is unused).
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batch.id", ondelete="SET NULL"), index=True)

    region: Mapped[Region | None] = relationship(lazy="joined")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    consents: Mapped[list["Consent"]] = relationship(
        back_populates="beneficiary", order_by="Consent.id", lazy="selectin")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def current_consent(self) -> "Consent | None":
        live = [c for c in self.consents if c.withdrawn_at is None]
        return live[-1] if live else None

    @property
    def needs_consent(self) -> bool:
        """Imported without a recorded consent: to be asked at the next contact."""
        return not self.consents

    def has_consent(self, scope: ConsentScope) -> bool:
        consent = self.current_consent
        return consent is not None and scope in consent.scopes

    @property
    def owner_user_ids(self) -> frozenset[int]:
        return frozenset({self.user_id}) if self.user_id else frozenset()

    def __str__(self) -> str:
        return f"{self.full_name} ({self.code})"


class BeneficiaryRestricted(Model):
    """Vulnerabilities and health: read only with the restricted permission (audited), never in
    lists or exports. A separate table so that no ordinary query can load it by accident."""

    __tablename__ = "beneficiary_restricted"

    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiary.id", ondelete="CASCADE"), primary_key=True)
    vulnerabilities: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    health_notes: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Consent(Model):
    """A consent read out to the beneficiary by a staff member, with the scopes agreed."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiary.id", ondelete="CASCADE"), index=True)
    given_on: Mapped[date]
    notice_version: Mapped[str] = mapped_column(String(20))
    scopes: Mapped[list[str]] = mapped_column(sa.JSON)  # ConsentScope codes agreed
    signature_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawal_reason: Mapped[str | None] = mapped_column(String(300))

    beneficiary: Mapped[Beneficiary] = relationship(back_populates="consents")
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id], lazy="joined")

    @property
    def processing(self) -> bool:
        return ConsentScope.PROCESSING in self.scopes


class DuplicateReview(Model):
    """A staff decision that two records are not the same person (with the reason)."""

    __tablename__ = "duplicate_review"
    __table_args__ = (sa.UniqueConstraint("beneficiary_id", "other_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiary.id", ondelete="CASCADE"))
    other_id: Mapped[int] = mapped_column(ForeignKey("beneficiary.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(300))
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

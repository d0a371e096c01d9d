"""Follow-up of the funded activities: visits (planned from the call's template, recorded by field
officers, validated by a supervisor), sustainability scores with their weight sets, and referrals
to partner services."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.database import UTCDateTime, enum_type, utcnow
from grants.extensions import Model
from grants.models.accounts import User
from grants.models.applications import Application, BudgetLine
from grants.models.beneficiaries import Beneficiary
from grants.models.finance import Grant, Tranche
from grants.models.uploads import UploadedFile
from grants.services.followup.questionnaire import composite_note
from grants.vocabulary import (
    ActivityStatus,
    ItemPresence,
    Recommendation,
    ReferralService,
    VisitMode,
)
from grants.workflow import ReferralStatus, VisitStatus

MONEY = BigInteger  # whole F CFA


class Visit(Model):
    """One follow-up visit of a funded activity: planned (V1…Vn from the call's template, or
    unscheduled), then recorded on a phone and validated by a supervisor."""

    __tablename__ = "visit"
    __table_args__ = (
        sa.UniqueConstraint("grant_id", "seq"),
        sa.CheckConstraint("monthly_revenue IS NULL OR monthly_revenue >= 0",
                           name="revenue_not_negative"),
        sa.CheckConstraint("jobs_total IS NULL OR (jobs_total >= 0 AND jobs_women >= 0 "
                           "AND jobs_youth >= 0)", name="jobs_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # VS-2024-00012
    grant_id: Mapped[int] = mapped_column(ForeignKey("grant_agreement.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)  # the scope
    seq: Mapped[int | None]  # V1, V2… of the plan; None for an unscheduled visit
    months: Mapped[int | None]  # months after the first payment
    reason: Mapped[str | None] = mapped_column(String(300))  # why an unscheduled visit
    due_on: Mapped[date] = mapped_column(index=True)
    gates_tranche_id: Mapped[int | None] = mapped_column(ForeignKey("tranche.id"))
    with_survey: Mapped[bool] = mapped_column(default=False)
    status: Mapped[VisitStatus] = mapped_column(enum_type(VisitStatus, 16),
                                                default=VisitStatus.PLANNED, index=True)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # What the field officer recorded
    visited_on: Mapped[date | None]
    mode: Mapped[VisitMode | None] = mapped_column(enum_type(VisitMode, 16))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    gps_accuracy: Mapped[int | None]  # metres
    activity_status: Mapped[ActivityStatus | None] = mapped_column(enum_type(ActivityStatus, 16))
    monthly_revenue: Mapped[int | None] = mapped_column(MONEY)
    monthly_profit: Mapped[int | None] = mapped_column(MONEY)  # may be a loss
    jobs_total: Mapped[int | None]
    jobs_women: Mapped[int | None]
    jobs_youth: Mapped[int | None]
    problems: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    observations: Mapped[str | None] = mapped_column(Text)
    recommendation: Mapped[Recommendation | None] = mapped_column(enum_type(Recommendation, 16))
    survey: Mapped[dict[str, str] | None] = mapped_column(sa.JSON)  # item code -> answer code
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The supervisor's review
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_comment: Mapped[str | None] = mapped_column(String(500))

    grant: Mapped[Grant] = relationship()
    application: Mapped[Application] = relationship(lazy="joined")
    gates_tranche: Mapped[Tranche | None] = relationship()
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    items: Mapped[list["VisitItem"]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitItem.id")
    photos: Mapped[list["VisitPhoto"]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitPhoto.id")
    score: Mapped["SustainabilityScore | None"] = relationship(back_populates="visit")

    @property
    def label(self) -> str:
        return f"V{self.seq}" if self.seq else "V+"

    def overdue(self, today: date) -> bool:
        return self.status.is_planned and self.due_on < today

    @property
    def decided_against(self) -> bool:
        """Validated with a recommendation that does not release the tranche it decides."""
        return (self.status.is_validated and self.recommendation is not None
                and not self.recommendation.releases)


class VisitSubmission(Model):
    """Every key a visit report was sent with, kept for good: a draft sent again (after a lost
    connection, after the visit was sent back, by a second import of the same file) is
    recognised and records nothing. The UNIQUE key decides between two sendings at once."""

    __tablename__ = "visit_submission"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VisitItem(Model):
    """Whether an item of the budget was found at the visit."""

    __tablename__ = "visit_item"
    __table_args__ = (sa.UniqueConstraint("visit_id", "budget_line_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"))
    budget_line_id: Mapped[int] = mapped_column(ForeignKey("budget_line.id"))
    presence: Mapped[ItemPresence] = mapped_column(enum_type(ItemPresence, 16))

    visit: Mapped[Visit] = relationship(back_populates="items")
    budget_line: Mapped[BudgetLine] = relationship(lazy="joined")


class VisitPhoto(UploadedFile, Model):
    __tablename__ = "visit_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)

    visit: Mapped[Visit] = relationship(back_populates="photos")


class WeightSet(Model):
    """The weights of the sustainability questionnaire's items, versioned: the latest version is
    in force, and every stored score names the version it was computed with."""

    __tablename__ = "weight_set"
    __table_args__ = (sa.CheckConstraint("threshold > 0 AND threshold < 1",
                                         name="threshold_between_0_and_1"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(160))
    official: Mapped[bool] = mapped_column(default=False)
    threshold: Mapped[float]  # a dimension below it suggests a referral
    weights: Mapped[dict[str, float]] = mapped_column(sa.JSON)  # item code -> weight
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SustainabilityScore(Model):
    """The scores (0 to 1) of one visit's questionnaire under one weight set; None where no item
    of the dimension was answered."""

    __tablename__ = "sustainability_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), unique=True)
    weight_set_id: Mapped[int] = mapped_column(ForeignKey("weight_set.id"))
    economic: Mapped[float | None]
    social: Mapped[float | None]
    psychosocial: Mapped[float | None]
    composite: Mapped[float | None]
    answered: Mapped[int]
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    visit: Mapped[Visit] = relationship(back_populates="score")
    weight_set: Mapped[WeightSet] = relationship(lazy="joined")

    @property
    def composite_note(self) -> str | None:
        """Why there is no composite score (a whole dimension unanswered), or None."""
        return composite_note(self, self.weight_set.weights)


class Partner(Model):
    """A CNRM partner service a returnee can be referred to."""

    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    services: Mapped[list[str]] = mapped_column(sa.JSON)  # ReferralService codes
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))  # None: national
    contact_name: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(160))
    address: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    region = relationship("Region", lazy="joined")

    def __str__(self) -> str:
        return self.name


class Referral(Model):
    """A returnee referred to a partner service, with the sharing consent it needs."""

    __tablename__ = "referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiary.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"))
    service: Mapped[ReferralService] = mapped_column(enum_type(ReferralService, 20))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ReferralStatus] = mapped_column(enum_type(ReferralStatus, 16),
                                                   default=ReferralStatus.PROPOSED)
    outcome_note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    beneficiary: Mapped[Beneficiary] = relationship(lazy="joined")
    partner: Mapped[Partner] = relationship(lazy="joined")
    visit: Mapped[Visit | None] = relationship()
    created_by: Mapped[User] = relationship()

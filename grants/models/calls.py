"""Calls for proposals (appels à projets): who may apply, for what, and on which envelope."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.database import UTCDateTime, enum_type, utcnow
from grants.extensions import Model, db
from grants.models.finance import BudgetEnvelope
from grants.models.reference import Region
from grants.vocabulary import CallStatus

call_region = sa.Table(
    "call_region",
    db.metadata,
    sa.Column("call_id", ForeignKey("call.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("region_id", ForeignKey("region.id"), primary_key=True),
)


class Call(Model):
    __tablename__ = "call"
    __table_args__ = (
        sa.CheckConstraint("cap_per_project > 0", name="cap_positive"),
        sa.CheckConstraint("closes_on >= opens_on", name="dates_in_order"),
        sa.CheckConstraint("min_contribution_percent BETWEEN 0 AND 100", name="contribution_pct"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    envelope_id: Mapped[int] = mapped_column(ForeignKey("budget_envelope.id"), index=True)
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    status: Mapped[CallStatus] = mapped_column(enum_type(CallStatus, 16), default=CallStatus.DRAFT)
    # Lists of codes from grants.vocabulary (BeneficiaryCategory, ProjectType, DocumentKind).
    target_categories: Mapped[list[str]] = mapped_column(sa.JSON)
    project_types: Mapped[list[str]] = mapped_column(sa.JSON)
    required_documents: Mapped[list[str]] = mapped_column(sa.JSON)
    min_age: Mapped[int] = mapped_column(default=18)
    max_age: Mapped[int] = mapped_column(default=60)
    cap_per_project: Mapped[int] = mapped_column(BigInteger, default=1_500_000)
    min_contribution_percent: Mapped[int] = mapped_column(default=0)
    # Percentages of the grant paid per tranche, e.g. [60, 40]; months after the first payment
    # of each follow-up visit, e.g. [1, 3, 6, 12].
    tranche_plan: Mapped[list[int]] = mapped_column(sa.JSON)
    visit_plan: Mapped[list[int]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    envelope: Mapped[BudgetEnvelope] = relationship(lazy="joined")
    regions: Mapped[list[Region]] = relationship(secondary=call_region, lazy="selectin",
                                                 order_by=Region.code)

    @property
    def region_ids(self) -> frozenset[int]:
        return frozenset(region.id for region in self.regions)

    def accepts_applications_on(self, day: date) -> bool:
        return self.status == CallStatus.OPEN and self.opens_on <= day <= self.closes_on

    def __str__(self) -> str:
        return self.title

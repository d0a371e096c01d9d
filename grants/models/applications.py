"""Applications (dossiers): the micro-project, its members, budget, documents and history."""

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.database import UTCDateTime, enum_type, utcnow
from grants.extensions import Model
from grants.models.accounts import User
from grants.models.beneficiaries import Beneficiary
from grants.models.calls import Call
from grants.models.reference import Region
from grants.models.uploads import UploadedFile
from grants.vocabulary import BudgetCategory, ContributionKind, DocumentKind, ProjectType, Sector, SupportMode
from grants.workflow import ApplicationAction, ApplicationStatus

if TYPE_CHECKING:
    from grants.models.finance import Grant

MONEY = BigInteger  # whole F CFA


class Application(Model):
    __tablename__ = "application"
    __table_args__ = (
        sa.CheckConstraint("requested_amount >= 0", name="requested_amount"),
        sa.CheckConstraint("own_contribution >= 0", name="own_contribution"),
        sa.CheckConstraint("budget_total >= 0", name="budget_total"),
        # The figures' funnel and map (grants/reporting/facts.py): the submitted dossiers by
        # region and status, read from this index alone (the table is wide).
        sa.Index("ix_application_submitted_region_status", "region_id", "status", "id",
                 postgresql_where=sa.text("submitted_at IS NOT NULL"),
                 sqlite_where=sa.text("submitted_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)  # AP-2026-0042
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"), index=True)
    project_type: Mapped[ProjectType] = mapped_column(enum_type(ProjectType, 16))
    lead_id: Mapped[int] = mapped_column(ForeignKey("beneficiary.id"), index=True)
    community_name: Mapped[str | None] = mapped_column(String(160))
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_type(ApplicationStatus, 24), default=ApplicationStatus.DRAFT, index=True)
    # The project
    title: Mapped[str | None] = mapped_column(String(200))
    sector: Mapped[Sector | None] = mapped_column(enum_type(Sector, 16), index=True)
    activity: Mapped[str | None] = mapped_column(Text)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    cercle: Mapped[str | None] = mapped_column(String(80))
    commune: Mapped[str | None] = mapped_column(String(80))
    # Business plan
    product_service: Mapped[str | None] = mapped_column(Text)
    customers_market: Mapped[str | None] = mapped_column(Text)
    competition: Mapped[str | None] = mapped_column(Text)
    suppliers: Mapped[str | None] = mapped_column(Text)
    monthly_revenue: Mapped[int | None] = mapped_column(MONEY)
    monthly_costs: Mapped[int | None] = mapped_column(MONEY)
    jobs_planned: Mapped[int | None]
    jobs_women: Mapped[int | None]
    jobs_youth: Mapped[int | None]
    training_needs: Mapped[str | None] = mapped_column(Text)
    # Money asked and brought
    budget_total: Mapped[int] = mapped_column(MONEY, default=0)  # Σ budget lines, computed
    own_contribution: Mapped[int] = mapped_column(MONEY, default=0)
    own_contribution_kind: Mapped[ContributionKind] = mapped_column(
        enum_type(ContributionKind, 16), default=ContributionKind.NONE)
    own_contribution_details: Mapped[str | None] = mapped_column(String(300))
    requested_amount: Mapped[int] = mapped_column(MONEY, default=0)
    support_mode: Mapped[SupportMode | None] = mapped_column(enum_type(SupportMode, 16))
    # Who and when
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    client_token: Mapped[str | None] = mapped_column(String(36), unique=True)  # double-submit guard

    call: Mapped[Call] = relationship(lazy="joined")
    lead: Mapped[Beneficiary] = relationship(lazy="joined")
    region: Mapped[Region] = relationship(lazy="joined")
    created_by: Mapped[User] = relationship()
    members: Mapped[list["ApplicationMember"]] = relationship(
        back_populates="application", cascade="all, delete-orphan",
        order_by="(ApplicationMember.is_lead.desc(), ApplicationMember.id)")
    budget_lines: Mapped[list["BudgetLine"]] = relationship(
        back_populates="application", cascade="all, delete-orphan",
        order_by="BudgetLine.position")
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="application", order_by="Attachment.id")
    events: Mapped[list["ApplicationEvent"]] = relationship(order_by="ApplicationEvent.id")
    revisions: Mapped[list["ApplicationRevision"]] = relationship(
        order_by="ApplicationRevision.number")
    # Read-only here: the agreement is written by the money services (services/agreements.py).
    grant: Mapped["Grant | None"] = relationship(viewonly=True, uselist=False)

    @property
    def is_editable(self) -> bool:
        return self.status.is_editable

    @property
    def is_revisable(self) -> bool:
        return self.status.is_revisable

    @property
    def has_follow_up(self) -> bool:
        """Its agreement was signed: the follow-up page shows its tranches, payments and visits."""
        return self.grant is not None and self.grant.has_follow_up

    @property
    def owner_user_ids(self) -> frozenset[int]:
        """Applicant accounts that may see this dossier: those of its members."""
        return frozenset(m.beneficiary.user_id for m in self.members if m.beneficiary.user_id)

    @property
    def display_reference(self) -> str:
        return self.reference or f"#{self.id}"

    def __str__(self) -> str:
        return f"{self.display_reference} {self.title or ''}".strip()


class ApplicationMember(Model):
    """A person in the project: the lead, and the partners of a collective project, with shares."""

    __tablename__ = "application_member"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "beneficiary_id"),
        sa.CheckConstraint("share_percent BETWEEN 0 AND 100", name="share_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiary.id"), index=True)
    is_lead: Mapped[bool] = mapped_column(default=False)
    share_percent: Mapped[int] = mapped_column(default=100)

    application: Mapped[Application] = relationship(back_populates="members")
    beneficiary: Mapped[Beneficiary] = relationship(lazy="joined")


class BudgetLine(Model):
    __tablename__ = "budget_line"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("unit_cost > 0", name="unit_cost_positive"),
        sa.CheckConstraint("total = quantity * unit_cost", name="total_is_product"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    category: Mapped[BudgetCategory] = mapped_column(enum_type(BudgetCategory, 20))
    item: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int]
    unit_cost: Mapped[int] = mapped_column(MONEY)
    total: Mapped[int] = mapped_column(MONEY)

    application: Mapped[Application] = relationship(back_populates="budget_lines")


class Attachment(UploadedFile, Model):
    """An uploaded document, stored under instance/uploads with a generated name."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True)
    beneficiary_id: Mapped[int | None] = mapped_column(
        ForeignKey("beneficiary.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_type(DocumentKind, 20))

    application: Mapped[Application | None] = relationship(back_populates="attachments")
    uploaded_by: Mapped[User] = relationship()


class ApplicationEvent(Model):
    """One status change of a dossier: who, when, from what to what, and why."""

    __tablename__ = "application_event"
    # The stages a dossier reached (the funnel's eligible and selected, facts.STAGES): the
    # few moves to a status, not the whole history.
    __table_args__ = (sa.Index("ix_application_event_to_status_application_id", "to_status",
                               "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True)
    action: Mapped[ApplicationAction] = mapped_column(enum_type(ApplicationAction, 24))
    from_status: Mapped[ApplicationStatus] = mapped_column(enum_type(ApplicationStatus, 24))
    to_status: Mapped[ApplicationStatus] = mapped_column(enum_type(ApplicationStatus, 24))
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    comment: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User] = relationship(lazy="joined")


class ApplicationRevision(Model):
    """A frozen copy of a dossier: number 1 is the submitted version; later ones are staff
    corrections, each with its reason."""

    __tablename__ = "application_revision"
    __table_args__ = (sa.UniqueConstraint("application_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    snapshot: Mapped[dict] = mapped_column(sa.JSON)
    reason: Mapped[str] = mapped_column(String(300))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")


class ReferenceCounter(Model):
    """Sequences for readable references (ML-2026-000123, AP-2026-0042), one per kind and year."""

    __tablename__ = "reference_counter"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)

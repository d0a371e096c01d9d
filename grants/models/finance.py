"""Money: budget envelopes, grant agreements (the commitment), tranches, payments and the
append-only double-entry ledger. Amounts are whole F CFA in integer columns; the finance services
move them with guarded single-statement updates, and CHECK constraints are the backstop."""

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.database import UTCDateTime, enum_type, utcnow
from grants.extensions import Model
from grants.models.accounts import User
from grants.models.uploads import UploadedFile
from grants.vocabulary import FundingSource, LabelledEnum

if TYPE_CHECKING:
    from grants.models.applications import Application

MONEY = BigInteger  # whole F CFA


class BudgetEnvelope(Model):
    __tablename__ = "budget_envelope"
    __table_args__ = (
        sa.CheckConstraint("total > 0", name="total_positive"),
        # P1: 0 <= disbursed <= committed <= total
        sa.CheckConstraint("0 <= disbursed AND disbursed <= committed AND committed <= total",
                           name="within_total"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    fiscal_year: Mapped[int]
    funding_source: Mapped[FundingSource] = mapped_column(enum_type(FundingSource, 16))
    budget_line: Mapped[str] = mapped_column(String(64))  # imputation budgétaire
    total: Mapped[int] = mapped_column(MONEY)
    committed: Mapped[int] = mapped_column(MONEY, default=0, server_default="0")
    disbursed: Mapped[int] = mapped_column(MONEY, default=0, server_default="0")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def available(self) -> int:
        return self.total - self.committed

    def __str__(self) -> str:
        return self.name


class Channel(LabelledEnum):
    ORANGE_MONEY = "orange_money", _l("Orange Money")
    MOOV_MONEY = "moov_money", _l("Moov Money")
    BANK = "bank", _l("Bank transfer")
    CHEQUE = "cheque", _l("Cheque")
    SUPPLIER = "supplier", _l("Supplier payment (in kind)")
    CASH = "cash", _l("Cash (régie)")

    @property
    def is_wallet(self) -> bool:
        return self in (Channel.ORANGE_MONEY, Channel.MOOV_MONEY)


class GrantStatus(LabelledEnum):
    DRAFT = "draft", _l("Draft")
    SIGNED = "signed", _l("Signed")
    CANCELLED = "cancelled", _l("Cancelled")

    @property
    def is_draft(self) -> bool:
        """Prepared, not signed yet: nothing is committed on the envelope."""
        return self == GrantStatus.DRAFT

    @property
    def is_signed(self) -> bool:
        """In force: its tranches are ordered and paid, its visits planned."""
        return self == GrantStatus.SIGNED


class Grant(Model):
    """The grant agreement (convention) of a selected dossier: signing it commits the envelope."""

    __tablename__ = "grant_agreement"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("0 <= disbursed AND disbursed <= amount", name="disbursed_within"),  # P4
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # CV-2024-0001
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    envelope_id: Mapped[int] = mapped_column(ForeignKey("budget_envelope.id"), index=True)
    amount: Mapped[int] = mapped_column(MONEY)
    disbursed: Mapped[int] = mapped_column(MONEY, default=0, server_default="0")
    status: Mapped[GrantStatus] = mapped_column(enum_type(GrantStatus, 16),
                                                default=GrantStatus.DRAFT)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, 16))
    account: Mapped[str] = mapped_column(String(80))  # wallet number, bank account, supplier
    signed_on: Mapped[date | None]
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(300))

    application: Mapped["Application"] = relationship()
    envelope: Mapped[BudgetEnvelope] = relationship()
    tranches: Mapped[list["Tranche"]] = relationship(
        back_populates="grant", order_by="Tranche.seq", cascade="all, delete-orphan",
        lazy="selectin")
    copies: Mapped[list["AgreementCopy"]] = relationship(
        back_populates="grant", order_by="AgreementCopy.id", cascade="all, delete-orphan")

    @property
    def signed_copy(self) -> "AgreementCopy | None":
        """The current scan of the signed agreement (the latest upload; earlier ones are kept)."""
        return self.copies[-1] if self.copies else None

    @property
    def has_follow_up(self) -> bool:
        """Signed once (in force, or cancelled since): its project has a follow-up page."""
        return not self.status.is_draft


class AgreementCopy(UploadedFile, Model):
    """A scan of the signed agreement (PDF, JPEG or PNG, checked by content), stored under
    instance/uploads with a generated name. A replacement adds a row: earlier scans stay."""

    __tablename__ = "agreement_copy"

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grant_agreement.id", ondelete="CASCADE"),
                                          index=True)

    grant: Mapped[Grant] = relationship(back_populates="copies")
    uploaded_by: Mapped[User] = relationship()


class TrancheCondition(LabelledEnum):
    SIGNATURE = "signature", _l("Signature of the agreement")
    FAVOURABLE_VISIT = "favourable_visit", _l("A favourable follow-up visit")
    PREVIOUS_PAID = "previous_paid", _l("The previous tranche is paid")


class TrancheStatus(LabelledEnum):
    PLANNED = "planned", _l("Planned")
    ELIGIBLE = "eligible", _l("To order")
    ORDERED = "ordered", _l("Payment ordered")
    PAID = "paid", _l("Paid")
    CANCELLED = "cancelled", _l("Cancelled")

    @property
    def is_due(self) -> bool:
        """Its condition is met: the finance officer may order its payment."""
        return self == TrancheStatus.ELIGIBLE

    @property
    def is_ordered(self) -> bool:
        """Ordered, waiting for the accountant to pay it."""
        return self == TrancheStatus.ORDERED

    @property
    def is_paid(self) -> bool:
        return self == TrancheStatus.PAID


class Tranche(Model):
    __tablename__ = "tranche"
    __table_args__ = (
        sa.UniqueConstraint("grant_id", "seq"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grant_agreement.id", ondelete="CASCADE"))
    seq: Mapped[int]
    amount: Mapped[int] = mapped_column(MONEY)
    condition: Mapped[TrancheCondition] = mapped_column(enum_type(TrancheCondition, 20))
    status: Mapped[TrancheStatus] = mapped_column(enum_type(TrancheStatus, 16),
                                                  default=TrancheStatus.PLANNED)
    # The payment order (ordonnancement), by a finance officer
    order_number: Mapped[str | None] = mapped_column(String(30), unique=True)
    ordered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    ordered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel: Mapped[Channel | None] = mapped_column(enum_type(Channel, 16))

    grant: Mapped[Grant] = relationship(back_populates="tranches")

    @property
    def waits_for_visit(self) -> bool:
        """Not due yet, and only a favourable follow-up visit makes it due."""
        return (self.condition == TrancheCondition.FAVOURABLE_VISIT
                and self.status == TrancheStatus.PLANNED)


class PaymentKind(LabelledEnum):
    PAYMENT = "payment", _l("Payment")
    REVERSAL = "reversal", _l("Reversal")


class Payment(Model):
    """A payment (by the accountant) of a tranche ordered by another person, or its reversal.
    Append-only: database triggers refuse UPDATE and DELETE."""

    __tablename__ = "payment"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("maker_id <> checker_id", name="maker_is_not_checker"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tranche_id: Mapped[int] = mapped_column(ForeignKey("tranche.id"), index=True)
    kind: Mapped[PaymentKind] = mapped_column(enum_type(PaymentKind, 12))
    amount: Mapped[int] = mapped_column(MONEY)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    maker_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))  # ordered it
    checker_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))  # paid or reversed it
    reverses_payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"), unique=True)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, 16))
    reference: Mapped[str] = mapped_column(String(80))  # operator/bank reference, or reason
    paid_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tranche: Mapped[Tranche] = relationship()

    @property
    def is_reversible(self) -> bool:
        """A payment (not a reversal) of a tranche still paid: it has not been reversed yet."""
        return self.kind == PaymentKind.PAYMENT and self.tranche.status.is_paid


class Account(LabelledEnum):
    APPROPRIATION = "appropriation", _l("Appropriation")
    AVAILABLE = "available", _l("Available")
    COMMITTED = "committed", _l("Committed")
    SPENT = "spent", _l("Spent")
    ADVANCES = "advances", _l("Advances to beneficiaries")
    TREASURY = "treasury", _l("Treasury")


class LedgerEntry(Model):
    """One leg of a balanced operation. Append-only: corrections are reversals."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("side IN ('D', 'C')", name="side"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(sa.Integer, "sqlite"),
                                    primary_key=True)
    operation: Mapped[str] = mapped_column(String(36), index=True)  # the legs of one operation
    kind: Mapped[str] = mapped_column(String(24))  # appropriation, commitment, payment, …
    envelope_id: Mapped[int] = mapped_column(ForeignKey("budget_envelope.id"), index=True)
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("grant_agreement.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))
    account: Mapped[Account] = mapped_column(enum_type(Account, 16))
    side: Mapped[str] = mapped_column(String(1))
    amount: Mapped[int] = mapped_column(MONEY)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # None: migration
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MoneyAction(Model):
    """The idempotency key of each money action: a replay finds it and does nothing more."""

    __tablename__ = "money_action"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    action: Mapped[str] = mapped_column(String(24))
    object_id: Mapped[int]
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BatchStatus(LabelledEnum):
    PREPARED = "prepared", _l("Prepared")
    APPROVED = "approved", _l("Approved")
    COMPLETED = "completed", _l("Completed")

    @property
    def is_open(self) -> bool:
        """Its pending lines wait for the operator: their tranches are paid through it only."""
        return self in (BatchStatus.PREPARED, BatchStatus.APPROVED)

    @property
    def awaits_approval(self) -> bool:
        """Prepared by the finance officer; the accountant approves it next."""
        return self == BatchStatus.PREPARED

    @property
    def awaits_results(self) -> bool:
        """Approved and sent: the operator's result file is imported next."""
        return self == BatchStatus.APPROVED


class LineResult(LabelledEnum):
    PENDING = "pending", _l("Pending")
    PAID = "paid", _l("Paid")
    FAILED = "failed", _l("Failed")
    REMOVED = "removed", _l("Removed from the batch")

    @property
    def is_pending(self) -> bool:
        """Waits for the operator's result (and may still be taken out of the batch)."""
        return self == LineResult.PENDING


class PaymentBatch(Model):
    """A mobile-money batch (lot de paiement): ordered tranches sent to one operator in a bulk
    file, approved by the accountant; the operator's result file pays or fails each line."""

    __tablename__ = "payment_batch"
    __table_args__ = (sa.CheckConstraint("approved_by_id IS NULL OR approved_by_id <> created_by_id",
                                         name="approver_is_not_maker"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # LP-2026-0001
    operator: Mapped[Channel] = mapped_column(enum_type(Channel, 16))
    status: Mapped[BatchStatus] = mapped_column(enum_type(BatchStatus, 16),
                                                default=BatchStatus.PREPARED)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lines: Mapped[list["BatchLine"]] = relationship(
        back_populates="batch", order_by="BatchLine.id", cascade="all, delete-orphan",
        lazy="selectin")

    @property
    def lines_to_pay(self) -> list["BatchLine"]:
        """The lines of the operator's bulk file: all but those taken out of the batch."""
        return [line for line in self.lines if line.result != LineResult.REMOVED]


class BatchLine(Model):
    __tablename__ = "batch_line"
    __table_args__ = (sa.UniqueConstraint("batch_id", "tranche_id"),
                      sa.CheckConstraint("amount > 0", name="amount_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batch.id", ondelete="CASCADE"))
    tranche_id: Mapped[int] = mapped_column(ForeignKey("tranche.id"), index=True)
    msisdn: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(170))
    amount: Mapped[int] = mapped_column(MONEY)
    reference: Mapped[str] = mapped_column(String(30))  # the payment order number
    result: Mapped[LineResult] = mapped_column(enum_type(LineResult, 12),
                                               default=LineResult.PENDING)
    operator_reference: Mapped[str | None] = mapped_column(String(80))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))
    # Taking a tranche out of an open batch (it is then paid on its own): who, when and why
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removal_reason: Mapped[str | None] = mapped_column(String(300))

    batch: Mapped[PaymentBatch] = relationship(back_populates="lines")
    removed_by: Mapped[User | None] = relationship(foreign_keys=[removed_by_id])

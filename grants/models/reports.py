"""Issued versions of the donor and CNRM indicator report. Like the minutes, a version is
frozen: its files are written once, their SHA-256 kept, and the database refuses any UPDATE
or DELETE of these rows (append-only triggers, see the migration)."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.database import UTCDateTime, utcnow
from grants.extensions import Model
from grants.models.accounts import User
from grants.models.calls import Call
from grants.models.finance import BudgetEnvelope
from grants.models.reference import Region

REPORT_FORMATS = ("xlsx", "pdf", "csv")


class IndicatorReport(Model):
    __tablename__ = "indicator_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    # The filter it was issued for (region_id also decides who may see it: a viewer limited
    # to some regions sees the versions of those regions only).
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    envelope_id: Mapped[int | None] = mapped_column(ForeignKey("budget_envelope.id"))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    filters: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # plain values, as issued
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    issued_by: Mapped[User] = relationship()
    envelope: Mapped[BudgetEnvelope | None] = relationship()
    call: Mapped[Call | None] = relationship()
    region: Mapped[Region | None] = relationship()
    files: Mapped[list["IndicatorReportFile"]] = relationship(
        order_by="IndicatorReportFile.id", viewonly=True)


class IndicatorReportFile(Model):
    __tablename__ = "indicator_report_file"
    __table_args__ = (sa.UniqueConstraint("report_id", "format"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("indicator_report.id"), index=True)
    format: Mapped[str] = mapped_column(String(8))  # one of REPORT_FORMATS
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]

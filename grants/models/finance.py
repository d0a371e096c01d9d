"""Budget envelopes. The money movements on them (commitments, payments, ledger) come with the
finance services; amounts are whole F CFA in integer columns."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from grants.database import UTCDateTime, enum_type, utcnow
from grants.extensions import db
from grants.vocabulary import FundingSource


class BudgetEnvelope(db.Model):
    __tablename__ = "budget_envelope"
    __table_args__ = (sa.CheckConstraint("total > 0", name="total_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    fiscal_year: Mapped[int]
    funding_source: Mapped[FundingSource] = mapped_column(enum_type(FundingSource, 16))
    budget_line: Mapped[str] = mapped_column(String(64))  # imputation budgétaire
    total: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __str__(self) -> str:
        return self.name

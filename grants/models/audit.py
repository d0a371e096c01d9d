"""The audit log: append-only (database triggers refuse UPDATE and DELETE)."""

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.database import UTCDateTime, enum_type, utcnow
from grants.extensions import Model
from grants.models.accounts import User


class Outcome(StrEnum):
    OK = "ok"
    DENIED = "denied"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return str({Outcome.OK: _l("Done"), Outcome.DENIED: _l("Refused"),
                    Outcome.FAILED: _l("Failed")}[self])


class AuditEvent(Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[Outcome] = mapped_column(enum_type(Outcome, 8))
    # Identifiers, codes and reasons only: never names, phone numbers or other personal data.
    details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    actor: Mapped[User | None] = relationship()

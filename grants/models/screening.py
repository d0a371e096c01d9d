"""Eligibility screening of submitted dossiers: a checklist per call, an outcome, comments."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.database import UTCDateTime, enum_type, utcnow
from grants.extensions import Model
from grants.models.accounts import User
from grants.vocabulary import LabelledEnum


class CheckItem(LabelledEnum):
    TARGET_GROUP = "target_group", _l("The applicant belongs to a target group of the call")
    AGE = "age", _l("The applicant's age is within the call's limits")
    REGION = "region", _l("The project is in a region of the call")
    DOCUMENTS = "documents", _l("The required documents are attached")
    AMOUNT_CAP = "amount_cap", _l("The amount requested is within the cap")
    NOT_DUPLICATE = "not_duplicate", _l("The applicant is not a duplicate or rejected record")
    NO_ACTIVE_GRANT = "no_active_grant", _l("No member already holds an active grant")


class CheckResult(LabelledEnum):
    PASS = "pass", _l("Yes")
    FAIL = "fail", _l("No")


class ScreeningOutcome(LabelledEnum):
    ELIGIBLE = "eligible", _l("Eligible")
    INELIGIBLE = "ineligible", _l("Ineligible")
    INCOMPLETE = "incomplete", _l("Incomplete")


class Screening(Model):
    __tablename__ = "screening"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[ScreeningOutcome] = mapped_column(enum_type(ScreeningOutcome, 16))
    reason: Mapped[str | None] = mapped_column(Text)  # why ineligible / what is missing
    screened_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    screened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    screened_by: Mapped[User] = relationship(lazy="joined")
    items: Mapped[list["ScreeningItem"]] = relationship(
        cascade="all, delete-orphan", order_by="ScreeningItem.id", lazy="selectin")


class ScreeningItem(Model):
    __tablename__ = "screening_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screening.id", ondelete="CASCADE"),
                                              index=True)
    item: Mapped[CheckItem] = mapped_column(enum_type(CheckItem, 20))
    result: Mapped[CheckResult] = mapped_column(enum_type(CheckResult, 8))
    suggested: Mapped[CheckResult | None] = mapped_column(enum_type(CheckResult, 8))
    comment: Mapped[str | None] = mapped_column(String(300))

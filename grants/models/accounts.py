"""Accounts: users, the roles they hold, the regions they are scoped to, their sessions."""

from datetime import datetime
from enum import StrEnum
from typing import cast

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.database import UTCDateTime, enum_type, utcnow
from grants.extensions import Model, db
from grants.models.reference import Region


class Role(StrEnum):
    ADMIN = "admin"
    INTAKE_AGENT = "intake_agent"
    APPLICANT = "applicant"
    COMMITTEE_MEMBER = "committee_member"
    COMMITTEE_CHAIR = "committee_chair"
    FINANCE_OFFICER = "finance_officer"
    ACCOUNTANT = "accountant"
    FIELD_OFFICER = "field_officer"
    PROGRAMME_MANAGER = "programme_manager"
    AUDITOR = "auditor"
    DATA_PROTECTION_OFFICER = "data_protection_officer"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.INTAKE_AGENT: _l("Intake agent"),
    Role.APPLICANT: _l("Applicant"),
    Role.COMMITTEE_MEMBER: _l("Committee member"),
    Role.COMMITTEE_CHAIR: _l("Committee chair"),
    Role.FINANCE_OFFICER: _l("Finance officer (authorising officer)"),
    Role.ACCOUNTANT: _l("Accountant (public accountant)"),
    Role.FIELD_OFFICER: _l("Field officer"),
    Role.PROGRAMME_MANAGER: _l("Programme manager"),
    Role.AUDITOR: _l("Auditor"),
    Role.DATA_PROTECTION_OFFICER: _l("Data protection officer"),
}

# Roles whose reach is limited to the regions assigned to the user.
REGION_SCOPED_ROLES = frozenset({Role.INTAKE_AGENT, Role.FIELD_OFFICER})
# Segregation of duties: the one who orders a payment and the one who pays it. One account holds
# both only with a recorded reason (a small office); a tranche is still never paid by the person
# who ordered it.
SEGREGATED_ROLES = frozenset({Role.FINANCE_OFFICER, Role.ACCOUNTANT})

user_region = sa.Table(
    "user_region",
    db.metadata,
    sa.Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("region_id", ForeignKey("region.id"), primary_key=True),
)


class User(UserMixin, Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)  # stored lower-case
    full_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)  # E.164, e.g. +22376123456
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why this account holds both SEGREGATED_ROLES (set only then).
    combined_duties_reason: Mapped[str | None] = mapped_column(String(500))

    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin",
        order_by="UserRole.role",
    )
    regions: Mapped[list[Region]] = relationship(
        secondary=user_region, lazy="selectin", order_by=Region.code
    )

    # Set by the session loader: the token of the browser session this request runs in. Not
    # annotated, or the declarative scan would take it for a column; the cast gives mypy its type.
    session_token = cast(str | None, None)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str | None:  # Flask-Login stores the session token, not the user id
        return self.session_token

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(row.role for row in self.role_rows)

    @property
    def region_ids(self) -> frozenset[int]:
        return frozenset(region.id for region in self.regions)

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def __str__(self) -> str:
        return self.full_name


class UserRole(Model):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(enum_type(Role), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class UserSession(Model):
    """One browser session. Only a hash of its token is stored; revoking it logs the browser out."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(32))

    user: Mapped[User] = relationship()

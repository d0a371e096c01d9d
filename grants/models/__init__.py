"""Every model, imported here so that Alembic sees the whole schema."""

from grants.models.accounts import REGION_SCOPED_ROLES, Role, User, UserRole, UserSession, user_region
from grants.models.audit import AuditEvent, Outcome
from grants.models.reference import Region

__all__ = [
    "REGION_SCOPED_ROLES",
    "AuditEvent",
    "Outcome",
    "Region",
    "Role",
    "User",
    "UserRole",
    "UserSession",
    "user_region",
]

"""Writing the audit log. Details carry identifiers and codes only, never personal data."""

from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from grants.audit_labels import matching_actions
from grants.database import write_transaction
from grants.extensions import db
from grants.models import AuditEvent, Outcome, User


def _object_ref(obj: Any) -> tuple[str | None, str | None]:
    if obj is None:
        return None, None
    return obj.__tablename__, str(obj.id)


def record(action: str, actor=None, obj: Any = None, outcome: Outcome = Outcome.OK,
           details: dict | None = None) -> AuditEvent:
    object_type, object_id = _object_ref(obj)
    actor_id = actor.id if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        action=action, actor_id=actor_id, object_type=object_type, object_id=object_id,
        outcome=outcome, details=details or None,
    )
    db.session.add(event)
    db.session.flush()
    return event


def record_reading(action: str, actor, obj: Any) -> AuditEvent:
    """Record that a page which only reads showed confidential data: the write lock is taken
    first (SQLite), so the page does not fail when others write at the same time."""
    write_transaction(db.session)
    return record(action, actor, obj)


def record_denied(actor, permission, reason: str, obj: Any = None) -> AuditEvent:
    return record("access.denied", actor, obj, Outcome.DENIED,
                  {"permission": str(permission), "reason": reason})


def _matching(query, *, action: str | None = None, actor_username: str | None = None,
              outcome: str | None = None, object_type: str | None = None, start=None, end=None):
    if action and action.strip():
        # A code's beginning ("tranche.") or words of the sentences in the viewer's language
        # ("paiement" finds the tranches ordered and paid, the reversals, the batches).
        query = query.where(sa.or_(AuditEvent.action.startswith(action.strip(), autoescape=True),
                                   AuditEvent.action.in_(matching_actions(action))))
    if actor_username:
        actor_id = db.select(User.id).where(User.username == actor_username.strip().lower())
        query = query.where(AuditEvent.actor_id == actor_id.scalar_subquery())
    if outcome:
        query = query.where(AuditEvent.outcome == outcome)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type.strip())
    if start:
        query = query.where(AuditEvent.at >= datetime.combine(start, time(), UTC))
    if end:
        query = query.where(AuditEvent.at < datetime.combine(end + timedelta(days=1), time(), UTC))
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def search_events(**filters):
    """The audit events matching the filters (those of the audit log's page), newest first (a
    select to paginate)."""
    return _matching(db.select(AuditEvent).options(joinedload(AuditEvent.actor)), **filters)


def event_rows(**filters):
    """The same events as plain columns for the exports (at, username, action, object type,
    object id, outcome, details), newest first."""
    return _matching(db.select(AuditEvent.at, User.username, AuditEvent.action,
                               AuditEvent.object_type, AuditEvent.object_id, AuditEvent.outcome,
                               AuditEvent.details)
                     .outerjoin(User, User.id == AuditEvent.actor_id), **filters)

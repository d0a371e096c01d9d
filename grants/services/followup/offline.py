"""What a field officer takes on the phone for a day without network ("Préparer hors ligne").

The server decides what leaves the office: the planned visits the officer may record (their
regions only, theirs or not yet given to anyone, as on their worklist), overdue or due within
OFFLINE_VISIT_DAYS, at most OFFLINE_MAX_VISITS of them. The phone's service worker caches the
pages of exactly these visits, so nothing of another region is ever on the phone."""

from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from grants.extensions import db
from grants.models import User, Visit
from grants.permissions import Permission, region_scope
from grants.workflow import VisitStatus


def offline_visits(actor: User, today: date) -> list[Visit]:
    """The visits to prepare for offline use, the most urgent first."""
    regions = region_scope(actor, Permission.VISIT_RECORD)
    horizon = today + timedelta(days=current_app.config["OFFLINE_VISIT_DAYS"])
    query = sa.select(Visit).where(
        Visit.status == VisitStatus.PLANNED, Visit.due_on <= horizon,
        sa.or_(Visit.assigned_to_id == actor.id, Visit.assigned_to_id.is_(None)))
    if regions is not None:
        query = query.where(Visit.region_id.in_(regions))
    query = query.order_by(Visit.due_on, Visit.id).limit(current_app.config["OFFLINE_MAX_VISITS"])
    return list(db.session.scalars(query))

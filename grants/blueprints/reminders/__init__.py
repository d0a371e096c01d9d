"""One's own reminders (what waits for the viewer, from the deadlines the system knows), the
menu's count of them, and the choice of a daily digest with quiet hours."""

import logging

from flask import Blueprint
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from grants.permissions import Permission, can
from grants.reporting.reminders import badge_count

bp = Blueprint("reminders", __name__)
log = logging.getLogger(__name__)


@bp.app_context_processor
def _reminder_badge():
    def reminder_badge() -> int | None:
        """The menu's count (kept a short while per user), None for who has no reminders."""
        if not (current_user.is_authenticated and can(current_user, Permission.REMINDERS_VIEW)):
            return None
        try:
            return badge_count(current_user._get_current_object())
        except SQLAlchemyError:  # the error page of a failed request must still show
            log.exception("reminder count")
            return None

    return {"reminder_badge": reminder_badge}


from grants.blueprints.reminders import views  # noqa: E402, F401

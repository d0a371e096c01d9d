"""Staff reminders: what waits for the viewer, from the deadlines the system knows. The home
page's to-dos (dashboards.py: one SQL count each, in the viewer's scope, linked to their list)
that are not zero, and the referrals without news for REFERRAL_FOLLOW_UP_DAYS.

The menu shows their total on every page: it is kept REMINDER_BADGE_CACHE_SECONDS per user in
the process, so that a page costs no SQL count for it most of the time, whatever the data."""

import threading
import time
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from grants.database import utcnow
from grants.extensions import db
from grants.models import Referral, User
from grants.permissions import Permission, can, region_scope
from grants.reporting import dashboards
from grants.reporting.dashboards import ToDo
from grants.workflow import ReferralStatus

WAITING_REFERRALS = (ReferralStatus.PROPOSED, ReferralStatus.ACCEPTED)
CACHE_LIMIT = 5000  # users kept per process; past it the expired ones go first
_lock = threading.Lock()


def stale_referrals(user: User, now: datetime | None = None) -> int:
    """Referrals still waiting for the partner's answer or service with no news for
    REFERRAL_FOLLOW_UP_DAYS, in the regions the user serves."""
    days = current_app.config["REFERRAL_FOLLOW_UP_DAYS"]
    query = sa.select(sa.func.count(Referral.id)).where(
        Referral.status.in_(WAITING_REFERRALS),
        Referral.updated_at < (now or utcnow()) - timedelta(days=days))
    regions = region_scope(user, Permission.REFERRAL_MANAGE)
    if regions is not None:
        query = query.where(Referral.region_id.in_(regions))
    return int(db.session.scalar(query) or 0)


def _referrals(user: User) -> list[ToDo]:
    if not can(user, Permission.REFERRAL_MANAGE):
        return []
    days = current_app.config["REFERRAL_FOLLOW_UP_DAYS"]
    return [ToDo("referrals", ngettext("Referrals without news for %(num)s day",
                                       "Referrals without news for %(num)s days", days),
                 stale_referrals(user), url_for("visits.referral_list"))]


def reminders(user: User, today: date | None = None) -> list[ToDo]:
    """The viewer's reminders that are not zero, overdue ones first."""
    found = [t for t in [*dashboards.todos(user, today), *_referrals(user)] if t.count > 0]
    return sorted(found, key=lambda t: not t.urgent)


def _cache() -> dict[int, tuple[float, int]]:
    return current_app.extensions.setdefault("reminder_badges", {})


def badge_count(user: User) -> int:
    """The total of the user's reminders, kept a short while (see the module's comment)."""
    ttl = current_app.config["REMINDER_BADGE_CACHE_SECONDS"]
    cache, now = _cache(), time.monotonic()
    kept = cache.get(user.id)
    if ttl and kept and kept[0] > now:
        return kept[1]
    total = sum(t.count for t in reminders(user))
    remember(user, total)
    return total


def remember(user: User, total: int) -> None:
    """Keep `total` as the user's count (the reminders page counts them anyway)."""
    ttl = current_app.config["REMINDER_BADGE_CACHE_SECONDS"]
    if not ttl:
        return
    cache, now = _cache(), time.monotonic()
    with _lock:
        if len(cache) >= CACHE_LIMIT:
            for user_id in [k for k, v in cache.items() if v[0] <= now] or list(cache)[:100]:
                cache.pop(user_id, None)
        cache[user.id] = (now + ttl, total)


def digest_text(items: list[ToDo]) -> str:
    """The daily digest in the current language: counts and their labels, nothing else."""
    lines = [f"- {t.label}: {t.count}" for t in items]
    return _("Your reminders today:") + "\n" + "\n".join(lines)

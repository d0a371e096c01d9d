"""The staff's daily digest of their reminders: a huey periodic task every hour (in the jobs
worker) and `flask --app wsgi send-reminders`. From REMINDER_DIGEST_HOUR on, each staff member
who chose a digest and has not had today's gets it at the first hour outside their quiet hours:
an SMS through the outbox (the sending job sends it) or an e-mail. Nothing to tell: nothing
sent. Each staff member is committed on their own; an e-mail that could not leave is tried
again at the next hour."""

import logging
from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _
from huey import crontab

from grants.database import utcnow, write_transaction
from grants.extensions import db
from grants.models import DigestChannel, ReminderPreference, User
from grants.reporting import reminders
from grants.services.notifications import email, staff

log = logging.getLogger(__name__)


def _deliver(preference: ReminderPreference, user: User, now: datetime) -> bool:
    """Compose and send (or queue) one digest; True when something was sent or queued."""
    config = current_app.config
    # The to-dos link to their lists: addresses need a request, here the public one.
    with current_app.test_request_context("/", base_url=config["PUBLIC_URL"] or None), \
            force_locale(user.locale or config["BABEL_DEFAULT_LOCALE"]):
        items = reminders.reminders(user, now.date())
        if not items:
            return False
        text = reminders.digest_text(items)
        if preference.digest is DigestChannel.SMS:
            staff.queue_digest_sms(user, text, now.date())
            return True
        site = (config["PUBLIC_URL"] or "").rstrip("/")
        links = "\n".join(f"- {t.label}: {t.count}\n  {site}{t.url}" for t in items)
        email.send_email(config, user.email or "", _("Your reminders"),
                         _("Your reminders today:") + "\n" + links)
        return True


def send_digests(now: datetime | None = None) -> tuple[int, int]:
    """(sent, failed) digests of this hour."""
    now = now or utcnow()
    if now.hour < current_app.config["REMINDER_DIGEST_HOUR"]:
        return 0, 0
    sent = failed = 0
    for user_id in [p.user_id for p in staff.due_digests(now.date())]:
        write_transaction(db.session)
        preference = db.session.get_one(ReminderPreference, user_id)
        user = db.session.get_one(User, user_id)
        if preference.is_quiet_at(now.hour):
            db.session.rollback()
            continue
        try:
            sent += _deliver(preference, user, now)
        except email.EmailError as error:
            db.session.rollback()
            log.warning("reminder digest to user %s not sent: %s", user_id, error)
            failed += 1
            continue
        preference.last_digest_on = now.date()
        db.session.commit()
    return sent, failed


def init_app(app: Flask, huey) -> None:
    @huey.periodic_task(crontab(minute="5"), name="grants.send_reminder_digests")
    def send_digests_every_hour() -> None:
        with app.app_context():
            send_digests()


@click.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Send the staff's daily digests that are due this hour."""
    sent, failed = send_digests()
    click.echo(f"{sent} sent, {failed} not sent")

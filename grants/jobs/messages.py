"""Sending the queued SMS: a periodic huey task (every minute, in the jobs worker) and
`flask --app wsgi send-messages` (cron, or by hand). Each message is committed on its own:
one that left must stay recorded as sent whatever happens to the next."""

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from huey import crontab

from grants.database import write_transaction
from grants.extensions import db
from grants.services.notifications import gateways, sending


def send_messages() -> tuple[int, int]:
    gateway = gateways.gateway_named(current_app.config["SMS_GATEWAY"])

    def commit() -> None:
        db.session.commit()
        write_transaction(db.session)  # the next message's transaction takes the lock first

    write_transaction(db.session)
    result = sending.send_due(gateway, current_app.config["SMS_MAX_ATTEMPTS"], commit=commit)
    db.session.commit()
    return result


def init_app(app: Flask, huey) -> None:
    @huey.periodic_task(crontab(minute="*"), name="grants.send_messages")
    def send_messages_every_minute() -> None:
        with app.app_context():
            send_messages()


@click.command("send-messages")
@with_appcontext
def send_messages_command() -> None:
    """Send the SMS that are due now (retries included)."""
    sent, refused = send_messages()
    click.echo(f"{sent} sent, {refused} not sent")

"""The retention rules run each night (a huey periodic task, taken by the job worker) and on
demand: `flask --app wsgi apply-retention [--dry-run]` prints what it would remove or removed."""

import logging
from datetime import UTC, datetime

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from huey import crontab
from huey.api import Huey

from grants.database import write_transaction
from grants.extensions import db
from grants.services.privacy import retention

log = logging.getLogger(__name__)


def run_retention(*, dry_run: bool, now: datetime | None = None) -> retention.RetentionRun:
    """Apply the rules in one transaction, then delete the files of the rows removed."""
    from grants.services.privacy.erasure import discard_files

    write_transaction(db.session)
    run = retention.apply(current_app.config["RETENTION_MONTHS"], now or datetime.now(UTC),
                          dry_run=dry_run,
                          import_days=current_app.config["IMPORT_ABANDONED_DAYS"])
    if dry_run:
        db.session.rollback()
        return run
    db.session.commit()
    discard_files(run.files)
    retention.discard_import_files(run.import_files)
    return run


def schedule(huey: Huey, app: Flask) -> None:
    """Register the nightly run on the app's queue."""

    @huey.periodic_task(crontab(minute="15", hour=str(app.config["RETENTION_HOUR"])),
                        name="grants.apply_retention")
    def nightly_retention() -> None:
        with app.app_context():
            run = run_retention(dry_run=False)
            log.info("retention applied: %s", run.counts)


@click.command("apply-retention")
@click.option("--dry-run", is_flag=True, help="Count what would be removed; change nothing.")
@with_appcontext
def apply_retention(dry_run: bool) -> None:
    """Remove the personal data past its retention period (RETENTION_MONTHS)."""
    run = run_retention(dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    months = current_app.config["RETENTION_MONTHS"]
    for kind in retention.KINDS:
        if kind in run.counts:
            click.echo(f"{kind}: {verb} {run.counts[kind]} (older than {months[kind]} months)")
        else:
            click.echo(f"{kind}: kept (no retention period)")
    if "abandoned_imports" in run.counts:
        click.echo(f"abandoned_imports: {verb} {run.counts['abandoned_imports']} (uploads not "
                   f"imported for {current_app.config['IMPORT_ABANDONED_DAYS']} days)")

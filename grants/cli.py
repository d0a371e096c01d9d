"""Command-line tools: flask --app wsgi <command>."""

import shutil
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from grants.extensions import db
from grants.models import Region, Role
from grants.services import accounts
from grants.services.errors import DomainError


def register_commands(app: Flask) -> None:
    app.cli.add_command(create_user)
    app.cli.add_command(seed_demo)
    app.cli.add_command(seed_national)
    app.cli.add_command(check_ledger)
    app.cli.add_command(export_ledger)
    app.cli.add_command(import_beneficiaries)
    from grants.jobs.messages import send_messages_command
    from grants.jobs.reminders import send_reminders_command
    from grants.jobs.retention import apply_retention
    from grants.jobs.worker import jobs_worker
    from grants.operations.commands import COMMANDS

    for command in (jobs_worker, apply_retention, send_messages_command,
                    send_reminders_command, *COMMANDS):
        app.cli.add_command(command)


@click.command("create-user")
@click.option("--username", required=True, help="Login name (lower-case).")
@click.option("--name", "full_name", required=True, help="Full name.")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice([r.value for r in Role]), help="Repeat for several roles.")
@click.option("--region", "region_codes", multiple=True,
              help="Region code (00 Bamako … 19), repeat for several; needed by intake agents "
                   "and field officers.")
@click.option("--phone", default=None, help="Phone number, e.g. +22376123456.")
@click.option("--email", default=None)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Asked for when not given.")
@with_appcontext
def create_user(username, full_name, roles, region_codes, phone, email, password):
    """Create an account (for example the first administrator)."""
    regions = list(db.session.scalars(db.select(Region).where(Region.code.in_(region_codes))))
    unknown = set(region_codes) - {r.code for r in regions}
    if unknown:
        raise click.BadParameter(f"unknown region code(s): {', '.join(sorted(unknown))}")
    try:
        user, _ = accounts.create_user(None, username=username, full_name=full_name,
                                       roles=[Role(r) for r in roles], regions=regions,
                                       phone=phone, email=email, password=password)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"Created {user.username} with roles {', '.join(sorted(user.roles))}.")


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Load the demo data (idempotent): one account per role, printed with its password."""
    from grants.demo import seed

    for line in seed():
        click.echo(line)
    db.session.commit()


@click.command("seed-national")
@click.option("--scale", type=click.FloatRange(min=0.001, max=10), default=1.0, show_default=True,
              help="1: about 20 000 returnees and 18 000 dossiers; 0.05 for a small set.")
@click.option("--force", is_flag=True,
              help="Add the data set to a database that already holds data (e.g. the demo).")
@with_appcontext
def seed_national(scale, force):
    """Build a national-size data set (bulk inserts; under a minute at scale 1)."""
    from grants.demo import national

    if national.holds_data() and not force:
        raise click.ClickException(
            "This database already holds data: use an empty one (flask db upgrade), or --force "
            "to add the national data set to it.")
    click.echo(f"Building the national data set at scale {scale:g}:")
    counts = national.build(scale, echo=click.echo)
    click.echo(", ".join(f"{table} {count}" for table, count in sorted(counts.items())))


@click.command("check-ledger")
@with_appcontext
def check_ledger():
    """Check every money invariant; print each violation and exit 1 if there is any."""
    from grants.services.money.ledger_check import check_ledger as run_checks

    problems = run_checks()
    for problem in problems:
        click.echo(problem)
    if problems:
        raise SystemExit(1)
    click.echo("The ledger is sound: every invariant holds.")


@click.command("export-ledger")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), required=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--envelope", "envelope_id", type=int, default=None, help="Envelope id.")
@click.option("--year", "fiscal_year", type=int, default=None, help="Fiscal year.")
@click.option("--region", "region_code", default=None, help="Region code, e.g. 01.")
@click.option("--step", type=click.Choice(["commitment", "payment", "reversal", "release"]),
              default=None)
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), default=None)
@with_appcontext
def export_ledger(fmt, output, envelope_id, fiscal_year, region_code, step, start, end):
    """Write the disbursement register (the same file as the finance pages) to OUTPUT."""
    import shutil

    from flask import current_app

    from grants.exports.ledger import register_csv, write_register_xlsx
    from grants.services.money.register import RegisterFilters

    region = db.session.scalar(db.select(Region).where(Region.code == region_code)) \
        if region_code else None
    filters = RegisterFilters(envelope_id=envelope_id, fiscal_year=fiscal_year,
                              region_id=region.id if region else None, step=step,
                              start=start.date() if start else None,
                              end=end.date() if end else None)
    with current_app.test_request_context():  # labels in the default language (French)
        if fmt == "xlsx":
            shutil.move(write_register_xlsx(filters), output)
        else:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                for chunk in register_csv(filters):
                    handle.write(chunk)
    click.echo(f"Written: {output}")


@click.command("import-beneficiaries")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", "mapping_name", required=True,
              help="A mapping saved on the import pages, e.g. \"Liste OIM Kayes\".")
@click.option("--user", "username", required=True,
              help="The account that imports (recorded as \"saisi par\").")
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option("--past-dossiers", is_flag=True,
              help="The file holds returnees with their dossiers of a past call.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the report (default: FILE-rapport.xlsx beside FILE).")
@with_appcontext
def import_beneficiaries(file, mapping_name, username, dry_run, past_dossiers, report):
    """Import a partner's list of returnees (xlsx, xls, CSV) as the pages do: the same checks,
    the default decisions (new rows imported, duplicates of the registry linked, the rest
    skipped), the same report."""
    from grants.database import exclusive_transaction
    from grants.exports.import_report import write_report
    from grants.models import ImportHolds, RowStatus, User
    from grants.services.imports import batches, mapping

    actor = db.session.scalar(db.select(User).where(User.username == username.strip().lower()))
    if actor is None or not actor.is_active:
        raise click.ClickException(f"no active account {username!r}")
    saved = mapping.find_mapping(mapping_name)
    if saved is None:
        raise click.ClickException(f"no saved mapping {mapping_name!r}")
    exclusive_transaction(db.session)
    stored = None
    try:
        holds = ImportHolds.PAST_DOSSIERS if past_dossiers else ImportHolds.PEOPLE
        batch, table = batches.upload(actor, file.read_bytes(), file.name, holds)
        stored = batches.imports_root() / batch.stored_name
        batches.set_columns(actor, batch, mapping.apply_saved(saved, table.headers, holds))
        batches.preview(actor, batch, table)
        counts = batches.summary(batch)
        click.echo(f"{file.name}: {batch.row_count} rows")
        for status in RowStatus:
            click.echo(f"  {status.label}: {counts[str(status)]}")
        if not dry_run:
            batches.queue(actor, batch)
            batches.run_import(actor, batch.id)
            for outcome in ("created", "linked", "skipped"):
                click.echo(f"  {outcome}: {batch.counts.get(outcome, 0)}")
        path = write_report(batch)
    except DomainError as error:
        db.session.rollback()
        if stored is not None:
            stored.unlink(missing_ok=True)
        raise click.ClickException(str(error.message)) from None
    if dry_run:
        db.session.rollback()
        if stored is not None:
            stored.unlink(missing_ok=True)
        click.echo("Dry run: nothing written.")
    else:
        db.session.commit()
        click.echo(f"Batch {batch.id} imported.")
    target = report or file.with_name(f"{file.stem}-rapport.xlsx")
    shutil.move(path, target)
    click.echo(f"Report: {target}")

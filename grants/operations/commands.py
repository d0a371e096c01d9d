"""flask --app wsgi backup | restore | backup-key (README, "Backups")."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from grants.operations import backup as backups
from grants.operations import crypto


@click.command("backup")
@click.option("--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="A new or empty folder; with --dated, the folder that holds the dated backups.")
@click.option("--dated", is_flag=True, help="Write into OUTPUT/grants-YYYYMMDD-HHMMSS.")
@click.option("--keep", type=click.IntRange(min=1), default=None,
              help="With --dated: keep only this many newest backups.")
@with_appcontext
def backup(output: Path, dated: bool, keep: int | None):
    """Copy the database and the stored files, with a manifest of checksums (encrypted when
    BACKUP_KEY is set)."""
    key = current_app.config.get("BACKUP_KEY")
    try:
        if dated:
            output = backups.make_dated_backup(output, keep=keep, key=key, echo=click.echo)
        else:
            backups.make_backup(output, key=key, echo=click.echo)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {output}{' (encrypted)' if key else ''}.")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def restore(source: Path):
    """Restore a backup into the configured database (empty: run no migration before) and
    instance folder, after checking every file against the manifest."""
    try:
        backups.restore_backup(source, key=current_app.config.get("BACKUP_KEY"), echo=click.echo)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo("Restored. Check the money with `flask --app wsgi check-ledger`.")


@click.command("backup-key")
def backup_key():
    """Print a new key for BACKUP_KEY."""
    click.echo(crypto.new_key())


COMMANDS = (backup, restore, backup_key)

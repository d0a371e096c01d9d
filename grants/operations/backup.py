"""Backup and restore of the whole system: the database and the stored files, with a manifest.

A backup is a folder:

    manifest.json        written last: a folder without it is an unfinished backup
    database.sqlite3     SQLite's online backup (a consistent copy while the app runs), or
    database.pgdump      pg_dump's custom format for PostgreSQL
    files/uploads/…      the returnees' documents and photos (instance/uploads)
    files/minutes/…      the signed minutes of the committees (instance/minutes)
    files/indicator_reports/…  the issued indicator reports (instance/indicator_reports)

The manifest lists every file with its size and SHA-256, the migration the database is at and the
number of rows of each table; `restore` checks the files against it before touching anything and
the rows after. With BACKUP_KEY set, every file is encrypted (crypto.py) and the checksums are
those of the encrypted files, so a backup can be checked without the key. instance/jobs is not
kept: it holds downloads that users make again on request.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import sqlalchemy as sa
from flask import current_app

from grants.extensions import db
from grants.operations import crypto

FORMAT = 1
MANIFEST = "manifest.json"
# What the app stores under its instance folder and cannot make again.
STORED_FOLDERS = ("uploads", "minutes", "indicator_reports")
DATED_PREFIX = "grants-"


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message says why and what to do."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _database_kind() -> str:
    return "sqlite" if db.engine.url.get_backend_name() == "sqlite" else "postgresql"


def _libpq_url() -> tuple[str, dict[str, str]]:
    """The database's address for pg_dump/pg_restore, the password passed in the environment
    rather than on a command line that other users of the machine can read."""
    url = db.engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        # A fixed program and our own arguments (no shell): the URL comes from the configuration.
        subprocess.run(command, env=env, check=True, capture_output=True, text=True)  # noqa: S603
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client)") from error
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{command[0]} failed: {error.stderr.strip()[:2000]}") from error


def table_rows() -> dict[str, int]:
    """The number of rows of every table the database holds (alembic's included)."""
    inspector = sa.inspect(db.engine)
    with db.engine.connect() as connection:
        return {name: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(name))) or 0
                for name in sorted(inspector.get_table_names())}


def _current_revision() -> str | None:
    with db.engine.connect() as connection:
        try:
            return connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
        except sa.exc.DBAPIError:
            return None


def _dump_database(target_dir: Path) -> Path:
    if _database_kind() == "sqlite":
        target = target_dir / "database.sqlite3"
        source = db.engine.raw_connection()
        try:
            copy = sqlite3.connect(target)
            with copy:
                source.driver_connection.backup(copy)  # type: ignore[union-attr]
            copy.close()
        finally:
            source.close()
        return target
    target = target_dir / "database.pgdump"
    url, env = _libpq_url()
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
          f"--file={target}", f"--dbname={url}"], env)
    return target


def _instance() -> Path:
    return Path(current_app.instance_path)


def _stored_files() -> list[tuple[Path, str]]:
    """(file, its path in the backup) for every stored file."""
    found = []
    for folder in STORED_FOLDERS:
        root = _instance() / folder
        if root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                found.append((path, f"files/{folder}/{path.relative_to(root).as_posix()}"))
    return found


def make_backup(output: Path, *, key: str | None = None,
                echo: Callable[[str], None] = lambda _line: None) -> dict:
    """Write a backup into `output`, which must not exist or be empty. Returns the manifest."""
    output = Path(output)
    if output.exists() and any(output.iterdir()):
        raise BackupError(f"{output} is not empty: back up into a new folder")
    output.mkdir(parents=True, exist_ok=True)
    rows = table_rows()
    revision = _current_revision()
    with tempfile.TemporaryDirectory(dir=output) as scratch:
        dump = _dump_database(Path(scratch))
        entries = [(dump, dump.name)] + _stored_files()
        listed = []
        for source, name in entries:
            target = output / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if key:
                crypto.encrypt_file(source, target, key)
            else:
                shutil.copyfile(source, target)
            listed.append({"path": name, "size": target.stat().st_size, "sha256": _sha256(target)})
    echo(f"database: {sum(rows.values())} rows in {len(rows)} tables; "
         f"{len(listed) - 1} stored files")
    manifest = {"format": FORMAT, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": _database_kind(), "revision": revision, "encrypted": bool(key),
                "rows": rows, "files": listed}
    partial = output / (MANIFEST + ".part")
    partial.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    partial.replace(output / MANIFEST)
    return manifest


def make_dated_backup(parent: Path, *, keep: int | None, key: str | None = None,
                      echo: Callable[[str], None] = lambda _line: None) -> Path:
    """A backup in parent/grants-YYYYMMDD-HHMMSS, then only the `keep` newest dated ones kept."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = Path(parent) / f"{DATED_PREFIX}{stamp}"
    make_backup(target, key=key, echo=echo)
    if keep:
        dated = sorted(p for p in Path(parent).iterdir()
                       if p.is_dir() and p.name.startswith(DATED_PREFIX) and (p / MANIFEST).exists())
        for old in dated[:-keep]:
            shutil.rmtree(old)
            echo(f"removed the old backup {old.name}")
    return target


# --- restore -------------------------------------------------------------------------------

def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name:
        return False
    if name in ("database.sqlite3", "database.pgdump"):
        return True
    return len(path.parts) >= 3 and path.parts[0] == "files" and path.parts[1] in STORED_FOLDERS


def read_manifest(source: Path) -> dict:
    """The manifest, once every file it lists is present with its size and checksum."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupError(f"{source} has no {MANIFEST}: not a backup, or an unfinished one") \
            from error
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"{MANIFEST} cannot be read: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{MANIFEST}: unknown format (this version reads format {FORMAT})")
    for entry in manifest.get("files", []):
        name = entry.get("path", "")
        if not _safe_name(name):
            raise BackupError(f"{MANIFEST} lists a file outside the backup's layout: {name!r}")
        path = source / name
        if not path.is_file():
            raise BackupError(f"{name} is missing from the backup")
        if path.stat().st_size != entry.get("size") or _sha256(path) != entry.get("sha256"):
            raise BackupError(f"{name} does not match its checksum: the backup is damaged")
    return manifest


def _check_empty_target(manifest: dict) -> None:
    if manifest["database"] != _database_kind():
        raise BackupError(f"this backup is of a {manifest['database']} database; the configured "
                          f"database is {_database_kind()}")
    if sa.inspect(db.engine).get_table_names():
        raise BackupError("the configured database is not empty: restore into an empty one")
    for folder in STORED_FOLDERS:
        root = _instance() / folder
        if root.is_dir() and any(root.iterdir()):
            raise BackupError(f"{root} is not empty: restore into an empty instance folder")


def _plain_copy(source: Path, target: Path, key: str | None, encrypted: bool) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if encrypted:
        if not key:
            raise BackupError("this backup is encrypted: set BACKUP_KEY to its key")
        try:
            crypto.decrypt_file(source, target, key)
        except crypto.DecryptionError as error:
            target.unlink(missing_ok=True)
            raise BackupError(str(error)) from error
    else:
        shutil.copyfile(source, target)


def _load_database(source: Path, manifest: dict, key: str | None) -> None:
    db.session.remove()
    db.engine.dispose()
    with tempfile.TemporaryDirectory() as scratch:
        name = "database.sqlite3" if manifest["database"] == "sqlite" else "database.pgdump"
        plain = Path(scratch) / name
        _plain_copy(source / name, plain, key, manifest["encrypted"])
        if manifest["database"] == "sqlite":
            copy = sqlite3.connect(plain)
            target = sqlite3.connect(str(db.engine.url.database))
            with target:
                copy.backup(target)
            copy.close()
            target.close()
        else:
            url, env = _libpq_url()
            _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                  "--single-transaction", f"--dbname={url}", str(plain)], env)
    db.engine.dispose()


def restore_backup(source: Path, *, key: str | None = None,
                   echo: Callable[[str], None] = lambda _line: None) -> dict:
    """Restore a backup into the configured (empty) database and instance folder."""
    source = Path(source)
    manifest = read_manifest(source)
    _check_empty_target(manifest)
    _load_database(source, manifest, key)
    files = [entry["path"] for entry in manifest["files"] if entry["path"].startswith("files/")]
    for name in files:
        _plain_copy(source / name, _instance() / PurePosixPath(name).relative_to("files"),
                    key, manifest["encrypted"])
    rows = table_rows()
    if rows != manifest["rows"]:
        differing = sorted(t for t in set(rows) | set(manifest["rows"])
                           if rows.get(t) != manifest["rows"].get(t))
        raise BackupError(f"the restored database differs from the backup in: {', '.join(differing)}")
    echo(f"restored {sum(rows.values())} rows in {len(rows)} tables and {len(files)} files "
         f"(migration {manifest['revision']})")
    return manifest

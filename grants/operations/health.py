"""What a monitoring probe asks: is each part the app needs working? Each check returns
(ok, detail); the details name parts and counts, never a person."""

import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from grants.database import utcnow
from grants.extensions import db
from grants.models import Job, JobStatus
from grants.operations.backup import STORED_FOLDERS

Check = Callable[[], tuple[bool, str]]


def database() -> tuple[bool, str]:
    db.session.execute(sa.text("SELECT 1"))
    return True, db.engine.url.get_backend_name()


def migrations() -> tuple[bool, str]:
    migrate = current_app.extensions["migrate"]
    heads = set(ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))
                .get_heads())
    current = set(MigrationContext.configure(db.session.connection()).get_current_heads())
    if current == heads:
        return True, ", ".join(sorted(current))
    return False, (f"database at {', '.join(sorted(current)) or 'nothing'}, code at "
                   f"{', '.join(sorted(heads))}: run `flask --app wsgi db upgrade`")


def job_queue() -> tuple[bool, str]:
    huey = current_app.extensions["huey"]
    if huey.immediate:
        return True, "immediate (jobs run inside the request)"
    waiting = huey.storage.queue_size()  # reaches the SQLite file or Redis
    stale_after = timedelta(minutes=current_app.config["JOBS_STALE_MINUTES"])
    oldest = db.session.scalar(sa.select(sa.func.min(Job.created_at))
                               .where(Job.status == JobStatus.QUEUED))
    if oldest is not None and utcnow() - oldest > stale_after:
        minutes = int((utcnow() - oldest).total_seconds() // 60)
        return False, (f"a job has waited {minutes} minutes: is `flask --app wsgi jobs-worker` "
                       "running?")
    return True, f"{waiting} in the queue"


def storage() -> tuple[bool, str]:
    for folder in STORED_FOLDERS:
        root = Path(current_app.instance_path) / folder
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".health-"):
            pass
    return True, "writable"


CHECKS: dict[str, Check] = {"database": database, "migrations": migrations,
                            "jobs": job_queue, "storage": storage}


def report() -> tuple[bool, dict[str, dict]]:
    """Every check, each failing on its own: a dead database does not hide a full disk."""
    results = {}
    for name, check in CHECKS.items():
        try:
            ok, detail = check()
        except Exception as error:  # noqa: BLE001 - a probe reports, it never raises
            db.session.rollback()
            ok, detail = False, f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
        results[name] = {"ok": ok, "detail": detail}
    return all(r["ok"] for r in results.values()), results

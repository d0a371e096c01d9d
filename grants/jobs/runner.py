"""Running one job: claim it, do the work with a progress callback, keep the result, or say why
it failed. Idempotent: a job that is not waiting (done, failed, taken by another worker) is left
alone, and a retried job writes the same result file again rather than a second one."""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from grants.database import exclusive_transaction, rows_changed, utcnow
from grants.extensions import db
from grants.jobs import results_root
from grants.jobs.kinds import KINDS, FileResult
from grants.jobs.lease import Heartbeat, heartbeat_interval
from grants.models import Job, JobStatus
from grants.permissions import can
from grants.services.errors import DomainError

log = logging.getLogger(__name__)
PROGRESS_INTERVAL = 0.5  # seconds between two progress writes


class Progress:
    """The work calls progress(done, total); the job row is updated at most twice a second, on a
    connection of its own so that the work's transaction (and its streaming cursor) goes on."""

    def __init__(self, job_id: int, separate: bool) -> None:
        self.job_id, self.separate = job_id, separate
        self._last = 0.0
        self.done: int = 0
        self.total: int | None = None

    def __call__(self, done: int, total: int | None = None) -> None:
        self.done, self.total = done, total
        now = time.monotonic()
        if now - self._last < PROGRESS_INTERVAL and done != total:
            return
        self._last = now
        if not self.separate:  # immediate mode: the request itself waits for the end
            return
        with db.engine.begin() as connection:
            connection.execute(db.update(Job).where(Job.id == self.job_id)
                               .values(done=done, total=total, heartbeat_at=utcnow()))


def run(job_id: int, retries_left: int = 0) -> None:
    if not _claim(job_id):
        return
    job = db.session.get(Job, job_id)
    assert job is not None
    kind_name, kind = job.kind, KINDS.get(job.kind)
    with force_locale(job.parameters.get("locale") or "fr"):
        try:
            if kind is None or not can(job.requested_by, kind.permission):
                raise DomainError(_("You may no longer run this job."))
            # On SQLite, work that writes holds the write lock from its start and reports its
            # progress only at the end: a second connection could not write meanwhile. On
            # PostgreSQL (rows locked, not the database) it reports as it goes, like the rest.
            locks_all = kind.writes and db.engine.dialect.name == "sqlite"
            separate = not locks_all and not current_app.extensions["huey"].immediate
            if kind.writes:
                exclusive_transaction(db.session)
                job = db.session.get(Job, job_id)
                assert job is not None
            progress = Progress(job_id, separate)
            with Heartbeat(job_id, heartbeat_interval(kind.writes)):
                outcome = kind.run(job.requested_by, job.parameters, progress)
            _finish(job_id, outcome, progress, kind.writes)
        except DomainError as error:
            db.session.rollback()
            fail(job_id, str(error.message))
        except Exception:
            log.exception("job %s (%s) failed; %s retries left", job_id, kind_name, retries_left)
            db.session.rollback()
            if retries_left > 0:
                _set(job_id, status=JobStatus.QUEUED)
                raise  # huey runs it again later
            fail(job_id, _("The job failed because of an unexpected error. Try again later; "
                            "if it fails again, tell the administrator (the details are in the "
                            "server's log)."))


def _claim(job_id: int) -> bool:
    """Waiting -> running, in one conditional UPDATE: two workers cannot both take a job."""
    exclusive_transaction(db.session)
    waiting = [status for status in JobStatus if status.is_waiting]
    taken = rows_changed(db.session, db.update(Job).where(
        Job.id == job_id, Job.status.in_(waiting)).values(
        status=JobStatus.RUNNING, started_at=utcnow(), heartbeat_at=utcnow(),
        attempts=Job.attempts + 1, done=0, error=None))
    db.session.commit()
    return taken == 1


def _finish(job_id: int, outcome: FileResult | None, progress: Progress, writes: bool) -> None:
    """Keep the file under instance/jobs/ with a name of our own (the same on a retry: one file
    per job), then mark the job done: in the same transaction as the work's own writes (the
    minutes), so both happen or neither."""
    values: dict = {"status": JobStatus.DONE, "finished_at": utcnow(),
                    "done": progress.total or progress.done or 1,
                    "total": progress.total or progress.done or 1}
    if outcome is not None:
        root = results_root()
        root.mkdir(parents=True, exist_ok=True)
        stored = db.session.scalar(db.select(Job.stored_name).where(Job.id == job_id))
        if not stored:
            raise RuntimeError(f"job {job_id} has no file name")
        partial = root / f"{stored}.part"  # the temporary file may be on another disk
        shutil.move(outcome.path, partial)
        os.replace(partial, root / stored)
        values.update(download_name=outcome.download_name)
    if not writes:  # end the read transaction: the progress connection wrote meanwhile
        exclusive_transaction(db.session)
    db.session.execute(db.update(Job).where(Job.id == job_id).values(**values))
    db.session.commit()


def fail(job_id: int, message: str) -> None:
    """The job ends failed, with the reason its page shows."""
    _set(job_id, status=JobStatus.FAILED, error=message[:500], finished_at=utcnow())


def _set(job_id: int, **values) -> None:
    exclusive_transaction(db.session)
    db.session.execute(db.update(Job).where(Job.id == job_id).values(**values))
    db.session.commit()


def result_path(job: Job) -> Path | None:
    """The job's file if it is done and the file is still there."""
    if not job.status.is_done or not job.stored_name or not job.download_name:
        return None
    root = results_root().resolve()
    path = (root / job.stored_name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path

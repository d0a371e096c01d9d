"""A running job's lease, and the files jobs leave behind.

The worker that claimed a job writes its heartbeat every JOBS_HEARTBEAT_SECONDS from a thread,
on a connection of its own. When a worker dies (killed, out of memory, its machine down) its jobs
stop beating: each minute `reap()` queues a job without a heartbeat for JOBS_LEASE_MINUTES
again (jobs are idempotent: a job taken again writes the same file), and fails it with a reason
once it has been claimed JOBS_MAX_ATTEMPTS times. Each night `discard_old_files()` deletes the
job files older than JOBS_KEEP_DAYS: their page then says to ask again.

A job that writes on SQLite holds the database's write lock from its start, so it cannot beat;
nor can `reap()` change it until that transaction ends, by a commit (the job is done) or by the
death of its process (then it is rightly taken again)."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from huey import crontab
from huey.api import Huey

from grants.database import rows_changed, utcnow, write_transaction
from grants.extensions import db
from grants.models import Job, JobStatus

log = logging.getLogger(__name__)


class Heartbeat:
    """`with Heartbeat(job_id, interval):` beats while the block runs (no thread if interval is
    0: immediate mode, or a writing job on SQLite)."""

    def __init__(self, job_id: int, interval: float) -> None:
        self.job_id, self.interval = job_id, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Heartbeat:
        if self.interval > 0:
            engine = db.engine  # read here: the thread has no app context
            self._thread = threading.Thread(target=self._run, args=(engine,), daemon=True,
                                            name=f"job-{self.job_id}-heartbeat")
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self, engine: sa.Engine) -> None:
        while not self._stop.wait(self.interval):
            try:
                with engine.begin() as connection:
                    connection.execute(sa.update(Job).where(
                        Job.id == self.job_id, Job.status == JobStatus.RUNNING)
                        .values(heartbeat_at=utcnow()))
            except sa.exc.OperationalError:  # the database busy or away: the next beat retries
                log.warning("job %s: heartbeat not written", self.job_id, exc_info=True)


def heartbeat_interval(writes: bool) -> float:
    if current_app.extensions["huey"].immediate:
        return 0
    if writes and db.engine.dialect.name == "sqlite":
        return 0
    return float(current_app.config["JOBS_HEARTBEAT_SECONDS"])


def reap(now: datetime | None = None) -> tuple[list[int], list[int]]:
    """The running jobs whose lease ran out: (queued again, failed). Each change is one
    conditional UPDATE, so a heartbeat that arrives meanwhile keeps its job."""
    now = now or utcnow()
    cutoff = now - timedelta(minutes=current_app.config["JOBS_LEASE_MINUTES"])
    max_attempts = current_app.config["JOBS_MAX_ATTEMPTS"]
    last_sign = sa.func.coalesce(Job.heartbeat_at, Job.started_at)
    still_stale = (Job.status == JobStatus.RUNNING, last_sign < cutoff)
    write_transaction(db.session)
    stale = db.session.execute(sa.select(Job.id, Job.attempts, Job.parameters)
                               .where(*still_stale).order_by(Job.id)).all()
    requeued, failed = [], []
    for job_id, attempts, parameters in stale:
        where = sa.update(Job).where(Job.id == job_id, *still_stale)
        if attempts < max_attempts:
            if rows_changed(db.session, where.values(status=JobStatus.QUEUED, heartbeat_at=None)):
                requeued.append(job_id)
            continue
        with force_locale((parameters or {}).get("locale") or "fr"):
            reason = _("The job stopped %(count)s times before its end (the server running it "
                       "stopped). Ask for it again; if it stops again, tell the administrator.",
                       count=attempts)
        if rows_changed(db.session, where.values(status=JobStatus.FAILED, error=reason[:500],
                                                 finished_at=now)):
            failed.append(job_id)
    db.session.commit()
    for job_id in requeued:
        log.warning("job %s lost its worker: queued again", job_id)
        current_app.extensions["huey.run_job"](job_id)
    for job_id in failed:
        log.error("job %s lost its worker %s times: failed", job_id, max_attempts)
    return requeued, failed


def discard_old_files(now: datetime | None = None) -> int:
    """Delete the files of the jobs finished more than JOBS_KEEP_DAYS ago; how many."""
    from grants.jobs import results_root

    cutoff = (now or utcnow()) - timedelta(days=current_app.config["JOBS_KEEP_DAYS"])
    names = db.session.scalars(sa.select(Job.stored_name).where(
        Job.status == JobStatus.DONE, Job.finished_at < cutoff,
        Job.stored_name.is_not(None))).all()
    db.session.rollback()
    root, removed = results_root(), 0
    for name in names:
        path = root / name
        if path.is_file():
            path.unlink()
            removed += 1
    return removed


def schedule(huey: Huey, app: Flask) -> None:
    @huey.periodic_task(crontab(minute="*"), name="grants.reap_jobs")
    def reap_every_minute() -> None:
        with app.app_context():
            reap()

    @huey.periodic_task(crontab(minute="45", hour=str(app.config["RETENTION_HOUR"])),
                        name="grants.discard_job_files")
    def discard_each_night() -> None:
        with app.app_context():
            log.info("job files deleted: %s", discard_old_files())

"""Long work (big exports, the minutes) runs in the background as a Job, with a progress bar.

The queue is huey: a SQLite file in the instance folder by default (nothing to install, the demo
runs its consumer next to the web server), Redis when JOBS_REDIS_URL is set, so that workers on
one or several machines take the jobs that any app server enqueues. In tests (TESTING) the queue
is immediate: a job runs inside the request that asks for it.

    job = jobs.start("applications.xlsx", {"filters": {...}})   # in a request
    flask --app wsgi jobs worker                                  # a consumer
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from flask import Flask, current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from huey import MemoryHuey, RedisHuey, SqliteHuey
from huey.api import Huey

from grants.database import write_transaction
from grants.extensions import db
from grants.models import Job, JobStatus

log = logging.getLogger(__name__)

# Unexpected errors (a database restart, a full disk) are retried by huey this many times,
# this many seconds apart; an expected refusal (DomainError) fails the job at once.
RETRIES = 2
RETRY_DELAY = 30


def init_app(app: Flask) -> None:
    """Create the app's queue and its one task, which runs a job by id in an app context."""
    huey = make_huey(app)

    @huey.task(retries=RETRIES, retry_delay=RETRY_DELAY, context=True, name="grants.run_job")
    def run_job(job_id: int, task=None) -> None:
        from grants.jobs.runner import run

        retries_left = task.retries if task is not None else 0
        if _inside(app):  # immediate mode: the request's own context
            run(job_id, retries_left)
            return
        with app.app_context():
            run(job_id, retries_left)

    app.extensions["huey"] = huey
    app.extensions["huey.run_job"] = run_job
    # The periodic tasks: the retention rules and old job files each night, the queued SMS and
    # the jobs whose worker died every minute, the staff's reminder digests every hour.
    from grants.jobs import lease, messages, reminders, retention

    retention.schedule(huey, app)
    messages.init_app(app, huey)
    lease.schedule(huey, app)
    reminders.init_app(app, huey)


def make_huey(app: Flask) -> Huey:
    immediate = app.config.get("JOBS_IMMEDIATE")
    if immediate is None:
        immediate = bool(app.config.get("TESTING"))
    if immediate:
        return MemoryHuey("grants", immediate=True)
    url = app.config.get("JOBS_REDIS_URL")
    if url:
        return RedisHuey(app.config.get("JOBS_QUEUE_NAME") or "grants", url=url)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    queue = app.config.get("JOBS_SQLITE_QUEUE") or Path(app.instance_path) / "jobs-queue.sqlite3"
    return SqliteHuey("grants", filename=str(queue))


def _inside(app: Flask) -> bool:
    from flask import has_app_context

    return has_app_context() and current_app._get_current_object() is app  # type: ignore[attr-defined]


def start(kind: str, parameters: dict) -> Job:
    """Record a job for the current user and queue it; the same request already waiting or
    running (a double click) is not queued twice. Commits."""
    from grants.jobs.kinds import KINDS

    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    parameters = {**parameters, "locale": str(get_locale() or "fr")}
    write_transaction(db.session)
    pending = db.session.scalars(db.select(Job).where(
        Job.requested_by_id == current_user.id, Job.kind == kind,
        Job.status.in_([s for s in JobStatus if not s.is_finished]))).all()
    for job in pending:
        if job.parameters == parameters:
            db.session.commit()
            return job
    # The result's file name is drawn now, so that a retried job writes the same file again.
    job = Job(kind=kind, requested_by_id=current_user.id, parameters=parameters,
              stored_name=uuid.uuid4().hex)
    db.session.add(job)
    db.session.commit()
    try:
        current_app.extensions["huey.run_job"](job.id)
    except Exception:  # the queue (Redis) is out of reach: the job's page says so, not a 500
        from grants.jobs.runner import fail

        log.exception("job %s (%s) could not be queued", job.id, kind)
        fail(job.id, _("The job failed because of an unexpected error. Try again later; "
                        "if it fails again, tell the administrator (the details are in the "
                        "server's log)."))
        db.session.refresh(job)
    return job


def results_root() -> Path:
    return Path(current_app.instance_path) / "jobs"

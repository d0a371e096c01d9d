"""Background jobs (long exports, the minutes): who asked, what, how far along, and the result.

A job's parameters are plain values (ids, filters, the requester's language), never ORM
objects: the job runs later, possibly on another machine, and reads the database afresh."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.database import UTCDateTime, enum_type, utcnow
from grants.extensions import Model
from grants.models.accounts import User
from grants.vocabulary import LabelledEnum


class JobStatus(LabelledEnum):
    QUEUED = "queued", _l("Waiting")
    RUNNING = "running", _l("In progress")
    DONE = "done", _l("Ready")
    FAILED = "failed", _l("Failed")

    @property
    def is_waiting(self) -> bool:
        """A worker may take it (it was queued, or huey retries it)."""
        return self is JobStatus.QUEUED

    @property
    def is_finished(self) -> bool:
        """Nothing more will happen to the job: the page stops polling."""
        return self in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def is_done(self) -> bool:
        return self is JobStatus.DONE

    @property
    def is_failed(self) -> bool:
        return self is JobStatus.FAILED


class Job(Model):
    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # a key of grants.jobs.kinds.KINDS
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    parameters: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus, 16), default=JobStatus.QUEUED)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]  # None: not known (yet), the bar is indeterminate
    # The result: a file under instance/jobs/ with a name drawn when the job is created, and the
    # name it downloads as (set when the file is there). The minutes are kept with their session.
    stored_name: Mapped[str | None] = mapped_column(String(80))
    download_name: Mapped[str | None] = mapped_column(String(160))
    error: Mapped[str | None] = mapped_column(String(500))  # for the user; the traceback is logged
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The lease (grants/jobs/lease.py): the worker running the job writes heartbeat_at while it
    # is alive; a running job whose heartbeat is too old lost its worker and is taken again,
    # up to JOBS_MAX_ATTEMPTS claims in all.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")

    requested_by: Mapped[User] = relationship()

    @property
    def percent(self) -> int | None:
        if self.status.is_done:
            return 100
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)

"""The retention rules: personal data older than its period (RETENTION_MONTHS in
grants/config.py) is removed, each night by the job worker and by
`flask --app wsgi apply-retention [--dry-run]`. A dry run counts what would go and changes
nothing; a real run deletes the rows here and returns the stored files to delete once committed.

The audit log keeps who did what, when, to which object and with what outcome for ever; only its
details (identifiers, codes and reasons) are cleared past their period, the one change its
database triggers allow (grants/database.py, AUDIT_FIXED_COLUMNS)."""

import calendar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from grants.database import rows_changed
from grants.extensions import db
from grants.models import (
    Application,
    Attachment,
    AuditEvent,
    BeneficiaryRestricted,
    ImportBatch,
    ImportRow,
    ImportStatus,
    VisitPhoto,
)
from grants.services import audit
from grants.services.privacy.erasure import FINISHED
from grants.storage import imports_root
from grants.vocabulary import DocumentKind
from grants.workflow import ApplicationStatus

KINDS = ("confidential_notes", "visit_photos", "id_scans", "rejected_documents", "audit_details")
NOT_FUNDED = (ApplicationStatus.INELIGIBLE, ApplicationStatus.REJECTED,
              ApplicationStatus.WITHDRAWN)


@dataclass
class RetentionRun:
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # stored names to delete once committed
    import_files: list[str] = field(default_factory=list)  # the same, under instance/imports/


def months_before(now: datetime, months: int) -> datetime:
    """The same moment `months` calendar months earlier (31 March - 1 month: 28 or 29 February)."""
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    day = min(now.day, calendar.monthrange(year, month + 1)[1])
    return now.replace(year=year, month=month + 1, day=day)


def _cutoff(now: datetime, months: int | None) -> datetime | None:
    return None if months is None else months_before(now, months)


def _expired_rows(kind: str, cutoff: datetime):
    """A select of the rows of `kind` past `cutoff`."""
    if kind == "confidential_notes":
        return db.select(BeneficiaryRestricted).where(
            BeneficiaryRestricted.updated_at < cutoff, BeneficiaryRestricted.health_notes.is_not(None))
    if kind == "visit_photos":
        return db.select(VisitPhoto).where(VisitPhoto.uploaded_at < cutoff)
    if kind == "id_scans":
        over = db.select(Application.id).where(Application.status.in_(FINISHED))
        return db.select(Attachment).where(
            Attachment.kind == DocumentKind.ID_SCAN, Attachment.uploaded_at < cutoff,
            db.or_(Attachment.application_id.in_(over), Attachment.application_id.is_(None)))
    if kind == "rejected_documents":
        rejected = db.select(Application.id).where(Application.status.in_(NOT_FUNDED),
                                                   Application.updated_at < cutoff)
        return db.select(Attachment).where(Attachment.application_id.in_(rejected))
    raise ValueError(f"unknown retention kind {kind!r}")


def _audit_details(cutoff: datetime, dry_run: bool) -> int:
    """Clear the details of the audit rows older than `cutoff`, in one UPDATE; their count."""
    # A row recorded without details holds SQL NULL or JSON null: neither is counted.
    expired = (AuditEvent.at < cutoff, AuditEvent.details.is_not(None),
               sa.cast(AuditEvent.details, sa.String) != "null")
    if dry_run:
        return int(db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(*expired)) or 0)
    return rows_changed(db.session, sa.update(AuditEvent).where(*expired)
                        .values(details=sa.null()).execution_options(synchronize_session=False))


def _key(row) -> int:
    return row.beneficiary_id if isinstance(row, BeneficiaryRestricted) else row.id


def _abandoned_imports(run: RetentionRun, cutoff: datetime, dry_run: bool) -> int:
    """Uploads never imported since `cutoff`: their file (everyone's data, consent or not) and
    their checked rows go; the batch stays, marked abandoned, for its history."""
    batches = db.session.scalars(db.select(ImportBatch).where(
        ImportBatch.status.in_(ImportStatus.abandoned()), ImportBatch.created_at < cutoff)).all()
    if dry_run or not batches:
        return len(batches)
    ids = [batch.id for batch in batches]
    db.session.execute(db.delete(ImportRow).where(ImportRow.batch_id.in_(ids)))
    for batch in batches:
        run.import_files.append(batch.stored_name)
        batch.status, batch.counts = ImportStatus.EXPIRED, {}
    db.session.flush()
    return len(batches)


def discard_import_files(stored_names: list[str]) -> None:
    """Delete the abandoned uploads' files: call after the run is committed."""
    root = imports_root()
    for name in stored_names:
        if name and "/" not in name and "\\" not in name:
            (root / name).unlink(missing_ok=True)


def apply(months: dict[str, int | None], now: datetime, *, dry_run: bool,
          import_days: int | None = None) -> RetentionRun:
    """Apply every rule; flushes (the caller commits, then discards run.files and
    run.import_files). `import_days`: IMPORT_ABANDONED_DAYS, None keeps abandoned uploads."""
    run = RetentionRun(dry_run=dry_run)
    if import_days is not None:
        run.counts["abandoned_imports"] = _abandoned_imports(
            run, now - timedelta(days=int(import_days)), dry_run)
    counted: set[tuple[str, int]] = set()  # a dry run counts a row once, by its first rule
    for kind in KINDS:
        cutoff = _cutoff(now, months.get(kind))
        if cutoff is None:
            continue
        if kind == "audit_details":
            run.counts[kind] = _audit_details(cutoff, dry_run)
            continue
        rows = [row for row in db.session.scalars(_expired_rows(kind, cutoff))
                if (row.__tablename__, _key(row)) not in counted]
        counted.update((row.__tablename__, _key(row)) for row in rows)
        run.counts[kind] = len(rows)
        if dry_run:
            continue
        for row in rows:
            if kind == "confidential_notes":
                row.health_notes = None  # the vulnerabilities' codes stay, for the figures
            else:
                run.files.append(row.stored_name)
                db.session.delete(row)
        db.session.flush()
    if not dry_run and any(run.counts.values()):
        audit.record("privacy.retention_applied", details=dict(run.counts))
    return run

"""A batch: the uploaded file, its mapping, the checked rows and the decisions on them, the
import itself (run by a job: one audit row for the batch, "saisi par" the importer) and its undo
while none of its records has been used."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l

from grants.database import utcnow
from grants.extensions import db
from grants.models import (
    Application,
    ApplicationMember,
    Attachment,
    Beneficiary,
    BeneficiaryRestricted,
    Consent,
    ContactPreference,
    DuplicateReview,
    ImportBatch,
    ImportHolds,
    ImportRow,
    ImportStatus,
    Job,
    OutboundMessage,
    PastDossier,
    PastOutcome,
    Referral,
    RowDecision,
    RowOutcome,
    RowStatus,
    User,
)
from grants.services import audit
from grants.services.errors import ConflictError, ValidationError
from grants.services.imports import mapping as mappings
from grants.services.imports.checks import CheckedRow, check_table
from grants.services.imports.reading import Table, read_table
from grants.services.intake.beneficiaries import CURRENT_NOTICE_VERSION, id_number_key, name_key
from grants.services.references import reserve_references
from grants.storage import clean_display_name, imports_root
from grants.vocabulary import (
    BeneficiaryCategory,
    ConsentScope,
    Education,
    IdType,
    ReturnMode,
    Sector,
    Sex,
)

_ENUMS = {"sex": Sex, "id_type": IdType, "category": BeneficiaryCategory,
          "return_mode": ReturnMode, "education": Education}
_DATES = ("birth_date", "return_date")
INSERT_CHUNK = 1000


# --- upload, mapping, preview ------------------------------------------------------------------

def upload(actor: User, content: bytes, file_name: str,
           holds: ImportHolds = ImportHolds.PEOPLE) -> tuple[ImportBatch, Table]:
    """Read the file (refused at once if it is not a usable sheet) and keep it for the batch,
    with a proposed mapping of its columns. No returnee is written."""
    table = read_table(content)
    batch = ImportBatch(file_name=clean_display_name(file_name)[:200],
                        stored_name=uuid.uuid4().hex, headers=table.headers, holds=holds,
                        columns=mappings.propose(table.headers, holds), row_count=len(table),
                        created_by_id=actor.id, counts={})
    db.session.add(batch)
    db.session.flush()
    root = imports_root()
    root.mkdir(parents=True, exist_ok=True)
    (root / batch.stored_name).write_bytes(content)
    return batch, table


def batch_table(batch: ImportBatch) -> Table:
    path = imports_root() / batch.stored_name
    if not path.is_file():
        raise ConflictError(_l("The file of this import is no longer there: upload it again."))
    return read_table(path.read_bytes())


def set_columns(actor: User, batch: ImportBatch, columns: dict, save_as: str | None = None) -> None:
    _require_open(batch)
    batch.columns = mappings.check_columns(columns, batch.headers, batch.holds)
    if save_as and save_as.strip():
        mappings.save_mapping(actor, save_as, batch.columns)
        batch.mapping_name = save_as.strip()
    db.session.flush()


def preview(actor: User, batch: ImportBatch, table: Table | None = None) -> list[CheckedRow]:
    """Check every row and keep the result on the batch (its rows, each with its default
    decision); nothing is written to the registry."""
    rows = check_rows(actor, batch, table)
    store_preview(batch, rows)
    return rows


def check_rows(actor: User, batch: ImportBatch, table: Table | None = None,
               progress=None) -> list[CheckedRow]:
    """The reading half of the preview: every row checked, nothing written (a preview job
    reports its progress meanwhile: progress(done, total))."""
    _require_open(batch)
    mappings.check_columns(batch.columns, batch.headers, batch.holds)
    table = table or batch_table(batch)
    total = len(table)
    return check_table(actor, table, batch.columns,
                       None if progress is None else lambda done: progress(done, total))


def store_preview(batch: ImportBatch, rows: list[CheckedRow]) -> None:
    """The writing half: the checked rows kept on the batch, each with its default decision."""
    _require_open(batch)
    db.session.execute(db.delete(ImportRow).where(ImportRow.batch_id == batch.id))
    values = [{"batch_id": batch.id, "line": r.line, "first_name": r.first_name,
               "last_name": r.last_name, "data": r.data, "consent": r.consent,
               "status": r.status, "errors": [list(e) for e in r.errors],
               "reasons": list(r.reasons), "duplicate_of_id": r.duplicate_of_id,
               "duplicate_of_line": r.duplicate_of_line,
               "decision": r.status.default_decision_for(batch.holds),
               "outcome": None, "beneficiary_id": None} for r in rows]
    for start in range(0, len(values), INSERT_CHUNK):
        db.session.execute(db.insert(ImportRow), values[start:start + INSERT_CHUNK])
    batch.row_count = len(rows)
    batch.counts = dict(Counter(str(r.status) for r in rows))
    batch.status = ImportStatus.PREVIEWED
    db.session.flush()


def previews_in_background(batch: ImportBatch) -> bool:
    """A file longer than IMPORT_PREVIEW_INLINE_ROWS is checked by a job, with progress."""
    return batch.row_count > int(current_app.config["IMPORT_PREVIEW_INLINE_ROWS"])


def decide(actor: User, batch: ImportBatch, *, rows: dict[int, str] | None = None,
           groups: dict[str, str] | None = None) -> int:
    """Decisions per row (a line), then per group of rows (a status): a group's decision covers
    every row of the group, those of the page sent with it too. A decision a row's status does
    not allow (importing an error, linking a new row) is refused. Returns rows changed."""
    if not batch.status.may_import:
        raise ConflictError(_l("This import can no longer be changed."))
    changed = 0
    if rows:
        found = {row.line: row for row in db.session.scalars(db.select(ImportRow).where(
            ImportRow.batch_id == batch.id, ImportRow.line.in_(list(rows))))}
        for line, decision_code in rows.items():
            decision = _parse(RowDecision, decision_code)
            row = found.get(line)
            if row is None:
                raise ValidationError(_l("Unknown row."), "decision")
            if not row.status.allows(decision, batch.holds):
                raise ValidationError(_l("Line %(line)s: this decision is not possible.",
                                         line=line), "decision")
            if row.decision != decision:
                row.decision = decision
                changed += 1
    for status_code, decision_code in (groups or {}).items():
        status, decision = _parse(RowStatus, status_code), _parse(RowDecision, decision_code)
        if not status.allows(decision, batch.holds):
            raise ValidationError(_l("This decision is not possible for these rows."), "decision")
        changed += db.session.execute(db.update(ImportRow).where(
            ImportRow.batch_id == batch.id, ImportRow.status == status,
            ImportRow.decision != decision).values(decision=decision)).rowcount  # type: ignore[attr-defined]
    db.session.flush()
    return changed


def _parse(enum, code):
    try:
        return enum(code)
    except ValueError:
        raise ValidationError(_l("Unknown decision."), "decision") from None


def _require_open(batch: ImportBatch) -> None:
    if not batch.status.is_open:
        raise ConflictError(_l("This import can no longer be changed."))


def summary(batch: ImportBatch) -> dict[str, int]:
    """Rows per status and per decision, as the preview and the command line show them."""
    counts = {str(s): 0 for s in RowStatus} | {f"decision_{d}": 0 for d in RowDecision}
    for status, decision, n in db.session.execute(
            db.select(ImportRow.status, ImportRow.decision, db.func.count())
            .where(ImportRow.batch_id == batch.id).group_by(ImportRow.status, ImportRow.decision)):
        counts[str(status)] += n
        counts[f"decision_{decision}"] += n
    return counts


# --- the import ----------------------------------------------------------------------------------

def queue(actor: User, batch: ImportBatch) -> None:
    """The batch is handed to the import job; its decisions no longer change. A batch whose
    job failed (nothing was written: the job's transaction rolled back) may be queued again."""
    job = db.session.get(Job, batch.job_id) if batch.job_id else None
    failed = batch.status is ImportStatus.QUEUED and job is not None and job.status.is_failed
    if not (batch.status.may_import or failed):
        raise ConflictError(_l("This import can no longer be started."))
    batch.status, batch.job_id = ImportStatus.QUEUED, None
    db.session.flush()


def run_import(actor: User, batch_id: int, progress=None) -> ImportBatch:
    """Create the records of the rows to import, link the duplicates, in bulk and in the
    caller's transaction; one audit row for the batch."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.status not in (ImportStatus.QUEUED, ImportStatus.PREVIEWED):
        raise ConflictError(_l("This import was already run or undone."))
    now = utcnow()
    to_create = list(db.session.execute(db.select(
        ImportRow.id, ImportRow.first_name, ImportRow.last_name, ImportRow.data,
        ImportRow.consent).where(ImportRow.batch_id == batch.id,
                                 ImportRow.decision == RowDecision.IMPORT,
                                 ImportRow.status != RowStatus.ERROR).order_by(ImportRow.line)))
    codes = reserve_references("ML", now.year, len(to_create))
    done = 0
    for start in range(0, len(to_create), INSERT_CHUNK):
        chunk = to_create[start:start + INSERT_CHUNK]
        people = [_person(actor, batch, row, code, now)
                  for row, code in zip(chunk, codes[start:start + INSERT_CHUNK], strict=True)]
        ids = list(db.session.scalars(
            db.insert(Beneficiary).returning(Beneficiary.id, sort_by_parameter_order=True),
            people))
        consents = [{"beneficiary_id": bid, "given_on": _consent_date(row.data, now.date()),
                     "notice_version": CURRENT_NOTICE_VERSION,
                     "scopes": [ConsentScope.PROCESSING.value], "recorded_by_id": actor.id,
                     "recorded_at": now} for bid, row in zip(ids, chunk, strict=True)
                    if row.consent]
        if consents:
            db.session.execute(db.insert(Consent), consents)
        db.session.execute(db.update(ImportRow), [
            {"id": row.id, "beneficiary_id": bid, "outcome": RowOutcome.CREATED}
            for bid, row in zip(ids, chunk, strict=True)])
        done += len(chunk)
        if progress:
            progress(done, len(to_create))
    db.session.execute(db.update(ImportRow).where(
        ImportRow.batch_id == batch.id, ImportRow.decision == RowDecision.LINK,
        ImportRow.duplicate_of_id.is_not(None)).values(
        outcome=RowOutcome.LINKED, beneficiary_id=ImportRow.duplicate_of_id))
    if batch.holds.has_past_dossiers:
        _link_repeated_rows(batch)
    db.session.execute(db.update(ImportRow).where(
        ImportRow.batch_id == batch.id, ImportRow.outcome.is_(None)).values(
        outcome=RowOutcome.SKIPPED))
    if batch.holds.has_past_dossiers:
        _record_past_dossiers(batch, now)
    outcomes = {outcome: n for outcome, n in db.session.execute(
        db.select(ImportRow.outcome, db.func.count()).where(ImportRow.batch_id == batch.id)
        .group_by(ImportRow.outcome))}
    batch.counts = {**{k: v for k, v in batch.counts.items() if k in set(RowStatus)},
                    **{str(k): v for k, v in outcomes.items()}}
    batch.status, batch.imported_at = ImportStatus.IMPORTED, now
    db.session.flush()
    audit.record("import.imported", actor, batch, details={
        "file": batch.file_name, **{str(k): v for k, v in outcomes.items()}})
    # The uploaded file holds everyone's data, consent or not: the rows now hold what is kept.
    (imports_root() / batch.stored_name).unlink(missing_ok=True)
    return batch


def _link_repeated_rows(batch: ImportBatch) -> None:
    """A row repeating a person of a row above (a second past dossier) goes to that row's
    person, created or linked; if the row above was skipped, so is this one."""
    person_of_line = dict(db.session.execute(db.select(ImportRow.line, ImportRow.beneficiary_id)
                                             .where(ImportRow.batch_id == batch.id,
                                                    ImportRow.beneficiary_id.is_not(None))).all())
    repeated = db.session.execute(db.select(ImportRow.id, ImportRow.duplicate_of_line).where(
        ImportRow.batch_id == batch.id, ImportRow.decision == RowDecision.LINK,
        ImportRow.status == RowStatus.FILE_DUPLICATE)).all()
    updates = [{"id": row_id, "beneficiary_id": person_of_line[line],
                "outcome": RowOutcome.LINKED} for row_id, line in repeated
               if line in person_of_line]
    if updates:
        db.session.execute(db.update(ImportRow), updates)


def _record_past_dossiers(batch: ImportBatch, now) -> None:
    """One PastDossier per row created or linked, in bulk."""
    rows = db.session.execute(db.select(ImportRow.beneficiary_id, ImportRow.data).where(
        ImportRow.batch_id == batch.id, ImportRow.beneficiary_id.is_not(None),
        ImportRow.outcome.in_([RowOutcome.CREATED, RowOutcome.LINKED])).order_by(ImportRow.line))
    values = [_past_values(batch, bid, data["past"], now) for bid, data in rows
              if data.get("past")]
    for start in range(0, len(values), INSERT_CHUNK):
        db.session.execute(db.insert(PastDossier), values[start:start + INSERT_CHUNK])


def _past_values(batch: ImportBatch, beneficiary_id: int, past: dict, now) -> dict:
    outcome = PastOutcome(past["outcome"])
    funded_on = date.fromisoformat(past["funded_on"]) if past.get("funded_on") else None
    counts_from = (funded_on or date(past["year"], 7, 1)) if outcome.is_funded else None
    return {"beneficiary_id": beneficiary_id, "programme": past["programme"],
            "year": past["year"], "title": past.get("title"),
            "sector": Sector(past["sector"]) if past.get("sector") else None,
            "outcome": outcome, "amount": past.get("amount"), "funded_on": funded_on,
            "counts_from": counts_from, "import_batch_id": batch.id, "created_at": now}


def _person(actor: User, batch: ImportBatch, row, code: str, now) -> dict:
    data = row.data if row.consent else {"region_id": row.data.get("region_id")}
    values: dict = {name: None for name in (
        "sex", "birth_date", "id_type", "id_number", "phone", "region_id", "cercle", "commune",
        "address", "category", "return_country", "return_date", "return_mode",
        "iom_case_number", "education", "skills", "skills_abroad", "household_size")}
    for name in values:
        value = data.get(name)
        if value is not None and name in _ENUMS:
            value = _ENUMS[name](value)
        elif value is not None and name in _DATES:
            value = date.fromisoformat(value)
        values[name] = value
    return {**values, "code": code, "first_name": row.first_name, "last_name": row.last_name,
            "name_key": name_key(row.first_name, row.last_name),
            "id_number_key": id_number_key(values["id_number"]),
            "birth_date_estimated": bool(data.get("birth_date_estimated")),
            "created_by_id": actor.id, "created_at": now, "updated_at": now,
            "import_batch_id": batch.id}


def _consent_date(data: dict, today: date) -> date:
    return date.fromisoformat(data["consent_date"]) if data.get("consent_date") else today


# --- undo ------------------------------------------------------------------------------------------

class BatchInUse(ConflictError):
    def __init__(self, records: list[tuple[str, str, str]]):
        super().__init__(_l("This import cannot be undone: %(count)s of its records have been "
                            "used since.", count=len(records)))
        self.records = records  # (code, name, why)


def records_in_use(batch: ImportBatch, limit: int = 200) -> list[tuple[str, str, str]]:
    """The batch's records that something has used since the import: a dossier, a consent
    recorded or withdrawn, an edit, an account, a document, a message, a referral, a review."""
    mine = db.select(Beneficiary.id).where(Beneficiary.import_batch_id == batch.id)
    reasons: dict[int, str] = {}
    imported_at = batch.imported_at or utcnow()
    checks = (
        (db.select(Application.lead_id).where(Application.lead_id.in_(mine)), _l("a dossier")),
        (db.select(ApplicationMember.beneficiary_id).where(
            ApplicationMember.beneficiary_id.in_(mine)), _l("a dossier")),
        (db.select(Consent.beneficiary_id).where(Consent.beneficiary_id.in_(mine), db.or_(
            Consent.recorded_at > imported_at, Consent.withdrawn_at.is_not(None))),
         _l("a change of consent")),
        (db.select(Beneficiary.id).where(Beneficiary.import_batch_id == batch.id, db.or_(
            Beneficiary.updated_at > imported_at, Beneficiary.user_id.is_not(None),
            Beneficiary.verification_note.is_not(None))), _l("an edit")),
        (db.select(Attachment.beneficiary_id).where(Attachment.beneficiary_id.in_(mine)),
         _l("a document")),
        (db.select(BeneficiaryRestricted.beneficiary_id).where(
            BeneficiaryRestricted.beneficiary_id.in_(mine)), _l("an edit")),
        (db.select(OutboundMessage.beneficiary_id).where(
            OutboundMessage.beneficiary_id.in_(mine)), _l("a message")),
        (db.select(ContactPreference.beneficiary_id).where(
            ContactPreference.beneficiary_id.in_(mine)), _l("an edit")),
        (db.select(Referral.beneficiary_id).where(Referral.beneficiary_id.in_(mine)),
         _l("a referral")),
        (db.select(DuplicateReview.beneficiary_id).where(
            DuplicateReview.beneficiary_id.in_(mine)), _l("a duplicate review")),
        (db.select(ImportRow.beneficiary_id).where(
            ImportRow.beneficiary_id.in_(mine), ImportRow.batch_id != batch.id,
            ImportRow.outcome == RowOutcome.LINKED), _l("a link from another import")),
    )
    for query, why in checks:
        for bid in db.session.scalars(query.limit(limit)):
            reasons.setdefault(bid, str(why))
    if not reasons:
        return []
    people = db.session.execute(db.select(Beneficiary.id, Beneficiary.code, Beneficiary.first_name,
                                          Beneficiary.last_name).where(
        Beneficiary.id.in_(sorted(reasons)[:limit])).order_by(Beneficiary.code))
    return [(code, f"{first} {last}", reasons[bid]) for bid, code, first, last in people]


def undo(actor: User, batch: ImportBatch) -> int:
    """Remove every record the batch created, if none has been used; else refuse with them."""
    if not batch.status.may_undo:
        raise ConflictError(_l("Only an import that was run can be undone."))
    in_use = records_in_use(batch)
    if in_use:
        raise BatchInUse(in_use)
    mine = db.select(Beneficiary.id).where(Beneficiary.import_batch_id == batch.id)
    db.session.execute(db.delete(PastDossier).where(PastDossier.import_batch_id == batch.id))
    db.session.execute(db.update(ImportRow).where(
        ImportRow.batch_id == batch.id, ImportRow.outcome == RowOutcome.CREATED).values(
        outcome=RowOutcome.REMOVED, beneficiary_id=None))
    db.session.execute(db.update(ImportRow).where(
        ImportRow.batch_id == batch.id, ImportRow.beneficiary_id.in_(mine)).values(
        beneficiary_id=None))  # rows of this file linked to a person it created
    db.session.execute(db.delete(Consent).where(Consent.beneficiary_id.in_(mine)))
    removed = db.session.execute(db.delete(Beneficiary).where(
        Beneficiary.import_batch_id == batch.id)).rowcount  # type: ignore[attr-defined]
    batch.status, batch.undone_at, batch.undone_by_id = ImportStatus.UNDONE, utcnow(), actor.id
    db.session.flush()
    audit.record("import.undone", actor, batch, details={"removed": removed,
                                                          "file": batch.file_name})
    return removed

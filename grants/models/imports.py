"""Bulk imports of returnees from partner spreadsheets: saved column mappings, batches and the
row-by-row preview that a batch keeps until it is imported (and after, for its report and undo)."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.database import UTCDateTime, enum_type, utcnow
from grants.extensions import Model
from grants.models.accounts import User
from grants.vocabulary import LabelledEnum, Sector


class ImportHolds(LabelledEnum):
    """What a partner's file holds, chosen at the upload."""
    PEOPLE = "people", _l("Returnees")
    PAST_DOSSIERS = "past_dossiers", _l("Returnees with their past dossiers")

    @property
    def has_past_dossiers(self) -> bool:
        return self is ImportHolds.PAST_DOSSIERS


class PastOutcome(LabelledEnum):
    FUNDED = "funded", _l("Funded")
    NOT_FUNDED = "not_funded", _l("Not funded")

    @property
    def is_funded(self) -> bool:
        return self is PastOutcome.FUNDED


class ImportStatus(LabelledEnum):
    UPLOADED = "uploaded", _l("Columns to map")
    PREVIEWED = "previewed", _l("Checked, waiting for decisions")
    QUEUED = "queued", _l("Importing")
    IMPORTED = "imported", _l("Imported")
    UNDONE = "undone", _l("Undone")
    # Uploaded but never imported for IMPORT_ABANDONED_DAYS: the file and the checked rows
    # were deleted by the retention rule.
    EXPIRED = "expired", _l("Abandoned, file deleted")

    @classmethod
    def abandoned(cls) -> tuple["ImportStatus", ...]:
        """Uploaded or checked, never sent to the import."""
        return (cls.UPLOADED, cls.PREVIEWED)

    @property
    def is_open(self) -> bool:
        """The mapping and the decisions may still change: nothing is written yet."""
        return self in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED)

    @property
    def may_import(self) -> bool:
        return self is ImportStatus.PREVIEWED

    @property
    def may_undo(self) -> bool:
        return self is ImportStatus.IMPORTED


class RowStatus(LabelledEnum):
    """What the preview found on a row."""
    NEW = "new", _l("New")
    DUPLICATE = "duplicate", _l("Already registered")
    FILE_DUPLICATE = "file_duplicate", _l("Duplicate within the file")
    ERROR = "error", _l("Error")

    @property
    def default_decision(self) -> "RowDecision":
        return {RowStatus.NEW: RowDecision.IMPORT, RowStatus.DUPLICATE: RowDecision.LINK}.get(
            self, RowDecision.SKIP)

    def default_decision_for(self, holds: "ImportHolds") -> "RowDecision":
        """In a file of past dossiers a person with two dossiers has two rows: the second is
        linked to the person of the first."""
        if self is RowStatus.FILE_DUPLICATE and holds.has_past_dossiers:
            return RowDecision.LINK
        return self.default_decision

    def allows(self, decision: "RowDecision", holds: "ImportHolds | None" = None) -> bool:
        """An error row cannot be imported; a duplicate of a registered person is linked to
        them, and in a file of past dossiers a row repeating a person to the row above."""
        if self is RowStatus.ERROR:
            return decision is RowDecision.SKIP
        if decision is RowDecision.LINK:
            return self is RowStatus.DUPLICATE or (
                self is RowStatus.FILE_DUPLICATE and holds is not None
                and holds.has_past_dossiers)
        return True


class RowDecision(LabelledEnum):
    IMPORT = "import", _l("Import")
    SKIP = "skip", _l("Skip")
    LINK = "link", _l("Link to the registered person")


class RowOutcome(LabelledEnum):
    CREATED = "created", _l("Created")
    LINKED = "linked", _l("Linked")
    SKIPPED = "skipped", _l("Skipped")
    REMOVED = "removed", _l("Removed by the undo")


class ImportMapping(Model):
    """Which column of a partner's sheet holds which field, saved under a name to reuse it."""

    __tablename__ = "import_mapping"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    columns: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # field code -> header
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ImportBatch(Model):
    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(200))  # as uploaded, for the pages
    stored_name: Mapped[str] = mapped_column(String(80))  # under instance/imports/
    headers: Mapped[list] = mapped_column(sa.JSON, default=list)
    columns: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # the mapping used
    mapping_name: Mapped[str | None] = mapped_column(String(80))
    holds: Mapped[ImportHolds] = mapped_column(enum_type(ImportHolds, 16),
                                               default=ImportHolds.PEOPLE,
                                               server_default="people")
    status: Mapped[ImportStatus] = mapped_column(enum_type(ImportStatus, 16),
                                                 default=ImportStatus.UPLOADED, index=True)
    row_count: Mapped[int] = mapped_column(default=0)
    counts: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # per status, then per outcome
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])


class ImportRow(Model):
    """One line of the file as the preview read it: the cleaned values, what is wrong, whom it
    duplicates, the decision, and what the import did with it."""

    __tablename__ = "import_row"
    __table_args__ = (sa.UniqueConstraint("batch_id", "line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id", ondelete="CASCADE"))
    line: Mapped[int]  # the line in the spreadsheet (the header is line 1)
    first_name: Mapped[str] = mapped_column(String(80), default="")
    last_name: Mapped[str] = mapped_column(String(80), default="")
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # cleaned values, dates in ISO
    consent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[RowStatus] = mapped_column(enum_type(RowStatus, 16), index=True)
    errors: Mapped[list] = mapped_column(sa.JSON, default=list)  # [[field, message], ...]
    reasons: Mapped[list] = mapped_column(sa.JSON, default=list)  # why a duplicate
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("beneficiary.id", ondelete="SET NULL"))
    duplicate_of_line: Mapped[int | None]
    decision: Mapped[RowDecision] = mapped_column(enum_type(RowDecision, 16))
    outcome: Mapped[RowOutcome | None] = mapped_column(enum_type(RowOutcome, 16))
    beneficiary_id: Mapped[int | None] = mapped_column(
        ForeignKey("beneficiary.id", ondelete="SET NULL"), index=True)


class PastDossier(Model):
    """A returnee's dossier of an earlier call or programme, imported for history and for the
    one-grant-per-person rule. Never an Application: it stays out of the money chain, the
    committees and the programme's figures."""

    __tablename__ = "past_dossier"

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiary.id"), index=True)
    programme: Mapped[str] = mapped_column(String(120))  # the call, programme or partner
    year: Mapped[int]
    title: Mapped[str | None] = mapped_column(String(200))
    sector: Mapped[Sector | None] = mapped_column(enum_type(Sector, 16))
    outcome: Mapped[PastOutcome] = mapped_column(enum_type(PastOutcome, 16))
    amount: Mapped[int | None] = mapped_column(BigInteger)  # whole F CFA
    funded_on: Mapped[date | None]
    # The day the one-grant rule counts from: the funding date, else 1 July of its year; only
    # for a funded dossier (an index makes the rule's query a range scan).
    counts_from: Mapped[date | None] = mapped_column(index=True)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"),
                                                        index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

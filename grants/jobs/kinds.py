"""What each kind of job does, from its plain parameters: the user who asked is reloaded and
their permission checked again when the job runs (it may have changed since)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grants.extensions import db
from grants.models import CommitteeSession, User
from grants.permissions import Permission, can
from grants.services.errors import ConflictError

ProgressFn = Callable[..., None]  # progress(done, total=None)


@dataclass(frozen=True)
class FileResult:
    path: Path  # a temporary file, moved under instance/jobs/
    download_name: str


@dataclass(frozen=True)
class Kind:
    title: object  # a lazy translation, shown in the list of jobs
    permission: Permission
    run: Callable[[User, dict, ProgressFn], FileResult | None]
    writes: bool = False  # the work writes to the database (in the job's transaction)


def _applications(user: User, params: dict, progress: ProgressFn) -> FileResult:
    from grants.exports.applications import write_applications_xlsx
    from grants.services.intake.queries import Filters

    filters = Filters(**params["filters"])
    return FileResult(write_applications_xlsx(user, filters, progress),
                      f"dossiers-{date.today()}.xlsx")


def _visits(user: User, params: dict, progress: ProgressFn) -> FileResult:
    from grants.exports.visits import write_visits_xlsx

    today = date.fromisoformat(params["today"])
    return FileResult(write_visits_xlsx(user, bool(params.get("overdue")), today, progress),
                      f"visites-{today}.xlsx")


def _session(user: User, params: dict, permission: Permission) -> CommitteeSession:
    meeting = db.session.get(CommitteeSession, params["session_id"])
    if meeting is None or not can(user, permission, meeting):
        raise ConflictError(_("This committee session no longer exists or is no longer yours."))
    return meeting


def _ranking(user: User, params: dict, progress: ProgressFn) -> FileResult:
    from grants.exports.ranking import write_ranking_xlsx
    from grants.services.committees import scoring

    meeting = _session(user, params, Permission.COMMITTEE_VIEW)
    if not scoring.may_see_ranking(user, meeting):
        raise ConflictError(_("The ranking of this session cannot be seen yet."))
    path = write_ranking_xlsx(meeting, hidden=scoring.recused_ids(user, meeting))
    return FileResult(path, f"classement-{meeting.reference}-{date.today()}.xlsx")


def _register(user: User, params: dict, progress: ProgressFn) -> FileResult:
    from grants.exports.ledger import write_register_xlsx
    from grants.services.money.register import RegisterFilters

    values = dict(params["filters"])
    for name in ("start", "end"):
        values[name] = date.fromisoformat(values[name]) if values.get(name) else None
    return FileResult(write_register_xlsx(RegisterFilters(**values)),
                      f"registre-{date.today()}.xlsx")


def _execution(user: User, params: dict, progress: ProgressFn) -> FileResult:
    from grants.exports.budget import write_execution_xlsx
    from grants.permissions import region_scope
    from grants.reporting.filters import ReportFilter

    values = dict(params["filters"])
    for name in ("start", "end"):
        values[name] = date.fromisoformat(values[name]) if values.get(name) else None
    flt = ReportFilter(scope=region_scope(user, Permission.FINANCE_VIEW), **values)
    return FileResult(write_execution_xlsx(flt, progress),
                      f"execution-budgetaire-{date.today()}.xlsx")


def _minutes(user: User, params: dict, progress: ProgressFn) -> None:
    from grants.services.committees import minutes

    meeting = _session(user, params, Permission.SELECTION_DECIDE)
    # The committees' generate() may report its own progress; older versions do not.
    if "progress" in inspect.signature(minutes.generate).parameters:
        minutes.generate(user, meeting, progress=progress)  # type: ignore[call-arg]
    else:
        minutes.generate(user, meeting)
    return None


def _weights(user: User, params: dict, progress: ProgressFn) -> None:
    from grants.services.followup import sustainability

    sustainability.replace_weight_set(
        user, name=params["name"], official=bool(params["official"]),
        threshold=float(params["threshold"]),
        weights={code: float(weight) for code, weight in params["weights"].items()})
    return None


def _indicators(user: User, params: dict, progress: ProgressFn) -> None:
    from grants.reporting import issued

    issued.issue(user, params, date.fromisoformat(params["today"]), progress)
    return None


def _audit(user: User, params: dict, progress: ProgressFn) -> FileResult:
    from grants.exports.audit import write_audit_xlsx

    filters = dict(params["filters"])
    for name in ("start", "end"):
        filters[name] = date.fromisoformat(filters[name]) if filters.get(name) else None
    return FileResult(write_audit_xlsx(filters, progress), f"journal-audit-{date.today()}.xlsx")


def _preview(user: User, params: dict, progress: ProgressFn) -> None:
    """Check a large file's rows with progress (a reading: on SQLite the progress connection may
    write meanwhile), then keep them on the batch in a short writing transaction of its own."""
    from grants.database import exclusive_transaction
    from grants.models import ImportBatch
    from grants.services.imports import batches

    batch = db.session.get(ImportBatch, int(params["batch_id"]))
    if batch is None:
        raise ConflictError(_("This import no longer exists."))
    rows = batches.check_rows(user, batch, progress=progress)
    exclusive_transaction(db.session)
    batches.store_preview(db.session.get_one(ImportBatch, int(params["batch_id"])), rows)
    db.session.commit()  # before the runner marks the job done (its read transaction ends)


def _import(user: User, params: dict, progress: ProgressFn) -> FileResult:
    from grants.exports.import_report import report_name, write_report
    from grants.services.imports import batches

    batch = batches.run_import(user, int(params["batch_id"]), progress)
    return FileResult(write_report(batch), report_name(batch))


KINDS: dict[str, Kind] = {
    "applications.xlsx": Kind(_l("Applications (Excel)"), Permission.APPLICATION_EXPORT,
                              _applications),
    "visits.xlsx": Kind(_l("Visits (Excel)"), Permission.VISIT_VIEW, _visits),
    "audit.xlsx": Kind(_l("Audit log (Excel)"), Permission.AUDIT_VIEW, _audit),
    "ranking.xlsx": Kind(_l("Committee ranking (Excel)"), Permission.COMMITTEE_VIEW, _ranking),
    "register.xlsx": Kind(_l("Disbursement register (Excel)"), Permission.FINANCE_VIEW,
                          _register),
    "execution.xlsx": Kind(_l("Budget execution (Excel)"), Permission.FINANCE_VIEW,
                           _execution),
    "minutes": Kind(_l("Committee minutes (PDF)"), Permission.SELECTION_DECIDE, _minutes,
                    writes=True),
    "indicators": Kind(_l("Indicator report (Excel, PDF, CSV)"), Permission.REPORT_ISSUE,
                       _indicators, writes=True),
    "weights": Kind(_l("New weights of the questionnaire: scores recomputed"),
                    Permission.PROGRAMME_MANAGE, _weights, writes=True),
    "beneficiaries.preview": Kind(_l("Check of a list of returnees before import"),
                                  Permission.BENEFICIARY_IMPORT, _preview),
    "beneficiaries.import": Kind(_l("Import of returnees (report in Excel)"),
                                 Permission.BENEFICIARY_IMPORT, _import, writes=True),
}


def plain(value):
    """A parameter as JSON stores it: dates become ISO strings, nothing else is accepted."""
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    raise TypeError(f"a job parameter must be a plain value, not {type(value).__name__}")

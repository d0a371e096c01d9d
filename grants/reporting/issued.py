"""Issuing the indicator report: a new version, frozen. Its three files (xlsx, PDF, CSV) are
written once under instance/indicator_reports/ ("x" mode: never overwritten), their SHA-256
stored with who issued it, when and for which filter; the rows are append-only. Runs as the
"indicators" job (grants/jobs/kinds.py)."""

import hashlib
import tempfile
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from grants.extensions import db
from grants.models import (
    BudgetEnvelope,
    Call,
    IndicatorReport,
    IndicatorReportFile,
    Region,
    User,
)
from grants.permissions import Permission, can, region_scope
from grants.reporting.filters import ReportFilter
from grants.reporting.indicators import build
from grants.services import audit
from grants.services.errors import ForbiddenError

FILTER_FIELDS = ("start", "end", "envelope_id", "call_id", "region_id")
SECTION_STEPS = 6  # progress: the sections, then the three files and the record
TOTAL_STEPS = SECTION_STEPS + 4


def reports_root() -> Path:
    return Path(current_app.instance_path) / "indicator_reports"


def report_filter(user: User, params: dict) -> ReportFilter:
    """The filter of a job's plain parameters, within the user's scope."""
    values = {name: params.get(name) for name in FILTER_FIELDS}
    for name in ("start", "end"):
        text = values[name]
        values[name] = date.fromisoformat(text) if isinstance(text, str) and text else None
    return ReportFilter.for_viewer(user, **values)


def _names(flt: ReportFilter) -> dict[str, str]:
    names = {}
    for key, model, column, value in (("envelope", BudgetEnvelope, BudgetEnvelope.name,
                                       flt.envelope_id),
                                      ("call", Call, Call.title, flt.call_id),
                                      ("region", Region, Region.name, flt.region_id)):
        if value is not None:
            names[key] = db.session.scalar(sa.select(column).where(model.id == value)) or ""
    return names


def _store(data: bytes, extension: str, version: int) -> tuple[str, str, int]:
    root = reports_root()
    root.mkdir(parents=True, exist_ok=True)
    name = f"indicateurs-v{version}-{uuid.uuid4().hex[:12]}.{extension}"
    with open(root / name, "xb") as handle:
        handle.write(data)
    return name, hashlib.sha256(data).hexdigest(), len(data)


def issue(user: User, params: dict, today: date,
          progress: Callable[[int, int], None] | None = None) -> IndicatorReport:
    """Build the report for `params` (plain filter values) and freeze it as a new version."""
    from grants.exports.indicators import write_csv, write_pdf, write_xlsx

    if not can(user, Permission.REPORT_ISSUE):
        raise ForbiddenError(_l("You may not issue the indicator report."))
    step = progress or (lambda done, total: None)
    flt = report_filter(user, params)
    with force_locale("fr"):  # the report is an official French document
        report = build(flt, today, lambda done, _total: step(done, TOTAL_STEPS))
        names = _names(flt)
        version = 1 + (db.session.scalar(sa.select(sa.func.max(IndicatorReport.version))) or 0)
        with tempfile.TemporaryDirectory() as folder:
            path = write_xlsx(report, Path(folder) / "report.xlsx", names)
            workbook = path.read_bytes()
        step(SECTION_STEPS + 1, TOTAL_STEPS)
        pdf = write_pdf(report, names, version)
        step(SECTION_STEPS + 2, TOTAL_STEPS)
        csv = write_csv(report)
    step(SECTION_STEPS + 3, TOTAL_STEPS)
    issued = IndicatorReport(version=version, period_start=flt.start, period_end=flt.end,
                             envelope_id=flt.envelope_id, call_id=flt.call_id,
                             region_id=flt.region_id, issued_by_id=user.id,
                             filters={name: params.get(name) for name in FILTER_FIELDS})
    db.session.add(issued)
    db.session.flush()
    for extension, data in (("xlsx", workbook), ("pdf", pdf), ("csv", csv)):
        stored_name, sha256, size = _store(data, extension, version)
        db.session.add(IndicatorReportFile(report_id=issued.id, format=extension,
                                           stored_name=stored_name, sha256=sha256, size=size))
    db.session.flush()
    audit.record("report.issued", user, issued, details={
        "version": version, "filters": issued.filters,
        "sha256": {f.format: f.sha256 for f in db.session.scalars(sa.select(
            IndicatorReportFile).where(IndicatorReportFile.report_id == issued.id))}})
    step(TOTAL_STEPS, TOTAL_STEPS)
    return issued


def visible_reports(user: User) -> sa.Select:
    """The versions `user` may see, newest first: a viewer limited to some regions sees the
    versions issued for one of them only (a national version shows the other regions)."""
    query = sa.select(IndicatorReport).order_by(IndicatorReport.version.desc())
    scope = region_scope(user, Permission.REPORT_VIEW)
    if scope is not None:
        query = query.where(IndicatorReport.region_id.in_(sorted(scope)) if scope else sa.false())
    return query


def file_path(report_file: IndicatorReportFile) -> Path:
    path = (reports_root() / report_file.stored_name).resolve()
    if not path.is_relative_to(reports_root().resolve()):
        raise ValueError("bad report file name")
    return path

"""The donor and CNRM indicator report: the issued versions (each frozen, with its SHA-256),
their downloads, and the form that issues a new one in the background."""

from datetime import date

from flask import abort, current_app, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from grants import jobs
from grants.blueprints.reports import bp
from grants.blueprints.reports.forms import IssueForm
from grants.extensions import db
from grants.models import REPORT_FORMATS, IndicatorReport, IndicatorReportFile
from grants.paging import paginate
from grants.permissions import Permission, can, region_scope, require
from grants.reporting.issued import file_path, visible_reports

MIMETYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


def _form() -> IssueForm:
    return IssueForm(regions=region_scope(current_user, Permission.REPORT_ISSUE))


def _page(form: IssueForm | None):
    query = visible_reports(current_user).options(
        selectinload(IndicatorReport.files), joinedload(IndicatorReport.issued_by),
        joinedload(IndicatorReport.envelope), joinedload(IndicatorReport.call),
        joinedload(IndicatorReport.region))
    page = paginate(query, per_page=current_app.config["PAGE_SIZE"])
    return render_template("reports/indicators.html", page=page, form=form,
                           formats=REPORT_FORMATS)


@bp.route("/indicateurs")
@require(Permission.REPORT_VIEW)
def indicators():
    return _page(_form() if can(current_user, Permission.REPORT_ISSUE) else None)


@bp.route("/indicateurs/emettre", methods=["POST"])
@require(Permission.REPORT_ISSUE)
def issue_indicators():
    form = _form()
    if not form.validate_on_submit():
        return _page(form)
    job = jobs.start("indicators", {**form.parameters(), "today": date.today().isoformat()})
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/indicateurs/<int:report_id>.<any(xlsx, pdf, csv):file_format>")
@require(Permission.REPORT_VIEW)
def download(report_id: int, file_format: str):
    report = db.session.scalar(visible_reports(current_user).where(
        IndicatorReport.id == report_id))
    if report is None:
        abort(404)
    stored = db.session.scalar(db.select(IndicatorReportFile).where(
        IndicatorReportFile.report_id == report.id, IndicatorReportFile.format == file_format))
    if stored is None:
        abort(404)
    path = file_path(stored)
    if not path.is_file():
        abort(404)
    name = _("indicators") + f"-v{report.version}.{file_format}"
    return send_file(path, as_attachment=True, download_name=name,
                     mimetype=MIMETYPES[file_format])

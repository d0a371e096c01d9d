"""Importing a partner's list: upload, mapping, preview with decisions, the import (a job),
the report, the batches and their undo. Nothing is written to the registry before the import."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grants import jobs
from grants.blueprints.imports import bp
from grants.blueprints.imports.forms import UploadForm, decisions_form, mapping_form
from grants.exports.import_report import report_name, write_report
from grants.exports.xlsx import Column, XlsxWriter, send_xlsx, temporary_xlsx
from grants.extensions import db
from grants.forms import ConfirmForm, attempt, choices, posted
from grants.models import (
    ImportBatch,
    ImportHolds,
    ImportRow,
    Job,
    PastOutcome,
    RowDecision,
    RowStatus,
)
from grants.paging import paginate
from grants.permissions import Permission, get_or_404, require
from grants.services.errors import ValidationError
from grants.services.imports import batches, mapping
from grants.services.imports.mapping import ALL_FIELDS, fields_for

MAX_LINE = 10**7  # row decisions name lines; nothing beyond a file's possible length


def _batch(batch_id: int) -> ImportBatch:
    return get_or_404(ImportBatch, batch_id, Permission.BENEFICIARY_IMPORT)


@bp.route("/", methods=["GET", "POST"])
@require(Permission.BENEFICIARY_IMPORT)
def index():
    form = UploadForm()
    form.mapping.choices = choices([("", _("Propose one from the headers"))] + [
        (m.name, m.name) for m in mapping.saved_mappings()])
    if form.validate_on_submit():
        content = form.file.data.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)

        def upload():
            holds = ImportHolds(form.holds.data)
            batch, table = batches.upload(current_user, content, form.file.data.filename or "",
                                          holds)
            saved = mapping.find_mapping(form.mapping.data) if form.mapping.data else None
            if saved is not None:
                batch.columns = mapping.apply_saved(saved, table.headers, holds)
                batch.mapping_name = saved.name
            return batch

        done = attempt(upload, form)
        if done:
            return redirect(url_for("imports.columns", batch_id=done.value.id))
    page = paginate(db.select(ImportBatch).order_by(ImportBatch.id.desc()),
                    per_page=current_app.config["PAGE_SIZE"])
    return render_template("imports/index.html", form=form, page=page)


@bp.route("/modele.xlsx")
@require(Permission.BENEFICIARY_IMPORT)
def template():
    """The expected columns with an example row (?contenu=past_dossiers: with the past
    dossier's columns)."""
    past = request.args.get("contenu") == ImportHolds.PAST_DOSSIERS.value
    fields = fields_for(ImportHolds.PAST_DOSSIERS if past else ImportHolds.PEOPLE)
    path = temporary_xlsx()
    with XlsxWriter(path) as writer:
        sheet = writer.add_sheet(_("Returnees"), [Column(str(f.label), "text", 18)
                                                  for f in fields])
        sheet.write_row([f.example for f in fields])
    name = "modele-import-dossiers-anterieurs.xlsx" if past else "modele-import-beneficiaires.xlsx"
    return send_xlsx(path, name)


@bp.route("/<int:batch_id>/colonnes", methods=["GET", "POST"])
@require(Permission.BENEFICIARY_IMPORT)
def columns(batch_id: int):
    batch = _batch(batch_id)
    if not batch.status.is_open:
        return redirect(url_for("imports.batch", batch_id=batch.id))
    fields = fields_for(batch.holds)
    form = mapping_form(batch.headers, batch.columns, fields=fields)
    if form.validate_on_submit():
        chosen = {f.code: getattr(form, f"col_{f.code}").data or "" for f in fields}
        background = batches.previews_in_background(batch)

        def check():
            batches.set_columns(current_user, batch, chosen, form.save_as.data)
            if not background:
                batches.preview(current_user, batch)

        done = attempt(check, form)
        if done and background:
            return _start_preview(batch.id)
        if done:
            flash(_("%(count)s rows checked: nothing is written until you import.",
                    count=batch.row_count), "success")
            return redirect(url_for("imports.batch", batch_id=batch.id))
    return render_template("imports/columns.html", batch=batch, form=form, fields=fields)


def _start_preview(batch_id: int):
    """A large file is checked by a job: its page shows the progress, then leads to the
    batch's page, the same preview as a small file's."""
    job = jobs.start("beneficiaries.preview", {"batch_id": batch_id})
    batch = _batch(batch_id)
    if batch.job_id != job.id:
        batch.job_id = job.id
        db.session.commit()
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/<int:batch_id>", methods=["GET", "POST"])
@require(Permission.BENEFICIARY_IMPORT)
def batch(batch_id: int):
    batch = _batch(batch_id)
    form = decisions_form(batch.holds)
    if request.method == "POST" and batch.status.may_import and form.validate_on_submit():
        groups = {name[len("group_"):]: getattr(form, name).data for name in
                  ("group_new", "group_duplicate", "group_file_duplicate")
                  if getattr(form, name).data}
        done = attempt(lambda: batches.decide(current_user, batch, rows=_row_decisions(),
                                              groups=groups), form)
        if done:
            flash(_("Decisions saved: %(count)s rows changed.", count=done.value), "success")
            return redirect(request.url)
    return _batch_page(batch, form)


def _row_decisions() -> dict[int, str]:
    """The selects row-<line> of the page, read defensively: a name or value no page sends is
    refused by the service, not by a crash."""
    decisions: dict[int, str] = {}
    for name, value in request.form.items():
        if not name.startswith("row-"):
            continue
        line = name[4:]
        if not line.isdigit() or not 0 < int(line) < MAX_LINE:
            raise ValidationError(_("Unknown row."), "decision")
        decisions[int(line)] = value
    return decisions


def _batch_page(batch: ImportBatch, form=None, in_use=None):
    show = request.args.get("etat", "")
    query = db.select(ImportRow).where(ImportRow.batch_id == batch.id)
    if show in {s.value for s in RowStatus}:
        query = query.where(ImportRow.status == show)
    else:
        show = ""
    page = paginate(query.order_by(ImportRow.line), per_page=current_app.config["PAGE_SIZE"])
    job = db.session.get(Job, batch.job_id) if batch.job_id else None
    return render_template("imports/batch.html", batch=batch, page=page, show=show,
                           form=form or decisions_form(batch.holds, formdata=None), job=job,
                           summary=batches.summary(batch), confirm=ConfirmForm(),
                           statuses=list(RowStatus), decisions=list(RowDecision),
                           outcomes={o.value: o.label for o in PastOutcome},
                           in_use=in_use, labels={f.code: f.label for f in ALL_FIELDS})


@bp.route("/<int:batch_id>/lancer", methods=["POST"])
@require(Permission.BENEFICIARY_IMPORT)
def start(batch_id: int):
    batch = _batch(batch_id)
    if not posted(ConfirmForm()):
        return redirect(url_for("imports.batch", batch_id=batch.id))
    if not attempt(lambda: batches.queue(current_user, batch)):
        return redirect(url_for("imports.batch", batch_id=batch.id))
    job = jobs.start("beneficiaries.import", {"batch_id": batch.id})
    batch = _batch(batch_id)
    if batch.job_id is None:
        batch.job_id = job.id
        db.session.commit()
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/<int:batch_id>/rapport.xlsx")
@require(Permission.BENEFICIARY_IMPORT)
def report(batch_id: int):
    batch = _batch(batch_id)
    return send_xlsx(write_report(batch), report_name(batch))


@bp.route("/<int:batch_id>/annuler", methods=["POST"])
@require(Permission.BENEFICIARY_IMPORT)
def undo(batch_id: int):
    batch = _batch(batch_id)
    if not posted(ConfirmForm()):
        return redirect(url_for("imports.batch", batch_id=batch.id))
    in_use: list = []

    def run():
        try:
            return batches.undo(current_user, batch)
        except batches.BatchInUse as refused:
            in_use.extend(refused.records)
            raise

    done = attempt(run)
    if in_use:
        return _batch_page(_batch(batch_id), in_use=in_use)
    if done:
        flash(_("Import undone: %(count)s records removed.", count=done.value), "success")
    return redirect(url_for("imports.batch", batch_id=batch.id))

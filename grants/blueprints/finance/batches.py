"""Mobile-money batches: prepare, download the bulk file, approve, take a tranche out, import the
results (each line's outcome on a report page of its own)."""

from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grants.blueprints.finance import bp
from grants.blueprints.finance.forms import BatchFilterForm, BatchForm, RemoveLineForm, ResultsForm
from grants.exports.mobile_money import bulk_rows
from grants.extensions import db
from grants.forms import ConfirmForm, attempt, choices, filtered
from grants.models import BatchStatus, Channel, PaymentBatch
from grants.permissions import Permission, require
from grants.services.errors import DomainError
from grants.services.money import batches


def _batch_or_404(batch_id: int) -> PaymentBatch:
    batch = db.session.get(PaymentBatch, batch_id)
    if batch is None:
        abort(404)
    return batch


def _operator() -> Channel:
    code = request.values.get("operator")
    wallets = (Channel.ORANGE_MONEY.value, Channel.MOOV_MONEY.value)
    return Channel(code) if code in wallets else Channel.ORANGE_MONEY


def _batch_form(operator: Channel) -> tuple[BatchForm, list]:
    form = BatchForm(operator=operator.value)
    candidates = batches.batchable(operator)
    form.tranches.choices = choices((t.id, f"{t.order_number} — {t.grant.number}")
                                    for t in candidates)
    return form, candidates


def _batch_page(form, operator, candidates):
    batch_filter = filtered(BatchFilterForm(request.args))
    query = db.select(PaymentBatch).order_by(PaymentBatch.id.desc())
    if batch_filter.etat.data:
        query = query.where(PaymentBatch.status == BatchStatus(batch_filter.etat.data))
    recent = db.session.scalars(query.limit(50)).all()
    return render_template("finance/batches.html", form=form, batches=recent, operator=operator,
                           candidates=candidates, batch_filter=batch_filter)


@bp.route("/lots")
@require(Permission.FINANCE_VIEW)
def batch_list():
    operator = _operator()
    form, candidates = _batch_form(operator)
    return _batch_page(form, operator, candidates)


@bp.route("/lots/nouveau", methods=["POST"])
@require(Permission.GRANT_MANAGE)
def new_batch():
    operator = _operator()
    form, candidates = _batch_form(operator)
    if form.validate_on_submit():
        done = attempt(lambda: batches.create_batch(current_user, operator, form.tranches.data),
                       form)
        if done:
            flash(_("The batch %(ref)s is prepared.", ref=done.value.reference), "success")
            return redirect(url_for("finance.batch", batch_id=done.value.id))
    return _batch_page(form, operator, candidates)


def _remove_form(line_id: int, **kwargs) -> RemoveLineForm:
    return RemoveLineForm(prefix=f"line{line_id}", **kwargs)  # one form per line, unique ids


def _batch_detail(batch: PaymentBatch, results_form=None, posted: dict | None = None):
    """The batch page; `posted`: the removal form of a line posted with an error."""
    remove_forms = {line.id: _remove_form(line.id, formdata=None) for line in batch.lines}
    remove_forms.update(posted or {})
    return render_template("finance/batch.html", batch=batch, confirm=ConfirmForm(),
                           form=results_form or ResultsForm(formdata=None),
                           remove_forms=remove_forms)


@bp.route("/lots/<int:batch_id>")
@require(Permission.FINANCE_VIEW)
def batch(batch_id: int):
    return _batch_detail(_batch_or_404(batch_id))


@bp.route("/lots/<int:batch_id>/resultats", methods=["POST"])
@require(Permission.PAYMENT_EXECUTE)
def import_results(batch_id: int):
    """Each line of the operator's file is applied (and committed) on its own; the report of
    every line is a page of its own (a long file would not fit in flashed messages)."""
    batch = _batch_or_404(batch_id)
    form = ResultsForm()
    if not form.validate_on_submit():
        return _batch_detail(batch, results_form=form)
    text = form.file.data.read().decode("utf-8-sig", "replace")
    rows = batches.parse_results(text)
    settled = batches.settled_outcomes(batch_id, rows)
    report = []
    for row in rows:  # a line the batch already answers needs no transaction of its own
        known = settled.get(row.number) if isinstance(row, batches.ResultRow) else None
        report.append(known or _apply(batch_id, row))
    return render_template("finance/batch_results.html", batch=_batch_or_404(batch_id),
                           report=report)


def _apply(batch_id: int, row) -> batches.LineReport:
    if isinstance(row, batches.LineReport):  # unreadable: nothing to apply
        return row
    try:
        report = batches.apply_result(current_user, batch_id, row)
    except DomainError as error:
        db.session.rollback()
        return batches.LineReport(row.number, row.reference, batches.Outcome.REFUSED,
                                  str(error.message))
    db.session.commit()
    return report


@bp.route("/lots/<int:batch_id>/fichier.csv")
@require(Permission.FINANCE_VIEW)
def batch_file(batch_id: int):
    batch = _batch_or_404(batch_id)
    return Response(stream_with_context(bulk_rows(batch.lines_to_pay)),
                    mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={batch.reference}.csv"})


@bp.route("/lots/<int:batch_id>/approuver", methods=["POST"])
@require(Permission.PAYMENT_EXECUTE)
def approve_batch(batch_id: int):
    _batch_or_404(batch_id)
    if ConfirmForm().validate_on_submit() and attempt(lambda: batches.approve(current_user,
                                                                              batch_id)):
        flash(_("The batch is approved: send the file to the operator, then import its "
                "results."), "success")
    return redirect(url_for("finance.batch", batch_id=batch_id))


@bp.route("/lots/<int:batch_id>/lignes/<int:line_id>/retirer", methods=["POST"])
@require(Permission.GRANT_MANAGE)
def remove_line(batch_id: int, line_id: int):
    batch = _batch_or_404(batch_id)
    line = next((line for line in batch.lines if line.id == line_id), None)
    if line is None:
        abort(404)
    if not line.result.is_pending:
        flash(_("This line no longer waits in the batch: nothing was changed."), "warning")
        return redirect(url_for("finance.batch", batch_id=batch_id))
    form = _remove_form(line_id)
    if form.validate_on_submit() and attempt(lambda: batches.remove_line(
            current_user, batch_id, line_id, form.reason.data), form):
        flash(_("The tranche is out of the batch: it can be paid on its own."), "success")
        return redirect(url_for("finance.batch", batch_id=batch_id))
    for error in form.form_errors:  # the batch changed meanwhile: shown above the page
        flash(error, "danger")
    if form.form_errors:
        return redirect(url_for("finance.batch", batch_id=batch_id))
    return _batch_detail(_batch_or_404(batch_id), posted={line_id: form})

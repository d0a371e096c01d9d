"""Mobile-money batches: prepare, download the bulk file, approve, import the results."""

from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grants.blueprints.finance import bp
from grants.blueprints.finance.forms import BatchForm, ResultsForm
from grants.extensions import db
from grants.forms import ConfirmForm, attempt, choices, posted
from grants.models import Channel, PaymentBatch
from grants.permissions import Permission, require
from grants.services import batches


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
    recent = db.session.scalars(db.select(PaymentBatch).order_by(PaymentBatch.id.desc())
                                .limit(50)).all()
    return render_template("finance/batches.html", form=form, batches=recent, operator=operator,
                           candidates=candidates)


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


@bp.route("/lots/<int:batch_id>")
@require(Permission.FINANCE_VIEW)
def batch(batch_id: int):
    return render_template("finance/batch.html", batch=_batch_or_404(batch_id),
                           form=ResultsForm(formdata=None), confirm=ConfirmForm())


@bp.route("/lots/<int:batch_id>/resultats", methods=["POST"])
@require(Permission.PAYMENT_EXECUTE)
def import_results(batch_id: int):
    """Each line of the operator's file is applied (and committed) on its own."""
    batch = _batch_or_404(batch_id)
    form = ResultsForm()
    if not posted(form):
        return redirect(url_for("finance.batch", batch_id=batch_id))
    rows, errors = batches.parse_results(form.file.data.read().decode("utf-8-sig", "replace"))
    for row in rows:
        line = batches.line_for(batch, row.reference)
        if line is None:
            errors.append(_("Line %(n)d: no line of this batch has the reference %(ref)s.",
                            n=row.number, ref=row.reference))
            continue
        attempt(lambda line_id=line.id, row=row: batches.apply_result(
            current_user, batch_id, line_id, row.success, row.operator_reference))
        batch = _batch_or_404(batch_id)  # reloaded after each committed line
    for error in errors:
        flash(error, "warning")
    flash(_("Results imported."), "success")
    return redirect(url_for("finance.batch", batch_id=batch_id))


@bp.route("/lots/<int:batch_id>/fichier.csv")
@require(Permission.FINANCE_VIEW)
def batch_file(batch_id: int):
    batch = _batch_or_404(batch_id)
    return Response(stream_with_context(batches.bulk_file(batch)),
                    mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={batch.reference}.csv"})


@bp.route("/lots/<int:batch_id>/approuver", methods=["POST"])
@require(Permission.PAYMENT_EXECUTE)
def approve_batch(batch_id: int):
    batch = _batch_or_404(batch_id)
    if ConfirmForm().validate_on_submit() and attempt(lambda: batches.approve(current_user,
                                                                              batch)):
        flash(_("The batch is approved: send the file to the operator, then import its "
                "results."), "success")
    return redirect(url_for("finance.batch", batch_id=batch_id))

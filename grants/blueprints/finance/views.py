"""Finance pages: agreements, the payment chain (order by the officer, payment by the
accountant), reversals and cancellations, and the envelopes' accounts."""

import io
from datetime import date

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from grants.blueprints.finance import bp, home
from grants.blueprints.finance.forms import (
    AgreementForm,
    MoneyForm,
    PayForm,
    ReasonMoneyForm,
    SignedCopyForm,
    SignForm,
    TrancheFilterForm,
)
from grants.extensions import db
from grants.filter_forms import drawn_filters
from grants.forms import attempt, form_messages, hidden_field_messages, posted
from grants.models import (
    AgreementCopy,
    Application,
    BudgetEnvelope,
    Channel,
    Grant,
    GrantStatus,
    Payment,
    Tranche,
    TrancheStatus,
)
from grants.paging import page_arg
from grants.permissions import Permission, can, get_or_404, require
from grants.services.money import agreements, batches, payments
from grants.storage import send_stored

# A page on screen, oldest first (the downloads hold everything): 50 movements, as a printed
# ledger's page; 100 made a page of some 25 screens on a phone, and cost twice as much to draw.
REGISTER_PAGE_ROWS = 50
MAX_REGISTER_PAGE = 2000  # a page is read from the first movement on: further, download
FINANCE_PAGE_ROWS = 25  # each list of the finance home


@bp.route("/")
@require(Permission.FINANCE_VIEW)
def index():
    """The envelopes, then three lists each paginated on its own (`attente`, `tranches`, `page`):
    the same few statements whatever the number of agreements."""
    tranche_filter = drawn_filters(TrancheFilterForm, "finance/_tranche_filter.html")
    asked = tranche_filter.values["etat"]
    waiting = [TrancheStatus(asked)] if asked else [TrancheStatus.ELIGIBLE, TrancheStatus.ORDERED]
    tranches = home.rows_page(home.tranches_query(waiting), FINANCE_PAGE_ROWS, "tranches")
    # Only those who draft agreements see the dossiers waiting for one.
    awaiting = (home.rows_page(home.awaiting_query(), FINANCE_PAGE_ROWS, "attente")
                if can(current_user, Permission.GRANT_MANAGE) else None)
    grants = home.rows_page(home.agreements_query(), FINANCE_PAGE_ROWS, "page")
    return render_template("finance/index.html", grants=grants, tranches=tranches,
                           awaiting=awaiting, envelopes=home.envelopes(),
                           tranche_filter=tranche_filter, tranche_labels=home.labels(TrancheStatus),
                           grant_labels=home.labels(GrantStatus),
                           channel_labels=home.labels(Channel))


@bp.route("/conventions/nouvelle/<int:application_id>", methods=["GET", "POST"])
@require(Permission.GRANT_MANAGE)
def new_agreement(application_id: int):
    application = get_or_404(Application, application_id, Permission.GRANT_MANAGE)
    form = AgreementForm(amount=agreements.granted_amount(application), channel=Channel.BANK.value,
                         account=application.lead.phone or "")
    if form.validate_on_submit():
        done = attempt(lambda: agreements.prepare_agreement(
            current_user, application, amount=form.amount.data,
            channel=Channel(form.channel.data), account=form.account.data), form)
        if done:
            flash(_("The agreement %(number)s is drafted: sign it to commit the envelope.",
                    number=done.value.number), "success")
            return redirect(url_for("finance.agreement", grant_id=done.value.id))
    return render_template("finance/new.html", form=form, application=application)


@bp.route("/conventions/<int:grant_id>")
@require(Permission.FINANCE_VIEW)
def agreement(grant_id: int):
    return _agreement_page(get_or_404(Grant, grant_id, Permission.FINANCE_VIEW))


def _agreement_page(grant: Grant, reversing: int | None = None, **forms):
    """The agreement page; `forms` holds a posted form to show again with its errors (and
    `reversing` the payment whose reversal form it is)."""
    made = db.session.scalars(db.select(Payment).where(
        Payment.tranche_id.in_([t.id for t in grant.tranches])).order_by(Payment.id)).all()
    blank = {"sign_form": SignForm, "order_form": MoneyForm, "pay_form": PayForm,
             "reason_form": ReasonMoneyForm, "reverse_form": ReasonMoneyForm,
             "cancel_form": ReasonMoneyForm,
             "copy_form": SignedCopyForm}
    forms = {name: forms.get(name) or form(formdata=None) for name, form in blank.items()}
    return render_template("finance/agreement.html", grant=grant, payments=made,
                           reversing=reversing,
                           application=grant.application,
                           in_batches=batches.open_batches_of([t.id for t in grant.tranches]),
                           **forms)


def _back(grant_id: int):
    return redirect(url_for("finance.agreement", grant_id=grant_id))


def _again(grant: Grant, reversing: int | None = None, shown: bool = True, **posted):
    """After a refused POST: errors that belong to no visible field (the form's own, its hidden
    key's) are flashed above the page; the others are shown at their fields of the posted
    form, unless the page no longer shows it (signed, paid or reversed meanwhile: `shown` is
    False): then all are flashed."""
    gone = not shown or ("sign_form" in posted and grant.status != GrantStatus.DRAFT)
    errors = [error for form in posted.values() for error in (
        form_messages(form) if gone else [*form.form_errors, *hidden_field_messages(form)])]
    for error in errors:
        flash(error, "danger")
    return _back(grant.id) if errors else _agreement_page(grant, reversing, **posted)


def _upload(field) -> tuple | None:
    return (field.data.stream, field.data.filename) if field.data else None


@bp.route("/conventions/<int:grant_id>/signer", methods=["POST"])
@require(Permission.GRANT_MANAGE)
def sign(grant_id: int):
    grant = get_or_404(Grant, grant_id, Permission.GRANT_MANAGE)
    form = SignForm()
    if form.validate_on_submit() and attempt(lambda: agreements.sign_agreement(
            current_user, grant.id, form.signed_on.data, form.key.data, _upload(form.file)), form):
        flash(_("The agreement is signed: the envelope is committed."), "success")
        return _back(grant_id)
    return _again(grant, sign_form=form)


@bp.route("/conventions/<int:grant_id>/exemplaire-signe", methods=["POST"])
@require(Permission.GRANT_MANAGE)
def upload_signed_copy(grant_id: int):
    grant = get_or_404(Grant, grant_id, Permission.GRANT_MANAGE)
    form = SignedCopyForm()
    if form.validate_on_submit() and attempt(lambda: agreements.attach_signed_copy(
            current_user, grant.id, *_upload(form.file)), form):
        flash(_("The signed copy is saved."), "success")
        return _back(grant_id)
    return _again(grant, copy_form=form)


@bp.route("/conventions/<int:grant_id>/exemplaires/<int:copy_id>")
@require(Permission.FINANCE_VIEW)
def signed_copy(grant_id: int, copy_id: int):
    """A scan of the signed agreement (the current one or an earlier one), for those who may
    see the agreement."""
    grant = get_or_404(Grant, grant_id, Permission.FINANCE_VIEW)
    copy = db.session.get(AgreementCopy, copy_id)
    if copy is None or copy.grant_id != grant.id:
        abort(404)
    return send_stored(copy)


def _tranche(grant: Grant, tranche_id: int) -> Tranche:
    tranche = next((t for t in grant.tranches if t.id == tranche_id), None)
    if tranche is None:
        abort(404)
    return tranche


@bp.route("/conventions/<int:grant_id>/tranches/<int:tranche_id>/ordonnancer", methods=["POST"])
@require(Permission.GRANT_MANAGE)
def order(grant_id: int, tranche_id: int):
    grant = get_or_404(Grant, grant_id, Permission.GRANT_MANAGE)
    tranche = _tranche(grant, tranche_id)
    form = MoneyForm()
    if posted(form) and attempt(lambda: payments.order_payment(
            current_user, tranche.id, form.key.data)):
        flash(_("The payment is ordered; the accountant can pay it."), "success")
    return _back(grant_id)


@bp.route("/conventions/<int:grant_id>/tranches/<int:tranche_id>/payer", methods=["POST"])
@require(Permission.PAYMENT_EXECUTE)
def pay(grant_id: int, tranche_id: int):
    grant = get_or_404(Grant, grant_id, Permission.PAYMENT_EXECUTE)
    tranche = _tranche(grant, tranche_id)
    form = PayForm()
    # Refused: the page again, with the messages at the reference and date fields.
    if form.validate_on_submit() and attempt(lambda: payments.pay_tranche(
            current_user, tranche.id, form.key.data, form.reference.data, form.paid_on.data), form):
        flash(_("The tranche is paid."), "success")
        return _back(grant_id)
    shown = tranche.status.is_ordered and not batches.open_batches_of([tranche.id])
    return _again(grant, shown=shown, pay_form=form)


@bp.route("/conventions/<int:grant_id>/paiements/<int:payment_id>/contre-passer",
          methods=["POST"])
@require(Permission.PAYMENT_EXECUTE)
def reverse(grant_id: int, payment_id: int):
    grant = get_or_404(Grant, grant_id, Permission.PAYMENT_EXECUTE)
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.tranche.grant_id != grant.id:
        abort(404)
    form = ReasonMoneyForm()
    if form.validate_on_submit() and attempt(lambda: payments.reverse_payment(
            current_user, payment.id, form.reason.data, form.key.data), form):
        flash(_("The payment is reversed; the tranche is due again."), "success")
        return _back(grant_id)
    return _again(grant, reversing=payment.id, shown=payment.is_reversible, reverse_form=form)


@bp.route("/conventions/<int:grant_id>/annuler", methods=["POST"])
@require(Permission.PROGRAMME_MANAGE)
def cancel(grant_id: int):
    grant = get_or_404(Grant, grant_id, Permission.PROGRAMME_MANAGE)
    form = ReasonMoneyForm()
    if form.validate_on_submit() and attempt(lambda: agreements.cancel_grant(
            current_user, grant.id, form.reason.data, form.key.data), form):
        flash(_("The agreement is cancelled; its unpaid part returns to the envelope."),
              "success")
        return _back(grant_id)
    return _again(grant, shown=grant.status.is_signed, cancel_form=form)


@bp.route("/enveloppes/<int:envelope_id>")
@require(Permission.FINANCE_VIEW)
def envelope(envelope_id: int):
    envelope = get_or_404(BudgetEnvelope, envelope_id, Permission.FINANCE_VIEW)
    return render_template("finance/envelope.html", envelope=envelope)


@bp.route("/registre")
@require(Permission.FINANCE_VIEW)
def register():
    from grants.blueprints.finance.register_page import (
        amount_texts,
        page_lines,
        register_filters,
    )

    filters, filter_form = register_filters()
    page = min(page_arg(), MAX_REGISTER_PAGE)
    skipped = (page - 1) * REGISTER_PAGE_ROWS
    filters.first_rows = skipped + REGISTER_PAGE_ROWS + 1  # one more: is there a next page?
    lines = page_lines(filters, skipped, REGISTER_PAGE_ROWS + 1)
    shown = lines[:REGISTER_PAGE_ROWS]
    return render_template("finance/register.html", filter_form=filter_form, lines=shown,
                           amounts=amount_texts(shown),
                           more=len(lines) > REGISTER_PAGE_ROWS, page=page, first=skipped + 1)


@bp.route("/registre.xlsx")
@require(Permission.FINANCE_VIEW)
def register_xlsx():
    """Prepared in the background (a job), like the other workbooks; the CSV still streams."""
    from dataclasses import asdict

    from grants import jobs
    from grants.blueprints.finance.register_page import register_filters
    from grants.jobs.kinds import plain

    filters = {name: plain(value) for name, value in asdict(register_filters()[0]).items()}
    job = jobs.start("register.xlsx", {"filters": filters})
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/registre.csv")
@require(Permission.FINANCE_VIEW)
def register_csv():
    from grants.blueprints.finance.register_page import register_filters
    from grants.exports.ledger import register_csv as chunks

    filters = register_filters()[0]
    return Response(stream_with_context(chunks(filters)), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f"attachment; filename=registre-{date.today()}.csv"})


@bp.route("/conventions/<int:grant_id>/convention.pdf")
@require(Permission.FINANCE_VIEW)
def agreement_pdf(grant_id: int):
    from flask_babel import force_locale

    from grants.exports.pdf import amount_in_words, render_pdf

    grant = get_or_404(Grant, grant_id, Permission.FINANCE_VIEW)
    application = grant.application
    with force_locale("fr"):  # an official French document
        pdf = render_pdf("finance/agreement_pdf.html", grant=grant, application=application,
                         lead=application.lead, words=amount_in_words(grant.amount))
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{grant.number}.pdf")

"""Programme set-up: budget envelopes and calls for proposals."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grants.blueprints.programme import bp
from grants.blueprints.programme.forms import CallForm, EnvelopeForm
from grants.extensions import db
from grants.forms import ConfirmForm, attempt, choices
from grants.models import BudgetEnvelope, Call, Grant, GrantStatus, Region
from grants.permissions import Permission, get_or_404, require
from grants.services.intake import calls
from grants.services.money import envelopes as envelope_service
from grants.vocabulary import CallStatus, DocumentKind


@bp.route("/enveloppes")
@require(Permission.PROGRAMME_VIEW)
def envelopes():
    rows = db.session.scalars(db.select(BudgetEnvelope).order_by(
        BudgetEnvelope.fiscal_year.desc(), BudgetEnvelope.name, BudgetEnvelope.id))
    return render_template("programme/envelopes.html", envelopes=rows)


@bp.route("/enveloppes/nouvelle", methods=["GET", "POST"], defaults={"envelope_id": None})
@bp.route("/enveloppes/<int:envelope_id>", methods=["GET", "POST"])
@require(Permission.PROGRAMME_MANAGE)
def edit_envelope(envelope_id: int | None):
    envelope = get_or_404(BudgetEnvelope, envelope_id, Permission.PROGRAMME_MANAGE) \
        if envelope_id else None
    if envelope is not None and envelope.closed_at is not None:
        flash(_("A closed envelope cannot be changed."), "warning")
        return redirect(url_for("programme.envelopes"))
    form = EnvelopeForm(obj=envelope)
    if form.validate_on_submit() and attempt(lambda: envelope_service.save_envelope(
            current_user, envelope, name=form.name.data, fiscal_year=form.fiscal_year.data,
            funding_source=form.funding_source.data, budget_line=form.budget_line.data,
            total=form.total.data), form):
        flash(_("The envelope has been saved."), "success")
        return redirect(url_for("programme.envelopes"))
    return render_template("programme/envelope_form.html", form=form, envelope=envelope)


@bp.route("/enveloppes/<int:envelope_id>/cloturer", methods=["GET", "POST"])
@require(Permission.PROGRAMME_MANAGE)
def close_envelope(envelope_id: int):
    """Closing asks for a confirmation on a page of its own: it cannot be undone."""
    envelope = get_or_404(BudgetEnvelope, envelope_id, Permission.PROGRAMME_MANAGE)
    form = ConfirmForm()
    if request.method == "POST":
        if form.validate_on_submit() and attempt(lambda: envelope_service.close_envelope(current_user,
                                                                                envelope)):
            flash(_("The envelope is closed: no new agreement can be signed on it."), "success")
        return redirect(url_for("programme.envelopes"))
    drafts = db.session.scalar(db.select(db.func.count(Grant.id)).where(
        Grant.envelope_id == envelope.id, Grant.status == GrantStatus.DRAFT))
    return render_template("programme/envelope_close.html", envelope=envelope, form=form,
                           drafts=drafts)


@bp.route("/appels")
@require(Permission.PROGRAMME_VIEW)
def call_list():
    rows = db.session.scalars(db.select(Call).order_by(Call.opens_on.desc(), Call.id.desc()))
    return render_template("programme/calls.html", calls=rows)


@bp.route("/appels/<int:call_id>")
@require(Permission.PROGRAMME_VIEW)
def call_detail(call_id: int):
    call = get_or_404(Call, call_id, Permission.PROGRAMME_VIEW)
    return render_template("programme/call.html", call=call, confirm=ConfirmForm(),
                           DocumentKind=DocumentKind)


def _call_form(call: Call | None) -> tuple[CallForm, list[Region], list[BudgetEnvelope]]:
    regions = list(db.session.scalars(db.select(Region).order_by(Region.code)))
    envelopes = [e for e in db.session.scalars(db.select(BudgetEnvelope).order_by(
        BudgetEnvelope.fiscal_year.desc(), BudgetEnvelope.id.desc()))
        if e.closed_at is None or (call and e.id == call.envelope_id)]  # no new call on a closed one
    form = CallForm(obj=call)
    form.regions.choices = choices((r.id, f"{r.code} {r.name}") for r in regions)
    form.envelope_id.choices = choices((e.id, f"{e.name} ({e.fiscal_year})") for e in envelopes)
    if request.method == "GET":
        if call:
            form.regions.data = sorted(call.region_ids)
            form.tranche_plan.data = ", ".join(map(str, call.tranche_plan))
            form.visit_plan.data = ", ".join(map(str, call.visit_plan))
        else:
            form.regions.data = [r.id for r in regions]
            form.target_categories.data = ["returnee"]
            form.project_types.data = ["individual", "collective", "community"]
            form.required_documents.data = list(calls.DEFAULT_REQUIRED_DOCUMENTS)
    return form, regions, envelopes


@bp.route("/appels/nouveau", methods=["GET", "POST"], defaults={"call_id": None})
@bp.route("/appels/<int:call_id>/modifier", methods=["GET", "POST"])
@require(Permission.PROGRAMME_MANAGE)
def edit_call(call_id: int | None):
    call = get_or_404(Call, call_id, Permission.PROGRAMME_MANAGE) if call_id else None
    form, regions, envelopes = _call_form(call)
    if call and call.status == CallStatus.CLOSED:
        flash(_("A closed call cannot be changed."), "warning")
        return redirect(url_for("programme.call_detail", call_id=call.id))
    if form.validate_on_submit():
        saved = attempt(lambda: calls.save_call(
            current_user, call, title=form.title.data, description=form.description.data,
            envelope=next(e for e in envelopes if e.id == form.envelope_id.data),
            opens_on=form.opens_on.data, closes_on=form.closes_on.data,
            target_categories=form.target_categories.data,
            regions=[r for r in regions if r.id in form.regions.data],
            project_types=form.project_types.data,
            required_documents=form.required_documents.data, min_age=form.min_age.data,
            max_age=form.max_age.data, cap_per_project=form.cap_per_project.data,
            min_contribution_percent=form.min_contribution_percent.data,
            tranche_plan=calls.parse_plan(form.tranche_plan.data, "tranche_plan", total=100),
            visit_plan=calls.parse_plan(form.visit_plan.data, "visit_plan")), form)
        if saved:
            flash(_("The call has been saved."), "success")
            return redirect(url_for("programme.call_detail", call_id=saved.value.id))
    return render_template("programme/call_form.html", form=form, call=call,
                           has_envelopes=bool(envelopes))


@bp.route("/appels/<int:call_id>/statut", methods=["POST"])
@require(Permission.PROGRAMME_MANAGE)
def advance_call(call_id: int):
    call = get_or_404(Call, call_id, Permission.PROGRAMME_MANAGE)
    if ConfirmForm().validate_on_submit() and attempt(lambda: calls.advance_call(current_user,
                                                                                 call)):
        flash(_("The call is now: %(status)s.", status=call.status.label), "success")
    return redirect(url_for("programme.call_detail", call_id=call_id))

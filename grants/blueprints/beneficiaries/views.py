"""The returnee registry, as intake staff use it with the person in front of them."""

from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user

from grants.blueprints.beneficiaries import bp
from grants.blueprints.beneficiaries.forms import (
    ConsentForm,
    ProfileForm,
    RegistrationForm,
    SearchForm,
    VerificationForm,
    WithdrawConsentForm,
)
from grants.blueprints.messages import views as messages_views
from grants.extensions import db
from grants.filter_forms import drawn_filters
from grants.forms import ConfirmForm, attempt, choices, new_client_token, posted
from grants.i18n import agreeing
from grants.models import Application, ApplicationMember, Beneficiary, OutboundMessage
from grants.paging import paginate
from grants.permissions import Permission, can, get_or_404, require
from grants.services.intake import beneficiaries as registry
from grants.services.intake import list_rows, past_grants
from grants.services.regions import all_regions
from grants.vocabulary import VerificationStatus


def _region_choices(blank: str):
    regions = all_regions()
    return choices([("", blank)] + [(r.id, f"{r.code} {r.name}") for r in regions])


def _restricted_values(form) -> dict | None:
    if not can(current_user, Permission.BENEFICIARY_RESTRICTED):
        return None
    return {"vulnerabilities": form.vulnerabilities.data, "health_notes": form.health_notes.data}


@bp.route("/")
@require(Permission.BENEFICIARY_VIEW)
def index():
    filters = drawn_filters(SearchForm, "beneficiaries/_filters.html", region_id=[
        ("", _("All")), *((r.id, f"{r.code} {r.name}") for r in all_regions())])
    values = filters.values
    found = registry.search(current_user, q=values["q"], region_id=values["region_id"],
                            status=values["status"],
                            consent_to_collect=values["consent"] == "a-recueillir")
    # A page of ids is chosen on narrow rows, then those records are loaded (sorting whole rows
    # of thousands of records is slow).
    page = paginate(found.with_only_columns(Beneficiary.id),
                    per_page=current_app.config["PAGE_SIZE"])
    page.items = list_rows.returnees(page.items)
    return render_template("beneficiaries/index.html", filters=filters, page=page)


@bp.route("/nouveau", methods=["GET", "POST"])
@require(Permission.BENEFICIARY_EDIT)
def new():
    form = RegistrationForm()
    form.region_id.choices = _region_choices("—")
    if request.method == "GET":
        form.client_token.data = new_client_token()
        form.consent_scopes.data = []
    matches = []

    def register() -> Beneficiary:
        try:
            person = registry.register(
                current_user, first_name=form.first_name.data, last_name=form.last_name.data,
                consent_scopes=form.consent_scopes.data, consent_date=form.consent_date.data,
                profile=form.profile(), restricted=_restricted_values(form),
                duplicates_confirmed=form.not_duplicate.data,
                not_duplicate_reason=form.not_duplicate_reason.data,
                client_token=form.client_token.data or None)
        except registry.PossibleDuplicates as duplicates:
            matches.extend(duplicates.matches)  # listed under the form; the message goes on top
            raise
        if form.signature.data:
            registry.add_signature(current_user, person.current_consent,
                                   form.signature.data.stream, form.signature.data.filename)
        return person

    if form.validate_on_submit():
        registered = attempt(register, form)
        if registered:
            person = registered.value
            names = {"name": person.full_name, "code": person.code}
            flash(agreeing(
                person.sex,
                pgettext("female", "%(name)s is registered with the code %(code)s.", **names),
                pgettext("male", "%(name)s is registered with the code %(code)s.", **names),
                _("%(name)s is registered with the code %(code)s.", **names)), "success")
            return redirect(url_for("beneficiaries.detail", beneficiary_id=person.id))
    return render_template("beneficiaries/form.html", form=form, matches=matches, person=None,
                           show_restricted=can(current_user, Permission.BENEFICIARY_RESTRICTED))


@bp.route("/<int:beneficiary_id>")
@require(Permission.BENEFICIARY_VIEW)
def detail(beneficiary_id: int):
    person = get_or_404(Beneficiary, beneficiary_id, Permission.BENEFICIARY_VIEW)
    restricted, show_restricted = None, False
    if request.args.get("confidentiel") and can(current_user, Permission.BENEFICIARY_RESTRICTED,
                                                person):
        restricted, show_restricted = registry.read_restricted(current_user, person), True
        db.session.commit()  # the reading is audited
    applications = db.session.scalars(
        db.select(Application).join(ApplicationMember)
        .where(ApplicationMember.beneficiary_id == person.id)
        .order_by(Application.created_at.desc(), Application.id.desc()))
    sent = db.session.scalars(db.select(OutboundMessage).where(
        OutboundMessage.beneficiary_id == person.id)
        .order_by(OutboundMessage.created_at.desc(), OutboundMessage.id.desc()).limit(50)).all()
    past = past_grants.past_dossiers_of(person.id)
    return render_template(
        "beneficiaries/detail.html", person=person, applications=applications,
        past_dossiers=past, active_past={d.id for d in past if past_grants.counts_as_active(d)},
        messages=sent, contact_form=messages_views.preference_form(person),
        restricted=restricted, show_restricted=show_restricted, confirm=ConfirmForm(),
        consent_form=ConsentForm(formdata=None, consent_scopes=[]),
        withdraw_form=WithdrawConsentForm(formdata=None),
        verification_form=VerificationForm(formdata=None, status=person.verification_status.value))


@bp.route("/<int:beneficiary_id>/modifier", methods=["GET", "POST"])
@require(Permission.BENEFICIARY_EDIT)
def edit(beneficiary_id: int):
    person = get_or_404(Beneficiary, beneficiary_id, Permission.BENEFICIARY_EDIT)
    form = ProfileForm(obj=person)
    form.region_id.choices = _region_choices("—")
    show_restricted = can(current_user, Permission.BENEFICIARY_RESTRICTED, person)
    if request.method == "GET" and show_restricted:
        row = registry.read_restricted(current_user, person)
        form.vulnerabilities.data = row.vulnerabilities if row else []
        form.health_notes.data = row.health_notes if row else ""
        db.session.commit()
    matches = []

    def save() -> None:
        try:
            registry.update(current_user, person, first_name=form.first_name.data,
                            last_name=form.last_name.data, profile=form.profile(),
                            duplicates_confirmed=form.not_duplicate.data,
                            not_duplicate_reason=form.not_duplicate_reason.data)
        except registry.PossibleDuplicates as duplicates:
            matches.extend(duplicates.matches)  # listed under the form; the message goes on top
            raise
        if show_restricted:
            registry.save_restricted(current_user, person, **_restricted_values(form))

    if form.validate_on_submit() and attempt(save, form):
        flash(_("The record has been updated."), "success")
        return redirect(url_for("beneficiaries.detail", beneficiary_id=person.id))
    return render_template("beneficiaries/form.html", form=form, matches=matches, person=person,
                           show_restricted=show_restricted)


@bp.route("/<int:beneficiary_id>/consentement", methods=["POST"])
@require(Permission.BENEFICIARY_EDIT)
def consent(beneficiary_id: int):
    person = get_or_404(Beneficiary, beneficiary_id, Permission.BENEFICIARY_EDIT)
    form = ConsentForm()

    def record_signed() -> None:
        record = registry.record_consent(current_user, person, form.consent_scopes.data,
                                         form.consent_date.data or date.today())
        if form.signature.data:
            registry.add_signature(current_user, record, form.signature.data.stream,
                                   form.signature.data.filename)

    if posted(form) and attempt(record_signed):
        flash(_("The new consent has been recorded."), "success")
    return redirect(url_for("beneficiaries.detail", beneficiary_id=person.id))


@bp.route("/<int:beneficiary_id>/retrait-consentement", methods=["POST"])
@require(Permission.BENEFICIARY_EDIT)
def withdraw_consent(beneficiary_id: int):
    person = get_or_404(Beneficiary, beneficiary_id, Permission.BENEFICIARY_EDIT)
    form = WithdrawConsentForm()
    if not form.validate_on_submit():
        flash(_("Say why the consent is withdrawn."), "danger")
    elif attempt(lambda: registry.withdraw_consent(current_user, person, form.reason.data)):
        flash(_("The consent has been withdrawn; the profile was erased."), "success")
    return redirect(url_for("beneficiaries.detail", beneficiary_id=person.id))


@bp.route("/<int:beneficiary_id>/verification", methods=["POST"])
@require(Permission.BENEFICIARY_VERIFY)
def verify(beneficiary_id: int):
    person = get_or_404(Beneficiary, beneficiary_id, Permission.BENEFICIARY_VERIFY)
    form = VerificationForm()
    if posted(form) and attempt(lambda: registry.set_verification(
            current_user, person, VerificationStatus(form.status.data), form.comment.data or "")):
        flash(_("Verification: %(status)s.", status=person.verification_status.label), "success")
    return redirect(url_for("beneficiaries.detail", beneficiary_id=person.id))


@bp.route("/<int:beneficiary_id>/compte", methods=["POST"])
@require(Permission.BENEFICIARY_EDIT)
def create_account(beneficiary_id: int):
    person = get_or_404(Beneficiary, beneficiary_id, Permission.BENEFICIARY_EDIT)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("beneficiaries.detail", beneficiary_id=person.id))
    created = attempt(lambda: registry.create_applicant_account(current_user, person))
    if not created:
        return redirect(url_for("beneficiaries.detail", beneficiary_id=person.id))
    user, temporary = created.value
    return render_template(
        "admin/temporary_password.html", user=user, password=temporary, created=True,
        back=url_for("beneficiaries.detail", beneficiary_id=person.id))

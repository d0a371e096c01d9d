"""The messages to returnees: the outbox ("SMS sent") with the monthly count and cost, the call
list of the intake agents, and the administrator's template editor."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload

from grants.blueprints.messages import bp
from grants.blueprints.messages.forms import (
    CalledForm,
    ContactPreferenceForm,
    OutboxFilterForm,
    TemplateForm,
)
from grants.extensions import db
from grants.forms import apply_domain_error, attempt, choices, filtered
from grants.models import Beneficiary, ContactChannel, MessageEvent, MessageState, OutboundMessage
from grants.paging import paginate
from grants.permissions import Permission, get_or_404, require
from grants.services.errors import DomainError
from grants.services.notifications import outbox, preview, templates

PER_PAGE = 50
LANGUAGE_NAMES = {"fr": _l("French"), "en": _l("English"), "bm": _l("Bambara")}


def _listed(query):
    return query.options(joinedload(OutboundMessage.beneficiary).lazyload("*")).order_by(
        OutboundMessage.created_at.desc(), OutboundMessage.id.desc())


@bp.route("/")
@require(Permission.MESSAGES_VIEW)
def outbox_list():
    form = filtered(OutboxFilterForm(request.args))
    query = db.select(OutboundMessage)
    if form.state.data:
        query = query.where(OutboundMessage.state == MessageState(form.state.data))
    price = current_app.config["SMS_PRICE_PER_SEGMENT"]
    months = [(month, count, parts, parts * price) for month, count, parts in
              outbox.monthly_counts()]
    return render_template("messages/outbox.html", form=form,
                           page=paginate(_listed(query), per_page=PER_PAGE), months=months,
                           price=price, gateway=current_app.config["SMS_GATEWAY"])


@bp.route("/appels")
@require(Permission.MESSAGES_CALL)
def call_list():
    query = outbox.calls_to_make(current_user)
    return render_template("messages/calls.html", page=paginate(_listed(query), per_page=PER_PAGE),
                           called_form=CalledForm(formdata=None))


@bp.route("/<int:message_id>/appele", methods=["POST"])
@require(Permission.MESSAGES_CALL)
def mark_called(message_id: int):
    message = get_or_404(OutboundMessage, message_id, Permission.MESSAGES_CALL)
    if not CalledForm().validate_on_submit():
        abort(400)
    if attempt(lambda: outbox.mark_called(current_user, message.id)):
        flash(_("The call is recorded."), "success")
    return redirect(url_for("messages.call_list"))


@bp.route("/modeles")
@require(Permission.MESSAGES_TEMPLATES)
def template_list():
    languages = current_app.config["MESSAGE_LANGUAGES"]
    sample = preview.sample_values()  # once: every cell is counted with the same data
    saved = templates.every_stored()
    rows = [(event, [(language, (event, language) in saved,
                      preview.preview(templates.body_for(event, language, saved), sample))
                     for language in languages]) for event in MessageEvent if event.is_for_returnee]
    return render_template("messages/templates.html", rows=rows, template_languages=languages)


@bp.route("/modeles/<event>/<language>", methods=["GET", "POST"])
@require(Permission.MESSAGES_TEMPLATES)
def edit_template(event: str, language: str):
    if event not in {e.value for e in MessageEvent if e.is_for_returnee} or \
            language not in current_app.config["MESSAGE_LANGUAGES"]:
        abort(404)
    kind = MessageEvent(event)
    form = TemplateForm()
    if request.method == "GET":
        form.body.data = templates.body_for(kind, language)
    shown = None
    if form.validate_on_submit():
        if form.preview.data:  # nothing saved: the text as it would leave, and its cost
            try:
                shown = preview.preview(form.body.data)
            except DomainError as error:
                apply_domain_error(form, error)
        elif attempt(lambda: templates.save_template(current_user, kind, language,
                                                     form.body.data), form):
            flash(_("The template is saved."), "success")
            return redirect(url_for("messages.template_list"))
    return render_template("messages/template_form.html", form=form, event=kind,
                           language=language, shown=shown, placeholders=templates.PLACEHOLDERS)


def preference_form(person) -> ContactPreferenceForm:
    """The returnee's contact preference, for their page."""
    language, channel = outbox.preference(person)
    form = ContactPreferenceForm(formdata=None, language=language, channel=channel.value)
    _language_choices(form)
    return form


def _language_choices(form: ContactPreferenceForm) -> None:
    form.language.choices = choices(
        (code, LANGUAGE_NAMES.get(code, code)) for code in current_app.config["MESSAGE_LANGUAGES"])


@bp.route("/preference/<int:beneficiary_id>", methods=["POST"])
@require(Permission.BENEFICIARY_EDIT)
def contact_preference(beneficiary_id: int):
    person = get_or_404(Beneficiary, beneficiary_id, Permission.BENEFICIARY_EDIT)
    form = ContactPreferenceForm()
    _language_choices(form)
    if form.validate_on_submit():
        if attempt(lambda: outbox.set_preference(current_user, person, form.language.data,
                                                 ContactChannel(form.channel.data))):
            flash(_("The contact preference is saved."), "success")
    else:
        for errors in form.errors.values():
            flash(" ".join(str(e) for e in errors), "danger")
    return redirect(url_for("beneficiaries.detail", beneficiary_id=person.id))

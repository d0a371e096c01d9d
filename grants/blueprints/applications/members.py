"""The members page of a collective or community dossier: find registered returnees and add them,
remove them, set the shares. Staff only (choosing searches the registry); the rules are in
services/members.py."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user

from grants.blueprints.applications import bp
from grants.blueprints.applications.forms import AddMemberForm, MemberSearchForm, SharesForm
from grants.forms import ConfirmForm, attempt, posted
from grants.i18n import agreeing
from grants.models import Application, Beneficiary
from grants.permissions import Permission, get_or_404, require
from grants.services.intake import members as membership


def _dossier(application_id: int) -> Application | None:
    """The dossier, if its members can still be chosen (else a message and None)."""
    app = get_or_404(Application, application_id, Permission.APPLICATION_MEMBERS)
    if not (app.is_editable and app.project_type.has_members):
        flash(_("The members of this dossier cannot be changed."), "warning")
        return None
    return app


def _back(app: Application, q: str | None = None):
    return redirect(url_for("applications.members", application_id=app.id, q=q or None))


def _shares_form(app: Application) -> SharesForm:
    form = SharesForm()
    if request.method == "GET":
        for member in app.members:
            form.shares.append_entry({"member_id": member.id, "share": member.share_percent})
    names = {m.id: m.beneficiary.full_name for m in app.members}
    for entry in form.shares:
        entry.form.share.label.text = names.get(entry.form.member_id.data, "?")
    typed = [entry.form.share.data for entry in form.shares]
    form.total.data = str(sum(typed)) if all(isinstance(n, int) for n in typed) else ""
    return form


@bp.route("/<int:application_id>/membres", methods=["GET", "POST"])
@require(Permission.APPLICATION_MEMBERS)
def members(application_id: int):
    app = _dossier(application_id)
    if app is None:
        return redirect(url_for("applications.detail", application_id=application_id))
    form = _shares_form(app)
    if form.validate_on_submit() and attempt(lambda: membership.set_shares(current_user, app, {
            entry.form.member_id.data: entry.form.share.data for entry in form.shares}), form):
        flash(_("The shares are saved."), "success")
        return _back(app)
    search = MemberSearchForm(request.args)
    found = membership.candidates(current_user, app, search.q.data) if search.validate() else []
    return render_template("applications/members.html", app=app, form=form, search=search,
                           found=found, add_form=AddMemberForm(formdata=None),
                           confirm=ConfirmForm(), section="membres")


@bp.route("/<int:application_id>/membres/ajouter", methods=["POST"])
@require(Permission.APPLICATION_MEMBERS)
def add_member(application_id: int):
    app = _dossier(application_id)
    form = AddMemberForm()
    if app is None or not posted(form):
        return redirect(url_for("applications.detail", application_id=application_id))
    person = get_or_404(Beneficiary, form.beneficiary_id.data, Permission.BENEFICIARY_VIEW)
    if attempt(lambda: membership.add_member(current_user, app, person)):
        flash(agreeing(person.sex,
                       pgettext("female", "%(name)s has been added; the shares are split equally: "
                                "check them.", name=person.full_name),
                       pgettext("male", "%(name)s has been added; the shares are split equally: "
                                "check them.", name=person.full_name),
                       _("%(name)s has been added; the shares are split equally: check them.",
                         name=person.full_name)), "success")
        return _back(app)
    return _back(app, form.q.data)


@bp.route("/<int:application_id>/membres/<int:member_id>/retirer", methods=["POST"])
@require(Permission.APPLICATION_MEMBERS)
def remove_member(application_id: int, member_id: int):
    app = _dossier(application_id)
    if app is None or not posted(ConfirmForm()):
        return redirect(url_for("applications.detail", application_id=application_id))
    name = next((m.beneficiary.full_name for m in app.members if m.id == member_id), "")
    if attempt(lambda: membership.remove_member(current_user, app, member_id)):
        flash(_("%(name)s is no longer a member; the shares are split equally: check them.",
                name=name), "success")
    return _back(app)

"""Eligibility screening of a submitted dossier."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grants.blueprints.applications import bp
from grants.blueprints.applications.forms import ScreeningForm
from grants.forms import attempt
from grants.models import Application, CheckItem, CheckResult, ScreeningOutcome
from grants.permissions import Permission, get_or_404, require
from grants.services.intake import screening


@bp.route("/<int:application_id>/recevabilite", methods=["GET", "POST"])
@require(Permission.APPLICATION_SCREEN)
def screen(application_id: int):
    app = get_or_404(Application, application_id, Permission.APPLICATION_SCREEN)
    suggested = screening.suggest(app)
    form = ScreeningForm(data={"items": [{"result": suggested[item].value} for item in CheckItem]})
    if form.validate_on_submit():
        results = {item: CheckResult(entry.form.result.data)
                   for item, entry in zip(CheckItem, form.items.entries, strict=True)}
        comments = {item: entry.form.comment.data
                    for item, entry in zip(CheckItem, form.items.entries, strict=True)}
        if attempt(lambda: screening.screen(
                current_user, app, results=results, comments=comments,
                outcome=ScreeningOutcome(form.outcome.data), reason=form.reason.data), form):
            flash(_("Screening recorded: %(status)s.", status=app.status.label), "success")
            return redirect(url_for("applications.detail", application_id=app.id))
    return render_template("applications/screen.html", app=app, form=form,
                           rows=list(zip(CheckItem, form.items.entries, strict=True)),
                           suggested=suggested)

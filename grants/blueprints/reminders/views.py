from datetime import date

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grants.blueprints.reminders import bp
from grants.blueprints.reminders.forms import DigestForm
from grants.forms import attempt
from grants.models import DigestChannel
from grants.permissions import Permission, require
from grants.reporting import reminders
from grants.services.notifications import staff


@bp.route("/rappels")
@require(Permission.REMINDERS_VIEW)
def index():
    items = reminders.reminders(current_user, date.today())
    reminders.remember(current_user, sum(t.count for t in items))  # the menu agrees at once
    return render_template("reminders/index.html", items=items,
                           preference=staff.preference_of(current_user))


@bp.route("/rappels/preferences", methods=["GET", "POST"])
@require(Permission.REMINDERS_VIEW)
def preferences():
    chosen = staff.preference_of(current_user)
    form = DigestForm(obj=None, digest=chosen.digest.value,
                      quiet_start="" if chosen.quiet_start is None else str(chosen.quiet_start),
                      quiet_end="" if chosen.quiet_end is None else str(chosen.quiet_end))
    if form.validate_on_submit() and attempt(lambda: staff.save_preference(
            current_user, DigestChannel(form.digest.data), form.hour(form.quiet_start.data),
            form.hour(form.quiet_end.data)), form):
        flash(_("Your reminder preferences are saved."), "success")
        return redirect(url_for("reminders.index"))
    return render_template("reminders/preferences.html", form=form)

"""The scoring grid of a call: editable until the first score is recorded."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grants.blueprints.committees import bp
from grants.blueprints.committees.forms import GridForm
from grants.forms import attempt
from grants.models import Call
from grants.permissions import Permission, can, get_or_404, require
from grants.services.committees import grids


@bp.route("/grilles/<int:call_id>", methods=["GET", "POST"])
@require(Permission.COMMITTEE_VIEW)
def grid(call_id: int):
    call = get_or_404(Call, call_id, Permission.COMMITTEE_VIEW)
    current = grids.preview_grid(call)  # saved only when the form is
    form = GridForm()
    if request.method == "GET":
        form.pass_mark.data = current.pass_mark
        while form.criteria.entries:
            form.criteria.pop_entry()
        for criterion in current.criteria:
            form.criteria.append_entry(criterion)
        form.criteria.append_entry()
    editable = current.locked_at is None and can(current_user, Permission.COMMITTEE_MANAGE)
    if editable and form.validate_on_submit():
        rows = [grids.CriterionInput(
            e.form.code.data, e.form.label_fr.data, e.form.label_en.data, e.form.guidance.data,
            e.form.max_points.data or 0, e.form.eliminatory.data, e.form.social_priority.data)
            for e in form.criteria.entries if (e.form.code.data or "").strip()]
        if attempt(lambda: grids.save_grid(current_user, current, form.pass_mark.data, rows),
                   form):
            flash(_("The grid is saved."), "success")
            return redirect(url_for("committees.grid", call_id=call.id))
    return render_template("committees/grid.html", call=call, grid=current, form=form,
                           editable=editable)


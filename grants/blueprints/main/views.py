"""The home page: the viewer's to-dos and figures, by the roles it holds (the logic is in
grants/reporting/dashboards.py and dashboard_figures.py)."""

from flask import render_template
from flask_login import current_user, login_required

from grants.blueprints.main import bp
from grants.extensions import db
from grants.models import Beneficiary, Role
from grants.reporting import dashboard_figures, dashboards


@bp.route("/")
@login_required
def home():
    roles = [role for role in Role if role in current_user.roles]
    me = (db.session.scalar(db.select(Beneficiary).where(Beneficiary.user_id == current_user.id))
          if Role.APPLICANT in current_user.roles else None)
    return render_template("main/home.html", roles=roles, me=me,
                           todos=dashboards.todos(current_user),
                           actions=dashboards.actions(current_user),
                           figures=dashboard_figures.figures(current_user))

"""The home page: one panel for each role the user holds."""

from flask import render_template
from flask_login import current_user, login_required

from grants.blueprints.main import bp
from grants.models import Role


@bp.route("/")
@login_required
def home():
    roles = [role for role in Role if role in current_user.roles]
    return render_template("main/home.html", roles=roles)

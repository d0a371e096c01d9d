"""The home page: one panel for each role the user holds."""

from flask import render_template
from flask_login import current_user, login_required

from grants.blueprints.main import bp
from grants.extensions import db
from grants.models import Beneficiary, Role


@bp.route("/")
@login_required
def home():
    roles = [role for role in Role if role in current_user.roles]
    me = db.session.scalar(db.select(Beneficiary).where(Beneficiary.user_id == current_user.id))
    return render_template("main/home.html", roles=roles, me=me)

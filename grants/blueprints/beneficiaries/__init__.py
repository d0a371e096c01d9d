from flask import Blueprint

bp = Blueprint("beneficiaries", __name__)

from grants.blueprints.beneficiaries import views  # noqa: E402,F401

from flask import Blueprint

bp = Blueprint("reports", __name__)

from grants.blueprints.reports import views  # noqa: E402,F401

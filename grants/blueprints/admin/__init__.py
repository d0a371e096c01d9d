from flask import Blueprint

bp = Blueprint("admin", __name__)

from grants.blueprints.admin import views  # noqa: E402,F401

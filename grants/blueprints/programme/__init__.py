from flask import Blueprint

bp = Blueprint("programme", __name__)

from grants.blueprints.programme import views  # noqa: E402,F401

from flask import Blueprint

bp = Blueprint("applications", __name__)

from grants.blueprints.applications import editing, members, screening, views  # noqa: E402,F401

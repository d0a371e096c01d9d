from flask import Blueprint

bp = Blueprint("committees", __name__)

from grants.blueprints.committees import deliberation, grids, scoring_views, views  # noqa: E402,F401

from flask import Blueprint

bp = Blueprint("visits", __name__)

from grants.blueprints.visits import field_tools, monitoring, offline, referrals, views  # noqa: E402, F401

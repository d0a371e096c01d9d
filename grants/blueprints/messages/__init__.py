from flask import Blueprint

bp = Blueprint("messages", __name__)

from grants.blueprints.messages import views  # noqa: E402, F401

from flask import Blueprint

bp = Blueprint("messages", __name__)

from grants.blueprints.messages import receipts, views  # noqa: E402, F401

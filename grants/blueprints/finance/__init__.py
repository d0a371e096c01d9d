from flask import Blueprint

bp = Blueprint("finance", __name__)

from grants.blueprints.finance import batches, execution, views  # noqa: E402,F401

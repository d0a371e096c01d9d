"""Endpoints for machines rather than people: the health check."""

from flask import Blueprint

bp = Blueprint("operations", __name__)

from grants.blueprints.operations import views  # noqa: E402,F401

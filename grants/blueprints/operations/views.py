from flask import jsonify

from grants.blueprints.operations import bp
from grants.extensions import limiter
from grants.operations import health


@bp.get("/health")
@limiter.exempt
def health_check():
    """200 when every part works, 503 otherwise; JSON for the monitoring probe. No login, no
    cookie, never cached."""
    ok, checks = health.report()
    response = jsonify({"status": "ok" if ok else "failing", "checks": checks})
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response

"""One JSON line per request on the logger "grants.requests": its id, the user's id, the route,
the status and the duration. Never personal data: the route is the rule ("/beneficiaires/<int:id>"),
not the address, whose query string may hold a searched name.

The id comes from the proxy's X-Request-ID when it is a plain token (nginx: $request_id), so a
line in nginx's log and one here can be matched; it is sent back in the response's X-Request-ID."""

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, request
from flask_login import current_user

logger = logging.getLogger("grants.requests")
_INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def request_id() -> str:
    return g.get("request_id", "")


def init_app(app: Flask) -> None:
    if not app.config["REQUEST_LOG"]:
        return
    if not logger.handlers:  # gunicorn and systemd's journal read standard error
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False

    @app.before_request
    def _start():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _log(response):
        started = g.get("request_started")
        if started is None:  # a request refused before our hook ran
            return response
        response.headers["X-Request-ID"] = g.request_id
        # The user's id, never get_id(): that is the session's token.
        user_id = current_user.id if current_user and current_user.is_authenticated else None
        logger.info(json.dumps({
            "request_id": g.request_id,
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule else None,
            "endpoint": request.endpoint,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "user_id": user_id,
        }, separators=(",", ":")))
        return response

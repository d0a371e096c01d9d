"""HTTP hardening: security headers and safe redirects."""

from urllib.parse import urlsplit

# Everything comes from this server: the app must work on an offline office network.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "worker-src": "'self'",  # the field officer's offline pages (js/offline-worker.js)
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def init_talisman(talisman, app) -> None:
    production = app.config["GRANTS_ENV"] == "production"
    talisman.init_app(
        app,
        content_security_policy=CONTENT_SECURITY_POLICY,
        force_https=False,  # TLS ends at the reverse proxy; HSTS tells browsers to stay on https
        strict_transport_security=production,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        x_content_type_options=True,
        permissions_policy={"geolocation": "(self)", "camera": "(self)", "microphone": "()"},
    )


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site: "/x" is fine; "//host", "https://host" and "/\\host" are not."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target and "\n" not in target

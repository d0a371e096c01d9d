"""The public transparency page (no login): the programme's figures per call and per region,
with nothing personal (grants/reporting/transparency.py).

The page is the same for everyone: rendered at most every TRANSPARENCY_CACHE_SECONDS per
language, sent with Cache-Control: public, and without a session cookie (a shared cache must
never keep one). It is not rate-limited: a cached page costs nothing to send."""

import time
from datetime import date

from flask import Blueprint, current_app, g, make_response, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import force_locale

from grants.extensions import limiter

bp = Blueprint("transparency", __name__)


def _language() -> str:
    asked = request.args.get("lang", "")
    languages = current_app.config["LANGUAGES"]
    return asked if asked in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def _page(language: str) -> str:
    from grants.reporting.transparency import figures

    ttl = current_app.config["TRANSPARENCY_CACHE_SECONDS"]
    cache = current_app.extensions.setdefault("transparency_pages", {})
    hit = cache.get(language)
    if ttl and hit is not None and hit[0] > time.monotonic():
        return hit[1]
    with force_locale(language):
        html = render_template("transparency/index.html", figures=figures(date.today()),
                               language=language)
    if ttl:
        cache[language] = (time.monotonic() + ttl, html)
    return html


@bp.route("/transparence")
@limiter.exempt
def index():
    response = make_response(_page(_language()))
    response.headers["Cache-Control"] = (
        f"public, max-age={current_app.config['TRANSPARENCY_CACHE_SECONDS']}")
    return response


@bp.before_request
def _no_cookie():
    # Whoever asks (a logged-in officer too) gets the same page and no cookie.
    g.public_page = True


class SessionInterface(SecureCookieSessionInterface):
    """The app's sessions (signed cookies), except that a public page saves none: neither a
    cookie nor "Vary: Cookie" (see create_app)."""

    def save_session(self, app, session, response) -> None:
        if g.get("public_page"):
            return
        super().save_session(app, session, response)

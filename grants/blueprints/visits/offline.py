"""The field officer's day without network: what the phone takes ("Préparer hors ligne"), a
fresh form token to send what was filled offline, and the page shown for a page not taken.

The service worker (grants/static/js/offline-worker.js) asks `offline_list` which addresses to
cache; the server alone decides, from the officer's regions (services/followup/offline.py)."""

from datetime import UTC, date, datetime

from flask import current_app, jsonify, render_template, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from grants.blueprints.visits import bp
from grants.permissions import Permission, require
from grants.services.followup.offline import offline_visits

# What every cached page needs to be drawn and to work without network.
OFFLINE_ASSETS = ("bootstrap/bootstrap.min.css", "bootstrap/popper.min.js",
                  "bootstrap/bootstrap.min.js", "css/app.css", "css/field.css", "favicon.svg",
                  "js/visit-draft.js", "js/visit-steps.js", "js/offline.js")


def _asset_urls() -> list[str]:
    manifest = current_app.extensions["asset_manifest"]
    return [url_for("static", filename=manifest[name]) for name in OFFLINE_ASSETS]


@bp.route("/hors-ligne/liste")
@require(Permission.VISIT_RECORD)
def offline_list():
    visits = offline_visits(current_user, date.today())
    pages = [url_for("visits.worklist"), url_for("visits.offline_page")]
    for visit in visits:
        pages += [url_for("visits.visit", visit_id=visit.id),
                  url_for("visits.report", visit_id=visit.id)]
    return jsonify(user=current_user.id, visits=[v.reference for v in visits],
                   pages=pages, assets=_asset_urls(),
                   prepared_at=datetime.now(UTC).isoformat(timespec="seconds"))


@bp.route("/hors-ligne/jeton")
@require(Permission.VISIT_RECORD)
def offline_token():
    """A form token for the visits filled offline: the one in a page cached yesterday may have
    expired. Same-origin only (no CORS), like the token in any page."""
    return jsonify(csrf_token=generate_csrf())


@bp.route("/hors-ligne")
@require(Permission.VISIT_RECORD)
def offline_page():
    """Cached with the visits: what the phone shows for a page it did not take."""
    return render_template("visits/offline.html")

"""The application shell: configuration, security headers, error pages, formatting, languages."""

import datetime as dt
import re

import pytest
from flask import render_template_string, session

from grants import create_app
from grants.extensions import db
from grants.formatting import day, money
from grants.models import Role, User
from grants.security import is_safe_next
from tests import factories
from tests.conftest import committed

NNBSP = "\u202f"


def test_factory_reads_overrides_and_defaults_to_french(app):
    assert app.config["TESTING"] is True
    assert app.config["BABEL_DEFAULT_LOCALE"] == "fr"
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_sqlite_is_the_default_database_in_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("GRANTS_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/grants.sqlite3"


def test_database_url_switches_to_postgresql_with_psycopg3(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db:5432/grants")
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db:5432/grants"


def test_sqlite_connections_enforce_foreign_keys_wal_and_busy_timeout(app):
    from grants.extensions import db

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite pragmas only")
    with app.app_context():
        run = lambda sql: db.session.execute(db.text(sql)).scalar()  # noqa: E731
        assert run("PRAGMA foreign_keys") == 1
        assert run("PRAGMA journal_mode") == "wal"
        assert run("PRAGMA busy_timeout") == 5000


def test_production_requires_a_secret_key_and_secure_cookies(monkeypatch, database_url):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"GRANTS_ENV": "production", "DATABASE_URL": database_url})
    app = create_app({"GRANTS_ENV": "production", "DATABASE_URL": database_url,
                      "SECRET_KEY": "s" * 32})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/connexion", base_url="https://grants.example")
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_security_headers(client):
    response = client.get("/connexion")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_httponly_and_lax(client, login_as):
    login_as(Role.AUDITOR)
    cookie = client.get_cookie("grants_session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert not cookie.secure


def test_secure_cookie_in_production(make_app, make_user):
    app = make_app(GRANTS_ENV="production")
    make_user(Role.AUDITOR, username="prod")
    response = app.test_client().post("/connexion", data={"identifier": "prod",
                                                          "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]


def test_pages_reference_no_external_host(client, login_as):
    login_as(Role.ADMIN)
    html = client.get("/").get_data(as_text=True)
    # The inlined charts declare the SVG namespace: a name, not an address anything loads.
    html = re.sub(r'xmlns(:\w+)?="http://www\.w3\.org/[^"]*"', "", html)
    assert re.search(r'href="/static/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css"', html)  # served here
    assert "http://" not in html and "https://" not in html and 'src="//' not in html


@pytest.mark.parametrize("target,safe", [
    ("/admin/utilisateurs", True), ("/?page=2", True), ("//evil.example", False),
    ("https://evil.example/", False), ("/\\evil.example", False), ("", False), (None, False),
    ("javascript:alert(1)", False), ("evil.example", False),
])
def test_only_relative_next_targets_are_followed(target, safe):
    assert is_safe_next(target) is safe


def test_login_ignores_an_external_next(client, make_user):
    make_user(Role.AUDITOR, username="nexter")
    response = client.post("/connexion", data={
        "identifier": "nexter", "password": "correct-horse-battery", "next": "//evil.example/x"})
    assert response.headers["Location"] == "/"


def test_login_follows_a_relative_next(client, make_user):
    make_user(Role.ADMIN, username="nexter")
    response = client.post("/connexion", data={
        "identifier": "nexter", "password": "correct-horse-battery", "next": "/admin/regions"})
    assert response.headers["Location"] == "/admin/regions"


def test_not_found_page_is_french(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def test_server_error_page_is_french(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    def boom():
        raise RuntimeError("secret internals")

    app.add_url_rule("/boom", "boom", boom)
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Erreur du serveur" in response.get_data(as_text=True)
    assert "secret internals" not in response.get_data(as_text=True)


def test_get_never_logs_out(client, login_as):
    login_as(Role.AUDITOR)
    assert client.get("/deconnexion").status_code == 405
    assert client.get("/").status_code == 200


def test_csrf_token_is_required_on_post(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    make_user(Role.AUDITOR, username="csrf")
    client = app.test_client()
    response = client.post("/connexion", data={"identifier": "csrf",
                                               "password": "correct-horse-battery"})
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still logged out


def test_csrf_token_from_the_form_is_accepted(make_app, make_user):
    import re

    app = make_app(WTF_CSRF_ENABLED=True)
    make_user(Role.AUDITOR, username="csrf")
    client = app.test_client()
    page = client.get("/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/connexion", data={"identifier": "csrf", "csrf_token": token,
                                               "password": "correct-horse-battery"})
    assert response.status_code == 302


def test_request_body_over_the_limit_is_refused_in_french(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post("/connexion", data={"identifier": "x" * 4000})
    assert response.status_code == 413
    assert "Fichier trop volumineux" in response.get_data(as_text=True)


def test_money_and_dates_in_french(app):
    with app.test_request_context():
        assert money(1_500_000) == f"1{NNBSP}500{NNBSP}000\u00a0F{NNBSP}CFA"
        assert money(0) == "0\u00a0F\u202fCFA"
        assert day(dt.date(2026, 3, 5)) == "05/03/2026"
        rendered = render_template_string("{{ 250000|money }} {{ d|day }}", d=dt.date(2024, 12, 31))
        assert rendered == f"250{NNBSP}000\u00a0F{NNBSP}CFA 31/12/2024"


def test_money_refuses_non_integers(app):
    with app.test_request_context(), pytest.raises(TypeError):
        money(12.5)


def test_money_and_dates_in_english(app):
    with app.test_request_context():
        session["locale"] = "en"
        assert money(1_500_000) == f"1,500,000\u00a0F{NNBSP}CFA"
        assert day(dt.datetime(2026, 3, 5, 23, 30, tzinfo=dt.UTC)) == "05/03/2026"


def test_french_by_default_and_english_on_switch(client):
    assert "Se connecter" in client.get("/connexion").get_data(as_text=True)
    response = client.post("/langue", data={"locale": "en", "next": "/connexion"})
    assert response.headers["Location"] == "/connexion"
    page = client.get("/connexion").get_data(as_text=True)
    assert "Log in" in page and "Se connecter" not in page
    assert '<html lang="en"' in page


def test_language_choice_is_remembered_per_user(app, client, make_user):
    make_user(Role.AUDITOR, username="anglo")
    client.post("/connexion", data={"identifier": "anglo", "password": "correct-horse-battery"})
    client.post("/langue", data={"locale": "en"})
    other_browser = app.test_client()
    other_browser.post("/connexion", data={"identifier": "anglo",
                                           "password": "correct-horse-battery"})
    assert "Audit log" in other_browser.get("/").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    client.post("/langue", data={"locale": "xx"})
    assert "Se connecter" in client.get("/connexion").get_data(as_text=True)


def test_every_string_in_the_code_is_translated_to_french():
    """Extract the messages from the source now and look each one up in the French catalog."""
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parent.parent
    with open(root / "grants/translations/fr/LC_MESSAGES/messages.po", "rb") as f:
        french = {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m
                  for m in read_po(f) if m.id}
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None,
                "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
    missing = set()
    options_map = {"**/templates/**.html": {"extensions": "jinja2.ext.do"}}
    for _file, _line, message, _comments, context in extract_from_dir(
            str(root / "grants"), method_map=method_map, options_map=options_map,
            keywords=keywords):
        msgid = message if isinstance(message, str) else message[0]
        entry = french.get((context, msgid))
        strings = [entry.string] if entry and isinstance(entry.string, str) else \
            list(entry.string) if entry else []
        if entry is None or not all(strings) or entry.fuzzy:
            missing.add((context, msgid) if context else msgid)
    assert missing == set(), "run `make extract-messages` and translate these"


def test_behind_a_trusted_proxy_the_client_address_and_scheme_come_from_it(make_app):
    app = make_app(TRUSTED_PROXIES=1)
    seen = {}

    @app.route("/probe")
    def probe():
        from flask import request

        seen.update(addr=request.remote_addr, scheme=request.scheme)
        return "ok"

    app.test_client().get("/probe", headers={"X-Forwarded-For": "10.1.2.3",
                                            "X-Forwarded-Proto": "https"})
    assert seen == {"addr": "10.1.2.3", "scheme": "https"}


def test_phone_numbers_are_shown_grouped(app):
    from grants.formatting import phone

    assert phone("+22376123456") == "+223 76 12 34 56"
    assert phone(None) == ""


def test_pages_and_downloads_of_a_logged_in_user_are_never_stored_by_the_browser(
        app, client, login_as):
    """Shared office computers: what a user saw (returnees' data, exports) must not stay in the
    browser's cache for the next person. Static files keep their caching."""
    user_id = login_as(Role.PROGRAMME_MANAGER)
    with committed(app):
        person_id = factories.person(db.session.get(User, user_id)).id
    job_page = client.get("/dossiers/export.xlsx").location  # the export is a job: its file
    for url in ("/", "/beneficiaires/", f"/beneficiaires/{person_id}",
                f"/beneficiaires/{person_id}?confidentiel=1", job_page, f"{job_page}/fichier",
                "/telechargements/", "/finances/registre.csv", "/admin/journal", "/no-such-page"):
        response = client.get(url)
        assert response.status_code in (200, 403, 404), url
        assert response.headers.get("Cache-Control") == "no-store", url
        response.close()
    static = client.get("/static/" + app.extensions["asset_manifest"]["css/app.css"])
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")
    static.close()

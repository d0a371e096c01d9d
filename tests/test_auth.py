"""Logging in and out, throttling, sessions revoked, forced password change."""

import html
import re
import statistics
import time
from datetime import timedelta

from argon2 import PasswordHasher

from grants.database import utcnow
from grants.extensions import db
from grants.models import AuditEvent, Role, User, UserSession
from grants.services import accounts
from tests.conftest import PASSWORD, committed, login

SAME_MESSAGE = "Identifiant, numéro de téléphone ou mot de passe incorrect."


def test_login_with_username_then_home_in_french(client, make_user):
    make_user(Role.INTAKE_AGENT, username="agent1")
    response = login(client, "AGENT1")  # usernames are not case-sensitive
    assert response.status_code == 302
    page = html.unescape(client.get("/").get_data(as_text=True))
    assert "Bienvenue" in page and "Agent d'accueil" in page


def test_login_with_phone_number_in_any_common_format(client, make_user):
    make_user(Role.APPLICANT, username="appl", phone="+223 76 12 34 56")
    for written in ("76 12 34 56", "+22376123456", "00223 76-12-34-56"):
        fresh = client.application.test_client()
        assert login(fresh, written).status_code == 302, written


def test_unknown_user_and_wrong_password_get_the_same_message(client, make_user):
    make_user(Role.AUDITOR, username="known")
    unknown = login(client, "nobody").get_data(as_text=True)
    wrong = login(client, "known", "wrong-password").get_data(as_text=True)
    assert SAME_MESSAGE in unknown and SAME_MESSAGE in wrong
    assert client.get("/").status_code == 302


def test_empty_login_form_shows_field_errors(client):
    page = client.post("/connexion", data={}).get_data(as_text=True)
    assert "Saisissez votre identifiant ou votre numéro de téléphone." in page
    assert "Saisissez votre mot de passe." in page


def test_inactive_account_cannot_log_in(app, client, make_user):
    user_id = make_user(Role.AUDITOR, username="gone")
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    assert SAME_MESSAGE in login(client, "gone").get_data(as_text=True)


def test_login_is_rate_limited_per_account(make_app, make_user):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT_PER_ACCOUNT="3 per 5 minutes")
    make_user(Role.AUDITOR, username="target")
    client = app.test_client()
    for _ in range(3):
        assert login(client, "target", "bad-password").status_code == 200
    blocked = login(client, "target", PASSWORD)  # even the right password waits now
    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.get_data(as_text=True)
    assert login(client, "someone-else", "x").status_code == 200  # other accounts still answer


def test_login_is_rate_limited_per_address(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT_PER_IP="4 per 5 minutes")
    client = app.test_client()
    codes = [login(client, f"user{i}", "bad").status_code for i in range(5)]
    assert codes == [200, 200, 200, 200, 429]


def test_successful_logins_are_not_counted(make_app, make_user):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT_PER_ACCOUNT="2 per 5 minutes")
    make_user(Role.AUDITOR, username="often")
    for _ in range(4):
        assert login(app.test_client(), "often").status_code == 302


def test_login_starts_a_new_session(app, client, make_user):
    make_user(Role.AUDITOR, username="fresh")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, "fresh")
    with client.session_transaction() as session:
        assert "planted" not in session
        first_token = session["_user_id"]
    client.post("/deconnexion")
    login(client, "fresh")
    with client.session_transaction() as session:
        assert session["_user_id"] != first_token
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(UserSession)) == 2


def test_a_session_ends_ten_hours_after_the_login_however_much_it_is_used(app, client, make_user):
    """Pages that change nothing in the session do not sign and send its cookie again; the
    session's end is set at the login, on the server."""
    make_user(Role.AUDITOR, username="steady")
    login(client, "steady")
    client.get("/")  # the first page keeps the forms' token (and shows the welcome) in the session
    response = client.get("/")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    with app.app_context():
        db.session.execute(db.update(UserSession).values(
            created_at=utcnow() - timedelta(hours=9, minutes=59)))
        db.session.commit()
    assert client.get("/").status_code == 200
    with app.app_context():
        db.session.execute(db.update(UserSession).values(
            created_at=utcnow() - timedelta(hours=10, minutes=1)))
        db.session.commit()
    assert client.get("/").status_code == 302


def test_logout_revokes_the_session_server_side(app, client, make_user):
    make_user(Role.AUDITOR, username="leaver")
    login(client, "leaver")
    with client.session_transaction() as session:
        stolen = dict(session)
    response = client.post("/deconnexion")
    assert response.headers["Location"] == "/connexion"
    replay = app.test_client()
    with replay.session_transaction() as session:
        session.update(stolen)  # an old copy of the cookie is worthless after logout
    assert replay.get("/").status_code == 302


def test_password_change_revokes_other_sessions(app, make_user):
    make_user(Role.AUDITOR, username="mover")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "mover")
    login(phone, "mover")
    response = laptop.post("/mot-de-passe", data={
        "current_password": PASSWORD, "new_password": "a-brand-new-secret",
        "confirm": "a-brand-new-secret"})
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200  # the changing browser stays in
    assert phone.get("/").status_code == 302  # the other one is out
    assert login(app.test_client(), "mover", "a-brand-new-secret").status_code == 302


def test_password_change_errors_are_shown_at_the_field(client, login_as):
    login_as(Role.AUDITOR)
    page = client.post("/mot-de-passe", data={
        "current_password": "not-it", "new_password": "another-secret-1",
        "confirm": "another-secret-1"}).get_data(as_text=True)
    assert "Le mot de passe actuel est incorrect." in page
    page = client.post("/mot-de-passe", data={
        "current_password": PASSWORD, "new_password": "short", "confirm": "short"}
    ).get_data(as_text=True)
    assert "au moins 10 caractères" in page
    page = client.post("/mot-de-passe", data={
        "current_password": PASSWORD, "new_password": "another-secret-1",
        "confirm": "another-secret-2"}).get_data(as_text=True)
    assert "Les deux nouveaux mots de passe sont différents." in page
    assert login(client.application.test_client(), "user1").status_code == 302  # unchanged


def test_deactivation_ends_sessions(app, make_user, login_as, client):
    login_as(Role.ADMIN)
    target_id = make_user(Role.FIELD_OFFICER, username="field", regions=("01",))
    field_browser = app.test_client()
    login(field_browser, "field")
    assert field_browser.get("/").status_code == 200
    client.post(f"/admin/utilisateurs/{target_id}/activation")
    assert field_browser.get("/").status_code == 302
    assert SAME_MESSAGE in login(app.test_client(), "field").get_data(as_text=True)


def test_account_created_by_an_admin_must_change_its_password(app, client, login_as):
    login_as(Role.ADMIN)
    page = client.post("/admin/utilisateurs/nouveau", data={
        "username": "new.agent", "full_name": "Sali Doumbia", "phone": "66 12 34 56",
        "roles": ["intake_agent"], "regions": ["1"], "locale": "fr",
    }).get_data(as_text=True)
    temporary = re.search(r"([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})", page).group(1)
    newcomer = app.test_client()
    assert login(newcomer, "new.agent", temporary).status_code == 302
    for path in ("/", "/admin/regions"):
        assert newcomer.get(path).headers["Location"] == "/mot-de-passe"
    newcomer.post("/mot-de-passe", data={"current_password": temporary,
                                         "new_password": "my-own-password",
                                         "confirm": "my-own-password"})
    assert newcomer.get("/").status_code == 200


def test_login_events_are_audited_without_the_typed_identifier(app, client, make_user):
    make_user(Role.AUDITOR, username="audited")
    login(client, "ghost-user", "x")
    login(client, "audited", "wrong")
    login(client, "audited")
    with app.app_context():
        events = db.session.scalars(db.select(AuditEvent).where(
            AuditEvent.action.startswith("auth.")).order_by(AuditEvent.id)).all()
        summary = [(e.action, e.outcome.value, (e.details or {}).get("reason")) for e in events]
        assert summary == [("auth.login", "failed", "unknown_login"),
                           ("auth.login", "failed", "wrong_password"),
                           ("auth.session_started", "ok", None)]
        assert all("ghost" not in str(e.details) for e in events)


def test_password_is_verified_outside_any_transaction(app, client, make_user, monkeypatch):
    """Hashing is the slow part of a login: done while a transaction holds the database (SQLite's
    write lock), simultaneous logins would queue behind each other's hashing."""
    make_user(Role.AUDITOR, username="hasher")
    during_verification = []
    verify = PasswordHasher.verify

    def watched(self, hash, password):
        during_verification.append(db.session().in_transaction())
        return verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", watched)
    assert login(client, "nobody", "x").status_code == 200
    assert login(client, "hasher", "wrong").status_code == 200
    assert login(client, "hasher").status_code == 302
    assert during_verification == [False, False, False]


def test_an_unknown_login_takes_as_long_as_a_wrong_password(make_app):
    """Timing must not tell whether an account exists (an unknown login used to hash twice).
    Mean of 20 tries each, interleaved, within 25 %; a cost at which hashing dominates the
    request, as in production. A busy machine gets up to three rounds."""
    app = make_app(ARGON2_TIME_COST=2, ARGON2_MEMORY_COST=16 * 1024)
    with committed(app):  # hashed at this cost
        accounts.create_user(None, username="known", full_name="Known", roles=[Role.AUDITOR],
                             password=PASSWORD)
    client = app.test_client()

    def seconds(identifier):
        start = time.perf_counter()
        assert login(client, identifier, "wrong-password").status_code == 200
        return time.perf_counter() - start

    seconds("nobody"), seconds("known")  # warm up: first requests, the dummy hash
    ratios = []
    for _ in range(3):
        unknown, known = [], []
        for _ in range(20):
            unknown.append(seconds("nobody"))
            known.append(seconds("known"))
        ratios.append(statistics.mean(unknown) / statistics.mean(known))
        if 0.8 <= ratios[-1] <= 1.25:
            break
    assert 0.8 <= ratios[-1] <= 1.25, ratios


def test_the_account_throttle_counts_every_spelling_of_the_same_account(make_app, make_user):
    """Locked after 3 wrong passwords written as one spelling of the phone number, the account
    stays locked whatever way it is written (other spellings, the username), even with the
    right password; other accounts and the per-address limit are unaffected."""
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT_PER_ACCOUNT="3 per 5 minutes",
                   LOGIN_RATE_LIMIT_PER_IP="100 per 5 minutes")
    make_user(Role.APPLICANT, username="mariam", phone="+223 76 12 34 56")
    make_user(Role.AUDITOR, username="neighbour")
    client = app.test_client()
    for written in ("76 12 34 56", "+22376123456", "00223 76-12-34-56"):
        assert login(client, written, "bad-password").status_code == 200
    for written in ("76123456", "+223 76.12.34.56", "(223) 76 12 34 56", "MARIAM"):
        assert login(client, written, "bad-password").status_code == 429, written
        assert login(client, written, PASSWORD).status_code == 429, written
    assert login(client, "neighbour").status_code == 302

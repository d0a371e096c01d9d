"""User administration, reference data and the audit log."""

import html

import pytest
import sqlalchemy as sa

from grants.extensions import db
from grants.models import AuditEvent, Outcome, Role, User
from tests.conftest import committed


def _user(app, username):
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == username))
        return user and (user.id, sorted(user.roles), [r.code for r in user.regions], user.active,
                         user.phone, user.must_change_password)


def _count_users(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(User))


FORM = {"username": "k.diarra", "full_name": "Karim Diarra", "phone": "+223 66 00 11 22",
        "email": "", "roles": ["field_officer"], "regions": ["2", "8"], "locale": "fr"}


def test_admin_creates_a_field_officer_with_regions(app, client, login_as):
    login_as(Role.ADMIN)
    response = client.post("/admin/utilisateurs/nouveau", data=FORM)
    assert response.status_code == 200
    assert "Compte créé" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    _, roles, regions, active, phone, must_change = _user(app, "k.diarra")
    assert roles == ["field_officer"] and regions == ["01", "07"]
    assert active and phone == "+22366001122" and must_change


@pytest.mark.parametrize("change,field_message", [
    ({"phone": "12"}, "Numéro de téléphone invalide"),
    ({"username": "Bad Name!"}, "lettres minuscules"),
    ({"roles": []}, "Choisissez au moins un rôle."),
    ({"regions": []}, "doivent avoir au moins une région"),
    ({"full_name": ""}, "Saisissez le nom de la personne."),
    ({"email": "not-an-email"}, "Adresse de courriel invalide."),
])
def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(app, client, login_as, change,
                                                                 field_message):
    login_as(Role.ADMIN)
    before = _count_users(app)
    page = client.post("/admin/utilisateurs/nouveau", data={**FORM, **change}).get_data(as_text=True)
    assert field_message in page
    assert "is-invalid" in page
    assert 'value="Karim Diarra"' in page or change.get("full_name") == ""  # input kept
    assert _count_users(app) == before


def test_duplicate_username_and_phone_are_refused(app, client, login_as, make_user):
    login_as(Role.ADMIN)
    make_user(Role.AUDITOR, username="k.diarra")
    page = client.post("/admin/utilisateurs/nouveau", data=FORM).get_data(as_text=True)
    assert "Cet identifiant est déjà pris." in page
    make_user(Role.AUDITOR, username="other", phone="+22366001122")
    page = client.post("/admin/utilisateurs/nouveau",
                       data={**FORM, "username": "k.diarra2"}).get_data(as_text=True)
    assert "Ce numéro de téléphone est déjà utilisé" in page


def test_admin_changes_roles_and_regions(app, client, login_as, make_user):
    login_as(Role.ADMIN)
    target = make_user(Role.INTAKE_AGENT, username="moving", regions=("00",))
    response = client.post(f"/admin/utilisateurs/{target}", data={
        "full_name": "Moving Agent", "phone": "", "email": "m@example.org",
        "roles": ["intake_agent", "field_officer"], "regions": ["4"], "locale": "en"})
    assert response.status_code == 302
    _, roles, regions, *_ = _user(app, "moving")
    assert roles == ["field_officer", "intake_agent"] and regions == ["03"]
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "user.updated"))
        assert event.details["after"]["regions"] == ["03"]
        assert "Moving" not in str(event.details) and "example.org" not in str(event.details)


def test_admin_cannot_lock_themselves_out(app, client, login_as):
    me = login_as(Role.ADMIN)
    page = html.unescape(client.post(f"/admin/utilisateurs/{me}", data={
        "full_name": "Me", "roles": ["auditor"], "regions": [], "locale": "fr"}
    ).get_data(as_text=True))
    assert "Vous ne pouvez pas retirer votre propre rôle d'administrateur." in page
    client.post(f"/admin/utilisateurs/{me}/activation")
    assert _user(app, "user1")[3] is True
    assert client.get("/").status_code == 200


def test_reset_password_gives_a_temporary_one_and_ends_sessions(app, client, login_as, make_user):
    login_as(Role.ADMIN)
    target = make_user(Role.AUDITOR, username="forgetful")
    their_browser = app.test_client()
    their_browser.post("/connexion", data={"identifier": "forgetful",
                                           "password": "correct-horse-battery"})
    page = client.post(f"/admin/utilisateurs/{target}/mot-de-passe").get_data(as_text=True)
    assert "Nouveau mot de passe temporaire" in page
    assert their_browser.get("/").status_code == 302
    assert _user(app, "forgetful")[5] is True


def test_users_list_filters_and_paginates(app, client, login_as, make_user):
    login_as(Role.ADMIN)
    for i in range(30):
        make_user(Role.FIELD_OFFICER if i % 2 else Role.AUDITOR, username=f"staff{i:02d}")
    page1 = client.get("/admin/utilisateurs").get_data(as_text=True)
    assert "31 résultat(s)" in page1
    field = client.get("/admin/utilisateurs?role=field_officer").get_data(as_text=True)
    assert "15 résultat(s)" in field
    found = client.get("/admin/utilisateurs?q=staff07").get_data(as_text=True)
    assert "1 résultat(s)" in found and "Test staff07" in found


def test_regions_are_the_twenty_of_the_2023_reform(client, login_as):
    login_as(Role.INTAKE_AGENT)
    page = client.get("/admin/regions").get_data(as_text=True)
    for name in ("District de Bamako", "Kayes", "Gao", "Taoudénit", "Ménaka", "Bandiagara"):
        assert name in page
    assert page.count("<tr><td>") == 20


def test_denied_access_is_audited(app, client, login_as):
    user_id = login_as(Role.FIELD_OFFICER)
    assert client.get("/admin/utilisateurs").status_code == 403
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.outcome == Outcome.DENIED))
        assert (event.actor_id, event.action) == (user_id, "access.denied")
        assert event.details == {"permission": "users.manage", "reason": "missing_permission"}


def test_audit_log_filters(app, client, login_as, make_user):
    login_as(Role.AUDITOR)
    make_user(Role.FIELD_OFFICER, username="nosy")
    nosy = app.test_client()
    nosy.post("/connexion", data={"identifier": "nosy", "password": "correct-horse-battery"})
    nosy.get("/admin/journal")
    denied = client.get("/admin/journal?outcome=denied").get_data(as_text=True)
    assert "access.denied" in denied and "1 résultat(s)" in denied
    by_user = client.get("/admin/journal?actor=nosy").get_data(as_text=True)
    assert "auth.session_started" in by_user and "access.denied" in by_user
    assert "user.created" not in by_user
    dated = client.get("/admin/journal?start=2000-01-01&end=2000-01-02").get_data(as_text=True)
    assert "Aucune entrée ne correspond." in dated


def test_audit_log_exports_keep_the_filters(app, client, login_as, make_user):
    import io

    import openpyxl

    from tests.conftest import download

    login_as(Role.AUDITOR)
    make_user(Role.FIELD_OFFICER, username="nosy")
    nosy = app.test_client()
    nosy.post("/connexion", data={"identifier": "nosy", "password": "correct-horse-battery"})
    nosy.get("/admin/journal")  # refused: audited
    page = client.get("/admin/journal?actor=nosy").get_data(as_text=True)
    assert 'href="/admin/journal.csv?actor=nosy"' in page

    csv_text = client.get("/admin/journal.csv?actor=nosy").get_data().decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0].split(";")[:3] == ["Date (UTC)", "Utilisateur", "Action"]
    actions = [line.split(";")[2:4] for line in lines[1:]]
    assert sorted(actions) == [["Accès refusé", "access.denied"],
                               ["Session ouverte", "auth.session_started"]]
    denied = next(line for line in lines[1:] if "access.denied" in line)
    assert "Refusé" in denied and "Permission : audit.view" in denied

    sheet = openpyxl.load_workbook(io.BytesIO(download(
        client, "/admin/journal.xlsx?actor=nosy&outcome=denied"))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["Date (UTC)", "Utilisateur", "Action"]
    assert [row[1:4] for row in values[1:]] == [["nosy", "Accès refusé", "access.denied"]]
    # A refused filter value filters nothing rather than breaking the export.
    assert client.get("/admin/journal.csv?start=not-a-date").status_code == 200
    assert nosy.get("/admin/journal.csv").status_code == 403  # a field officer


def test_audit_rows_cannot_be_changed_or_deleted(app, make_user):
    make_user(Role.AUDITOR)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) > 0
        for statement in ("UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event"):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                db.session.execute(sa.text(statement))
            db.session.rollback()


def test_user_creation_is_audited_without_personal_data(app):
    from grants.services import accounts
    from tests.conftest import region

    with committed(app):
        accounts.create_user(None, username="priv", full_name="Awa Touré", phone="+22376543210",
                             roles=[Role.INTAKE_AGENT], regions=[region("07")])
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "user.created"))
        assert event.details == {"roles": ["intake_agent"], "regions": ["07"]}


def test_lists_run_the_same_number_of_queries_whatever_the_data(app, client, login_as, make_user):
    from tests.conftest import count_queries

    login_as(Role.ADMIN)
    make_user(Role.FIELD_OFFICER, regions=("01", "07"))

    def queries(path):
        with count_queries(app) as n:
            assert client.get(path).status_code == 200
        return n[0]

    few = {path: queries(path) for path in ("/admin/utilisateurs", "/admin/journal")}
    for _ in range(20):
        make_user(Role.FIELD_OFFICER, Role.AUDITOR, regions=("01", "07", "02"))
    many = {path: queries(path) for path in few}
    assert many == few


BOTH_DUTIES = {**FORM, "username": "s.keita", "full_name": "Sira Keita", "phone": "",
               "roles": ["finance_officer", "accountant"], "regions": []}
DUTIES_MESSAGE = ("Ce compte serait à la fois ordonnateur et comptable. Indiquez-en le motif (par "
                  "exemple un petit bureau avec une seule personne aux finances), ou ne choisissez "
                  "qu'un des deux rôles.")
REASON = "Antenne de Gao : une seule personne chargée des finances"


def _duties_events(app):
    with app.app_context():
        return [(e.action, e.details) for e in db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action.startswith("user.duties_"))
            .order_by(AuditEvent.id))]


def test_one_account_orders_and_pays_only_with_a_recorded_reason(app, client, login_as,
                                                                  make_user):
    """Segregation of duties: finance officer and accountant on one account is refused at the
    field without a reason; with one, the reason is on the user's page and in the audit log."""
    login_as(Role.ADMIN)
    page = html.unescape(client.post("/admin/utilisateurs/nouveau",
                                     data=BOTH_DUTIES).get_data(as_text=True))
    assert 'id="combined_duties_reason"' in page and "is-invalid" in page
    assert f'<div class="invalid-feedback d-block">{DUTIES_MESSAGE}</div>' in page
    assert _user(app, "s.keita") is None and _duties_events(app) == []

    created = client.post("/admin/utilisateurs/nouveau",
                          data={**BOTH_DUTIES, "combined_duties_reason": f"  {REASON} "})
    assert created.status_code == 200
    user_id, roles, *_ = _user(app, "s.keita")
    assert roles == ["accountant", "finance_officer"]
    assert _duties_events(app) == [("user.duties_combined", {"reason": REASON})]
    page = html.unescape(client.get(f"/admin/utilisateurs/{user_id}").get_data(as_text=True))
    assert "Ce compte ordonnance et paie des tranches" in page and REASON in page
    assert REASON in html.unescape(client.get("/admin/journal?action=user.duties")
                                   .get_data(as_text=True))

    # An existing finance officer given the accountant role: the same rule; nothing changes.
    officer = make_user(Role.FINANCE_OFFICER, username="ordo")
    edit = {"full_name": "Ordo", "phone": "", "email": "", "regions": [], "locale": "fr",
            "roles": ["finance_officer", "accountant"]}
    page = html.unescape(client.post(f"/admin/utilisateurs/{officer}", data=edit)
                         .get_data(as_text=True))
    assert DUTIES_MESSAGE in page
    assert _user(app, "ordo")[1] == ["finance_officer"]
    # Back to one role: the reason goes, and the log says so.
    client.post(f"/admin/utilisateurs/{user_id}", data={
        **{k: BOTH_DUTIES[k] for k in ("full_name", "phone", "email", "regions", "locale")},
        "roles": ["accountant"], "combined_duties_reason": REASON})
    assert _user(app, "s.keita")[1] == ["accountant"]
    assert _duties_events(app)[-1] == ("user.duties_separated", None)
    assert REASON not in client.get(f"/admin/utilisateurs/{user_id}").get_data(as_text=True)

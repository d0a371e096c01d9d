"""Who may do what: the can() decision, and every route of the app for every role."""

import re
from types import SimpleNamespace

import pytest

from grants import create_app
from grants.models import Role
from grants.permissions import ROLE_PERMISSIONS, Permission, can
from tests.conftest import app_config

# Routes open to anonymous visitors, and routes that only need a login. Any other route must
# declare a permission with @require: a new route missing from all three fails this module.
PUBLIC = {"static", "bootstrap.static", "auth.login", "auth.set_language",
          "operations.health_check",  # for monitoring, tests/test_operations.py
          "transparency.index",  # the public figures, tests/test_transparency.py
          # the operator's delivery receipts, authenticated by a secret: tests/test_sms_gateway.py
          "messages.delivery_receipt"}
LOGIN_ONLY = {"main.home", "auth.logout", "auth.change_password",
              # one's own jobs (any other user's: 404), tests/test_jobs.py
              "jobs.index", "jobs.show", "jobs.state", "jobs.download"}
# Exports that start a background job and redirect to its page.
STARTS_A_JOB = {"applications.export", "visits.export", "finance.register_xlsx",
                "finance.execution_xlsx", "admin.audit_xlsx"}
# Lists that send some roles to a page of their own: an applicant's dossiers are cards.
SENT_ELSEWHERE = {("applications.index", Role.APPLICANT)}


def fake_user(*roles, regions=(), user_id=1, active=True):
    return SimpleNamespace(is_authenticated=True, is_active=active, id=user_id,
                           roles=frozenset(roles), region_ids=frozenset(regions))


ANONYMOUS = SimpleNamespace(is_authenticated=False, is_active=False)


def test_anonymous_and_inactive_users_are_refused_with_a_reason():
    decision = can(ANONYMOUS, Permission.AUDIT_VIEW)
    assert not decision and decision.reason == "not_authenticated"
    decision = can(fake_user(Role.ADMIN, active=False), Permission.AUDIT_VIEW)
    assert not decision and decision.reason == "inactive"


def test_permissions_come_from_roles_and_add_up():
    assert not can(fake_user(Role.FIELD_OFFICER), Permission.USERS_MANAGE)
    assert can(fake_user(Role.FIELD_OFFICER), Permission.USERS_MANAGE).reason == "missing_permission"
    both = fake_user(Role.FIELD_OFFICER, Role.AUDITOR)
    assert can(both, Permission.AUDIT_VIEW)
    assert not can(both, Permission.USERS_MANAGE)


def test_region_scoped_roles_reach_only_their_regions():
    agent = fake_user(Role.INTAKE_AGENT, regions={1, 8})
    assert can(agent, Permission.REFERENCE_VIEW, SimpleNamespace(region_id=8)).reason == "region"
    refused = can(agent, Permission.REFERENCE_VIEW, SimpleNamespace(region_id=3))
    assert not refused and refused.reason == "out_of_scope"
    manager = fake_user(Role.PROGRAMME_MANAGER, Role.INTAKE_AGENT, regions={1})
    assert can(manager, Permission.REFERENCE_VIEW, SimpleNamespace(region_id=3))  # national role


def test_every_role_has_an_entry_and_only_admins_manage_users():
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert [r for r in Role if Permission.USERS_MANAGE in ROLE_PERMISSIONS[r]] == [Role.ADMIN]
    assert {r for r in Role if Permission.AUDIT_VIEW in ROLE_PERMISSIONS[r]} == {
        Role.ADMIN, Role.AUDITOR}


# --- every route × every role -----------------------------------------------------------

_APP = create_app(app_config("sqlite://"))
RULES = sorted(_APP.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


def _url(rule) -> str:
    values = {name: _sample(converter) for name, converter in rule._converters.items()}
    if rule.endpoint.endswith("static"):
        values = {"filename": "css/app.css" if rule.endpoint == "static" else "css/bootstrap.min.css"}
    with _APP.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _sample(converter):
    """A value for a URL argument: an id that exists nowhere, or the first allowed word."""
    from werkzeug.routing import AnyConverter

    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return 999999


def _method(rule) -> str:
    return "GET" if "GET" in rule.methods else "POST"


def _required(rule):
    return getattr(_APP.view_functions[rule.endpoint], "required_permission", None)


def test_every_route_declares_who_may_use_it():
    undeclared = [r.endpoint for r in RULES
                  if r.endpoint not in PUBLIC | LOGIN_ONLY and _required(r) is None]
    assert undeclared == []


def test_anonymous_visitors_are_sent_to_login(client):
    wrong = {}
    for rule in RULES:
        if rule.endpoint in PUBLIC:
            continue
        response = client.open(_url(rule), method=_method(rule))
        response.close()
        if response.status_code != 302 or not response.headers["Location"].startswith(
                "/connexion"):
            wrong[rule.rule] = response.status_code
    assert wrong == {}


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_role_reaches_exactly_the_routes_of_its_permissions(client, login_as, role):
    """Every route of the app for this role (one login, all routes): the ones its permissions
    allow answer; the others are refused with 403."""
    login_as(role, regions=("00",))
    wrong = {}
    for rule in RULES:
        if rule.endpoint in PUBLIC | LOGIN_ONLY:
            continue
        response = client.open(_url(rule), method=_method(rule))
        response.close()  # a streamed download keeps its file open until closed
        if _required(rule) in ROLE_PERMISSIONS[role]:
            # Allowed: a page answers, an object that does not exist is 404, a form posts back.
            expected = {200} if not rule.arguments and _method(rule) == "GET" else {200, 302, 404}
            expected = {302} if rule.endpoint in STARTS_A_JOB else expected
            expected = {302} if (rule.endpoint, role) in SENT_ELSEWHERE else expected
        else:
            expected = {403}
        if response.status_code not in expected:
            wrong[f"{_method(rule)} {rule.rule}"] = response.status_code
    assert wrong == {}


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_menu_shows_only_the_roles_entries(client, login_as, role):
    from grants.navigation import MENU

    login_as(role, regions=("00",))
    page = client.get("/").get_data(as_text=True)
    with _APP.test_request_context():
        from flask import url_for

        for item in MENU:
            shown = f'href="{url_for(item.endpoint)}"' in page.split("</nav>")[0]
            assert shown == (item.permission in ROLE_PERMISSIONS[role]), item.endpoint


def test_loader_hides_out_of_scope_objects_with_404_and_audits_it(app, login_as, monkeypatch):
    """get_or_404 answers 404, not 403, for an object outside the user's regions."""
    import werkzeug.exceptions
    from flask_login import login_user

    from grants import permissions
    from grants.extensions import db
    from grants.models import AuditEvent, User

    agent_id = login_as(Role.INTAKE_AGENT, regions=("01",))
    kayes, gao = 2, 8  # region ids of 01 Kayes and 07 Gao
    dossiers = {1: SimpleNamespace(__tablename__="dossier", id=1, region_id=kayes),
                2: SimpleNamespace(__tablename__="dossier", id=2, region_id=gao)}
    with app.test_request_context():
        monkeypatch.setattr(db.session, "get", lambda model, key: dossiers.get(key))
        login_user(db.session.scalar(db.select(User).where(User.id == agent_id)))
        assert permissions.get_or_404(object, 1, Permission.REFERENCE_VIEW) is dossiers[1]
        for missing in (2, 3):
            with pytest.raises(werkzeug.exceptions.NotFound):
                permissions.get_or_404(object, missing, Permission.REFERENCE_VIEW)
        monkeypatch.undo()
        denied = db.session.scalars(db.select(AuditEvent).where(
            AuditEvent.action == "access.denied")).all()
        assert [(e.object_type, e.object_id, e.details["reason"]) for e in denied] == [
            ("dossier", "2", "out_of_scope")]


def test_the_menu_gathers_a_groups_entries_in_one_dropdown(client, login_as):
    """The programme manager's many entries hold on one line: grouped; a group of which a user
    sees one entry is a plain link; each dropdown's own link is its first page (no JavaScript)."""
    login_as(Role.PROGRAMME_MANAGER, regions=("00",))
    nav = client.get("/").get_data(as_text=True).split("</nav>")[0]
    dropdowns = re.findall(r'<li class="nav-item dropdown">\s*(?:\{#.*?#\}\s*)?'
                           r'<a class="nav-link dropdown-toggle[^"]*" href="([^"]+)"[^>]*>([^<]+)</a>'
                           r'(.*?)</ul>', nav, re.S)
    groups = {label.strip(): (href, re.findall(r'href="([^"]+)"', items))
              for href, label, items in dropdowns}
    assert groups["Programme"] == ("/programme/appels", [
        "/programme/appels", "/programme/enveloppes", "/rapports/indicateurs", "/admin/regions"])
    assert groups["Instruction"][1] == ["/dossiers/", "/beneficiaires/"]
    assert "Administration" not in groups
    client.post("/deconnexion")
    login_as(Role.AUDITOR, regions=("00",))  # of the administration, the audit log only
    nav = client.get("/").get_data(as_text=True).split("</nav>")[0]
    assert re.search(r'<a class="nav-link"\s+href="/admin/journal">Journal d(&#39;|\')audit</a>',
                     nav)


def test_the_kept_menu_marks_the_open_page_in_the_users_language(client, login_as):
    """The menu is drawn once per set of roles, language and page (grants/navigation.py): each
    page still marks its own entry, and a change of language changes the menu."""
    login_as(Role.PROGRAMME_MANAGER, regions=("00",))

    def nav(path: str) -> str:
        return client.get(path).get_data(as_text=True).split("</nav>")[0]

    def current(path: str) -> list[str]:
        return re.findall(r'href="([^"]+)"\s*aria-current="page"', nav(path))

    for _ in range(2):
        assert current("/dossiers/") == ["/dossiers/"]
        assert current("/beneficiaires/") == ["/beneficiaires/"]
        assert current("/") == []
    assert ">Instruction<" in nav("/dossiers/")
    client.post("/langue", data={"locale": "en", "next": "/"})
    english = nav("/dossiers/")
    assert ">Intake<" in english
    assert ">Instruction<" not in english


def test_a_lists_row_links_are_those_url_for_makes(app):
    """row_url (grants/navigation.py) builds a list's address once and puts each row's id in."""
    from flask import url_for

    from grants.navigation import row_url

    for script_root in ("", "/subventions"):
        with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
            for endpoint, argument in (("applications.detail", "application_id"),
                                       ("finance.agreement", "grant_id"),
                                       ("visits.report", "visit_id")):
                link = row_url(endpoint, argument)
                for value in (1, 7, 42, 123456789):
                    assert link(value) == url_for(endpoint, **{argument: value})
            assert row_url("applications.detail", "application_id")(5).startswith(
                script_root + "/dossiers/")

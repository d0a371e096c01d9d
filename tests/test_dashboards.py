"""The home dashboards: each to-do's count against a hand-built scenario, the viewer's scope,
the link to the filtered list (which shows the same count), and the figures per role."""

import re
from collections import Counter
from datetime import date

import sqlalchemy as sa

from grants.extensions import db
from grants.models import Application, Role, User
from grants.reporting import dashboard_figures, dashboards
from grants.services.intake import applications
from tests import factories
from tests.conftest import committed, login


def _todos(page: str) -> dict[str, tuple[int, str]]:
    """{to-do key: (count, link)} as the home page shows them."""
    found = re.findall(r'href="([^"]+)" data-todo="([^"]+)">\s*<span[^>]*>(\d+)</span>', page)
    return {key: (int(count), link.replace("&amp;", "&")) for link, key, count in found}


def _section(page: str, start: str, end: str) -> str:
    return page[page.index(start):page.index(end, page.index(start))]


def test_finance_todos_count_what_the_lists_show(app, client, money):
    with app.app_context():
        ordered = factories.ordered_first_tranche(money, 0)  # dossier 0: tranche 1 ordered
        factories.signed_agreement(money, 1)  # dossier 1: tranche 1 due, not ordered
        assert ordered
    login(client, "officer")
    todos = _todos(client.get("/").get_data(as_text=True))
    # Dossiers 2 and 3 wait for their agreement; one tranche to order; paying is not his.
    assert todos["agreements"][0] == 2
    assert todos["order"] == (1, "/finances/?etat=eligible")
    assert "pay" not in todos and "approve" not in todos
    listed = _section(client.get(todos["order"][1]).get_data(as_text=True),
                      "Tranches", "<h2 class=\"h5\">")
    assert listed.count("<tr><td>") == 1

    client = app.test_client()
    login(client, "accountant")
    todos = _todos(client.get("/").get_data(as_text=True))
    assert todos["pay"] == (1, "/finances/?etat=ordered")
    assert todos["approve"] == (0, "/finances/lots?etat=prepared")
    assert "order" not in todos
    page = client.get(todos["pay"][1]).get_data(as_text=True)
    assert page.count("<tr><td>") - page.count("No agreement yet") >= 1
    everything = client.get("/finances/?etat=nonsense")  # refused: filters nothing, no 500
    assert everything.status_code == 200
    assert _section(everything.get_data(as_text=True), "Tranches", "<h2 class=\"h5\">"
                    ).count("<tr><td>") == 2


def test_visit_todos_follow_the_officers_regions(app, client, followed):
    # Paid 100 days ago on a plan at M+1, M+3, M+6, M+12: V1 and V2 are overdue, in Kayes.
    login(client, "field")
    todos = _todos(client.get("/").get_data(as_text=True))
    assert todos["overdue"] == (2, "/suivi/?section=overdue")
    worklist = client.get(todos["overdue"][1]).get_data(as_text=True)
    assert worklist.count('class="list-group-item') == 2
    client = app.test_client()
    login(client, "far")  # Gao: none of Kayes's visits
    assert _todos(client.get("/").get_data(as_text=True))["overdue"][0] == 0
    client = app.test_client()
    login(client, "manager")
    todos = _todos(client.get("/").get_data(as_text=True))
    assert todos["overdue"][0] == 2 and todos["validate"][0] == 0
    assert client.get("/suivi/?section=bad").status_code == 200


def test_dossiers_to_screen_are_counted_in_the_agents_regions(app, client, make_user):
    kayes = make_user(Role.INTAKE_AGENT, regions=("01",), username="kayes")
    gao = make_user(Role.INTAKE_AGENT, regions=("07",), username="gao")
    manager = make_user(Role.PROGRAMME_MANAGER, username="boss")
    with committed(app):
        boss = db.session.get(User, manager)
        call = factories.open_call(boss)
        for n, code in enumerate(("01", "01", "01", "07")):
            lead = factories.person(boss, f"P{n}", "Test", id_number=f"D{n}",
                                    region_id=factories.region(code).id)
            applications.submit(boss, factories.complete_dossier(boss, call, lead))
        factories.eligible_dossier(boss, call, factories.person(
            boss, "Done", "Test", id_number="D9"))  # screened: nothing left to do
    with app.test_request_context():
        counts = {uid: {t.key: t.count for t in dashboards.todos(db.session.get(User, uid))}
                  for uid in (kayes, gao, manager)}
    assert counts[kayes]["screen"] == 3 and counts[gao]["screen"] == 1
    assert counts[manager]["screen"] == 4
    login(client, "kayes")
    todos = _todos(client.get("/").get_data(as_text=True))
    assert todos["screen"] == (3, "/dossiers/?status=submitted")
    listed = client.get(todos["screen"][1]).get_data(as_text=True)
    # The three of Kayes, not P3 of Gao (searched as a name: a random CSRF token may hold "P3").
    assert listed.count("AP-") >= 3 and "P3 Test" not in listed and "Test P3" not in listed
    assert "P0 Test" in listed or "Test P0" in listed


def test_committee_members_see_their_sheets_to_score(app, committee):
    with app.test_request_context():
        people, session, dossiers = factories.load_committee(committee)
        factories.score_dossier(people["m0"], session, dossiers[0], 60)  # submitted
        factories.score_dossier(people["m0"], session, dossiers[1], 50, submit=False)  # draft
        db.session.commit()
        mine = {t.key.split("-")[0]: t for t in dashboards.todos(people["m0"])
                if t.key.endswith(f"-{session.id}")}
        other = {t.key.split("-")[0]: t.count for t in dashboards.todos(people["m1"])
                 if t.key.endswith(f"-{session.id}")}
    assert (mine["declare"].count, mine["score"].count) == (len(dossiers) - 2, 1)
    assert other == {"declare": len(dossiers), "score": 0}
    assert mine["score"].url.endswith(f"/{session.id}?show=to_score")


def test_figures_by_role_and_scope(app, followed):
    with app.app_context():
        manager, field, far, officer = (db.session.get(User, followed[name]) for name in (
            "manager", "field", "far", "officer"))
        names = {user.username: dashboard_figures.figure_names(user)
                 for user in (manager, field, officer)}
        assert names["manager"] == dashboard_figures.ORDER
        assert names["field"] == ("overdue", "survival")
        assert names["officer"] == ("envelope", "disbursements")
    with app.test_request_context():
        figures = {f.key: f for f in dashboard_figures.figures(manager)}
        paid = db.session.get(Application, followed["application"]).requested_amount
        # The funnel: one funded dossier; the map: one funded project in Kayes.
        # registered, submitted, eligible, selected, funded, running at M+6 and M+12
        assert [row[1] for row in figures["funnel"].rows] == ["1", "1", "1", "1", "1", "0", "0"]
        assert ["Kayes", "1"] in figures["map"].rows
        assert figures["overdue"].rows == [["Kayes", "2"]]
        assert figures["overdue"].link == "/suivi/?section=overdue"
        # The first tranche (60 %) paid 100 days ago, in the disbursements of its month.
        month = figures["disbursements"].rows
        assert sum(int(re.sub(r"\D", "", cells[1])) for cells in month) == paid * 60 // 100
        assert "<script" not in figures["map"].svg
        assert dashboard_figures.figures(far)[0].rows == []  # Gao: no overdue visit
        assert [f.key for f in dashboard_figures.figures(officer)] == ["envelope",
                                                                       "disbursements"]


def test_the_home_page_reads_nothing_twice(app, client, followed):
    """Every cache cold (the tests' settings, the menu's count too): the to-dos are counted
    once for the page and the menu's reminder count, each fact once for the figures sharing
    it, the regions once. The same statement twice with the same parameters is work done
    twice."""
    app.config["REMINDER_BADGE_CACHE_SECONDS"] = 0
    login(client, "manager")
    statements: list[tuple[str, str]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, repr(parameters)))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        page = client.get("/")
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert page.status_code == 200 and 'data-figure="funnel"' in page.get_data(as_text=True)
    assert [sql for (sql, _), times in Counter(statements).items() if times > 1] == []
    # The figures' facts are read with the measures they show: no consent, duplicate or
    # vulnerability subquery per returnee for the funnel's "Registered".
    assert not any("duplicate_review" in sql for sql, _ in statements)


def test_home_without_figures_or_todos(client, login_as):
    login_as(Role.COMMITTEE_MEMBER)
    page = client.get("/").get_data(as_text=True)
    assert "data-figure" not in page and "Rien à faire pour l'instant" in page


def test_figures_are_cached_per_scope(make_app, make_user):
    app = make_app(DASHBOARD_CACHE_SECONDS=300)
    uid = make_user(Role.PROGRAMME_MANAGER, username="cached")
    with app.test_request_context():
        user = db.session.get(User, uid)
        first = dashboard_figures.figures(user, date.today())
        assert dashboard_figures.figures(user, date.today()) is first

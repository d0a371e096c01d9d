"""What a field officer takes on the phone for a day without network: the server lists only
the planned visits of the officer's regions (theirs or nobody's), due within the next days;
the worker's file may control the follow-up pages and the CSP allows it; logout wipes it all.
The browser side is in tests/e2e/test_offline_browser.py."""

from datetime import date, timedelta

from grants.extensions import db
from grants.models import User, Visit
from grants.services.followup.offline import offline_visits
from tests.conftest import login
from tests.factories import make_followed_more, plan, user


def _offline_list(client, username: str) -> dict:
    assert login(client, username).status_code == 302
    response = client.get("/suivi/hors-ligne/liste")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def test_the_officer_takes_the_overdue_and_next_days_visits_of_their_regions(
        app, client, followed):
    with app.app_context():
        first, second, later, _last = plan(followed)
        assert later.due_on > date.today() + timedelta(days=app.config["OFFLINE_VISIT_DAYS"])
        expected = [first, second]
        field_id = followed["field"]
    listed = _offline_list(client, "field")
    assert listed["user"] == field_id
    assert listed["visits"] == [v.reference for v in expected]
    assert listed["pages"] == ["/suivi/", "/suivi/hors-ligne"] + [
        url for v in expected for url in (f"/suivi/visites/{v.id}", f"/suivi/visites/{v.id}/rapport")]
    # Every page listed opens for the officer: the returnee's phone and place, the budget items.
    form = client.get(f"/suivi/visites/{first.id}/rapport").get_data(as_text=True)
    assert "Machine à coudre" in form and "Kayes (Kayes)" in form and 'id="offline-bar"' in form
    for url in listed["pages"] + listed["assets"]:
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()


def test_nothing_of_another_region_is_taken_even_when_assigned(app, client, followed):
    with app.app_context():
        first, second, *_ = plan(followed)
        first.assigned_to_id = followed["far"]  # an officer of Mopti, given a visit in Kayes
        second.assigned_to_id = followed["far"]
        db.session.commit()
        assert offline_visits(db.session.get(User, followed["far"]), date.today()) == []
        # and the Kayes officer no longer takes visits given to someone else
        assert offline_visits(user(followed, "field"), date.today()) == []
    assert _offline_list(client, "far")["visits"] == []


def test_unassigned_visits_of_the_region_are_taken_most_urgent_first_up_to_the_limit(
        app, followed):
    make_followed_more(app, followed, 2)
    app.config["OFFLINE_MAX_VISITS"] = 3
    with app.app_context():
        taken = offline_visits(user(followed, "field"), date.today())
        assert len(taken) == 3
        assert [v.due_on for v in taken] == sorted(v.due_on for v in taken)
        overdue = db.session.scalars(db.select(Visit).order_by(Visit.due_on, Visit.id)).all()
        assert taken == overdue[:3]


def test_only_officers_who_record_visits_prepare_them(app, client, followed):
    assert login(client, "accountant").status_code == 302
    assert client.get("/suivi/hors-ligne/liste").status_code == 403
    assert client.get("/suivi/hors-ligne/jeton").status_code == 403


def test_a_fresh_form_token_sends_a_visit_filled_from_a_page_cached_earlier(app, client, followed):
    with app.app_context():
        visit_id = plan(followed)[0].id
    assert login(client, "field").status_code == 302
    token = client.get("/suivi/hors-ligne/jeton").get_json()["csrf_token"]
    response = client.post(f"/suivi/visites/{visit_id}/rapport", headers={
        "X-Requested-With": "fetch"}, data={
        "csrf_token": token, "key": "offline-key-0001", "visited_on": date.today().isoformat(),
        "mode": "phone", "activity_status": "stable", "recommendation": "favourable"})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.get_json()["url"] == f"/suivi/visites/{visit_id}"


def test_the_worker_may_control_the_follow_up_pages_and_the_csp_allows_it(app, client, followed):
    from grants.assets import SERVICE_WORKERS

    assert login(client, "field").status_code == 302
    worker = app.extensions["asset_manifest"]["js/offline-worker.js"]
    response = client.get(f"/static/{worker}")
    assert response.status_code == 200
    assert response.headers["Service-Worker-Allowed"] == SERVICE_WORKERS["js/offline-worker.js"]
    response.close()
    with app.test_request_context():
        from flask import url_for

        assert url_for("visits.worklist") == SERVICE_WORKERS["js/offline-worker.js"]
    page = client.get("/suivi/")
    assert "worker-src 'self'" in page.headers["Content-Security-Policy"]
    assert f'data-worker="/static/{worker}"' in page.get_data(as_text=True)
    # Other static files stay in their own folder.
    css = client.get("/static/" + app.extensions["asset_manifest"]["css/app.css"])
    assert "Service-Worker-Allowed" not in css.headers
    css.close()


def test_logout_tells_the_browser_to_wipe_the_offline_data(app, client, followed):
    assert login(client, "field").status_code == 302
    client.get("/suivi/")
    response = client.post("/deconnexion", data={"csrf_token": _token(client)})
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def _token(client) -> str:
    return client.get("/suivi/hors-ligne/jeton").get_json()["csrf_token"]


def test_the_visits_waiting_show_from_the_home_page_to_those_who_record_visits(app, client,
                                                                               followed):
    login(client, "field")
    home = client.get("/").get_data(as_text=True)
    assert 'id="offline-pending"' in home and "js/offline." in home and "css/field." in home
    assert 'id="offline-prepare"' not in home  # prepared from the worklist only
    client.post("/deconnexion")
    login(client, "accountant")
    home = client.get("/").get_data(as_text=True)
    assert 'id="offline-bar"' not in home and "js/offline." not in home

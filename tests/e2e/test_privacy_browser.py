"""A data-protection officer, on a 360 px phone, opens a returnee's personal data from the
registry and erases the person on request: the form asks for the reason and the confirmation,
then the page shows the pseudonym."""

import pytest

from grants.extensions import db
from grants.models import Beneficiary, Role, User
from tests import factories
from tests.conftest import committed
from tests.e2e.conftest import SCREENSHOTS, log_in, phone_screen

pytestmark = pytest.mark.browser


def test_erasure_on_request_on_a_phone(app, browser, live_server, make_user):
    make_user(Role.DATA_PROTECTION_OFFICER, username="dpd")
    manager_id = make_user()
    with committed(app):
        person_id = factories.person(db.session.get_one(User, manager_id), "Salimata",
                                     "Effacée").id
    with phone_screen(browser, live_server, width=360, height=740) as page:
        log_in(page, live_server, "dpd")
        page.goto(f"/beneficiaires/{person_id}")
        page.get_by_role("link", name="Données personnelles : fiche, lectures, effacement").click()
        page.wait_for_url(f"**/protection-donnees/personnes/{person_id}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.get_by_role("button", name="Effacer cette personne").click()
        # Nothing ticked, nothing written: the messages are at the fields.
        assert page.locator(".invalid-feedback").count() == 2
        page.get_by_label("Motif").fill("Demande écrite du 2 juin 2026")
        page.get_by_label("Je confirme").check()
        page.get_by_role("button", name="Effacer cette personne").click()
        page.wait_for_url(f"**/protection-donnees/personnes/{person_id}")
        assert "La personne a été effacée" in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(SCREENSHOTS / "erasure-360.png"), full_page=True)
        assert page.requested_hosts == {live_server.removeprefix("http://")}
    with app.app_context():
        person = db.session.get_one(Beneficiary, person_id)
        assert person.first_name == "Anonyme" and person.code.startswith("ANON-")

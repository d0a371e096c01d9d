"""The indicator report's pages on a 360-pixel phone: the form, the job, the issued version
with its files; nothing requested from another host, nothing wider than the screen."""

from grants.extensions import db
from grants.models import Role, User
from tests import factories
from tests.conftest import committed
from tests.e2e.conftest import log_in, phone_screen


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_issuing_the_report_on_a_phone(app, browser, live_server, make_user):
    manager_id = make_user(Role.PROGRAMME_MANAGER, username="manager")
    with committed(app):
        manager = db.session.get(User, manager_id)
        factories.person(manager)
        factories.open_call(manager)
    with phone_screen(browser, live_server, width=360, height=800) as page:
        log_in(page, live_server, "manager")
        page.goto("/rapports/indicateurs")
        assert "Aucune version émise" in page.locator("main").inner_text()
        assert _fits(page)
        page.fill("#start", "01/05/2026")
        page.fill("#end", "01/04/2026")
        page.get_by_role("button", name="Émettre le rapport").click()
        assert "précède son début" in page.locator("main").inner_text()
        page.fill("#start", "01/01/2025")
        page.fill("#end", "31/12/2030")
        # Tests run the job inside the request: the answer waits for the files.
        with page.expect_navigation(url=f"{live_server}/telechargements/*", timeout=90000):
            page.get_by_role("button", name="Émettre le rapport").click(no_wait_after=True)
        assert "Prêt" in page.locator("main").inner_text()
        page.goto("/rapports/indicateurs")
        text = page.locator("main").inner_text()
        assert "Version 1" in text and "SHA-256" in text
        assert page.locator("main a", has_text="PDF").count() == 1
        assert _fits(page)
        assert page.requested_hosts == {live_server.removeprefix("http://")}

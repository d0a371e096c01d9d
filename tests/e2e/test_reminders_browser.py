"""Staff reminders on a 360-pixel phone: the menu's count, the Reminders page and its link to
the list, the digest preference saved from the phone; under the app's CSP, nothing requested
from elsewhere."""

from playwright.sync_api import expect

from grants.extensions import db
from grants.models import Role, User
from grants.services.intake import applications
from tests import factories
from tests.conftest import committed
from tests.e2e.conftest import log_in, phone_screen


def test_the_reminders_and_their_digest_from_a_phone(app, browser, live_server, make_user):
    manager_id = make_user(Role.PROGRAMME_MANAGER, username="manager", phone="+22376000111")
    with committed(app):
        manager = db.session.get(User, manager_id)
        call = factories.open_call(manager)
        for n in range(2):
            lead = factories.person(manager, f"P{n}", "Test", id_number=f"R{n}")
            applications.submit(manager, factories.complete_dossier(manager, call, lead))
    with phone_screen(browser, live_server, width=360, height=800) as page:
        refused = []
        page.on("console", lambda message: refused.append(message.text)
                if "Content Security Policy" in message.text else None)
        log_in(page, live_server, "manager")
        page.get_by_role("button", name="Menu").click()
        entry = page.locator("nav a[href='/rappels']")
        assert entry.inner_text().split()[:2] == ["Rappels", "2"]
        # Waited for from before the click (under load the old page was read before the new
        # one, and a wait begun after the click could miss a navigation already under way).
        with page.expect_navigation(url="**/rappels", timeout=30_000):
            entry.click()
        main = page.locator("main").inner_text()
        assert "Dossiers à examiner" in main and "Pas de résumé quotidien." in main
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.get_by_role("link", name="Modifier").click()
        page.get_by_label("Résumé quotidien de mes rappels").select_option("sms")
        page.get_by_label("Heures calmes : de").select_option("20")
        page.get_by_label("Heures calmes : jusqu'à").select_option("7")
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.locator("body")).to_contain_text("Vos préférences de rappel sont enregistrées.")
        body = page.locator("body").inner_text()
        assert "Résumé quotidien : Message texte (SMS)." in body and "20:00 à 07:00" in body
        page.locator("main a[href*='status=submitted']").click()
        page.wait_for_url("**status=submitted*")
        assert refused == []
        assert page.requested_hosts == {live_server.removeprefix("http://")}

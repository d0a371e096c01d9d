"""The SMS page on a 360-pixel phone: the messages of a walked step, readable without a
horizontal scroll, under the app's CSP, nothing requested from elsewhere; the call list's
"mark called" button works from the phone."""

from grants.extensions import db
from grants.models import ContactChannel, MessageEvent, Role, User
from grants.services.notifications import outbox, sending
from grants.services.notifications.gateways import DevGateway
from tests import factories
from tests.conftest import committed
from tests.e2e.conftest import log_in, phone_screen


def test_the_sms_page_and_the_call_list_fit_a_phone(app, browser, live_server, make_user):
    manager_id = make_user(Role.PROGRAMME_MANAGER, username="manager", regions=("01",))
    make_user(Role.INTAKE_AGENT, username="agent", regions=("01",))
    with committed(app):
        manager = db.session.get(User, manager_id)
        reader = factories.person(manager, "Awa", "Diarra", phone="+22376000101", id_number="A1")
        factories.person(manager, "Ousmane", "Coulibaly", phone="+22376000102", id_number="A2")
        caller = factories.person(manager, "Fanta", "Sidibé", phone="+22376000103",
                                  id_number="A3")
        outbox.set_preference(manager, caller, "fr", ContactChannel.CALL)
        outbox.queue(caller, MessageEvent.SELECTED, "e2e:call", {"reference": "AP-2026-0042"})
        sending.send_due(DevGateway(), 5)
        code = reader.code
    with phone_screen(browser, live_server, width=360, height=800) as page:
        refused = []
        page.on("console", lambda message: refused.append(message.text)
                if "Content Security Policy" in message.text else None)
        log_in(page, live_server, "manager")
        page.goto("/messages/")
        main = page.locator("main").inner_text()
        assert "SMS envoyés" in main and "Awa Diarra" in main and "Inscription faite" in main
        assert f"votre inscription au programme de réintégration est faite. Votre code: {code}" \
            in main
        assert "SMS par mois et coût estimé" in main
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.get_by_label("État").select_option("sent")
        page.get_by_role("button", name="Filtrer").click()
        sent = page.locator("main").inner_text()
        assert "state=sent" in page.url and "AP-2026-0042" not in sent  # the call waits
        assert sent.count("Inscription faite") == 3
        page.context.clear_cookies()
        log_in(page, live_server, "agent")
        page.goto("/messages/appels")
        assert "Fanta Sidibé" in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.get_by_role("button", name="Marquer comme appelé").click()
        assert "L'appel est enregistré." in page.locator("body").inner_text()
        assert "Aucun appel à faire." in page.locator("main").inner_text()
        assert refused == []
        assert page.requested_hosts == {live_server.removeprefix("http://")}

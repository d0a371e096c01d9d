"""A field officer's day without network, on a 360 px phone: the worklist is prepared at the
office, the network goes, the worklist and two visit forms open from the phone, both are filled
(one with a photo) and kept, the network returns and each is recorded once. Logout wipes what
the phone took."""

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from grants.extensions import db
from grants.models import AuditEvent, Visit
from grants.workflow import VisitStatus
from tests.e2e.conftest import log_in, phone_screen
from tests.factories import plan

pytestmark = pytest.mark.browser

PHOTO = bytes.fromhex(  # the smallest JPEG a browser draws: one white pixel
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c"
    "1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0"
    "000b080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bff"
    "c400b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a10823"
    "42b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a5354555657"
    "58595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aa"
    "b2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8"
    "f9faffda0008010100003f00fbd3ffd9")


def _until(page, expression: str, tries: int = 100) -> None:
    """Wait for a condition (wait_for_function evaluates strings, which the CSP forbids)."""
    for _ in range(tries):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(expression)


def _prepare_offline(page) -> None:
    page.goto("/suivi/")
    _until(page, "navigator.serviceWorker.controller !== null")
    expect(page.locator("#offline-state")).to_contain_text("Pas encore préparé hors ligne")
    page.get_by_role("button", name="Préparer hors ligne").click()
    expect(page.locator("#offline-state")).to_contain_text("Prêt hors ligne · mis à jour le",
                                                           timeout=20000)
    expect(page.locator("#offline-state")).to_contain_text("2 visite(s) sur le téléphone")


def _next_step(page) -> None:
    page.get_by_role("button", name="Suivant").click()


def _fill_by_phone(page, revenue: str, steps: int, photo: bool = False) -> None:
    """The visit form in steps (360 px): a visit by phone, one answer per step."""
    expect(page.locator(".step-count")).to_have_text(f"Étape 1 sur {steps}")
    assert not page.get_by_role("button", name="Envoyer la visite").is_visible()
    page.get_by_text("Par téléphone", exact=True).click()
    _next_step(page)
    expect(page.locator(".step-count")).to_have_text(f"Étape 2 sur {steps}")
    page.get_by_text("Stable", exact=True).click()
    page.get_by_label("Ventes du mois (F CFA)").fill(revenue)
    _next_step(page)
    _next_step(page)  # what the grant bought: seen by phone, not answered
    page.get_by_label("Observations").fill("Visite par téléphone, réseau coupé.")
    if photo:
        page.get_by_label("Photos (JPEG ou PNG)").set_input_files(
            files=[{"name": "atelier.jpg", "mimeType": "image/jpeg", "buffer": PHOTO}])
        page.wait_for_timeout(300)  # IndexedDB write
    while page.get_by_role("button", name="Suivant").is_visible():
        _next_step(page)
    expect(page.locator(".step-count")).to_have_text(f"Étape {steps} sur {steps}")
    page.get_by_text("Favorable", exact=True).click()
    page.get_by_role("button", name="Envoyer la visite").click()
    expect(page.locator("#draft-status")).to_contain_text("Pas de réseau")


def test_two_visits_filled_without_network_are_recorded_once_when_it_returns(
        app, browser, live_server, followed):
    with app.app_context():
        first, second, later, _ = plan(followed)
        ids = first.id, second.id
        later_id = later.id
    with phone_screen(browser, live_server, width=360, height=740) as page:
        log_in(page, live_server, "field")
        _prepare_offline(page)

        page.context.set_offline(True)
        page.goto("/suivi/")  # from the phone
        expect(page.locator("#offline-state")).to_contain_text("Prêt hors ligne")
        expect(page.locator("#offline-pending")).to_have_text("Aucune visite en attente d'envoi")
        # A page not taken says so (and proves the network is really gone for the worker too).
        page.goto(f"/suivi/visites/{later_id}")
        expect(page.locator("h1")).to_have_text("Non disponible hors ligne")
        page.goto("/suivi/")

        page.locator(f"a[href='/suivi/visites/{ids[0]}/rapport']").click()
        page.wait_for_url(f"**/suivi/visites/{ids[0]}/rapport")
        _fill_by_phone(page, "120 000", 8, photo=True)  # with the questionnaire (3 steps)
        expect(page.locator("#offline-pending")).to_have_text("1 visite en attente d'envoi")

        page.goto("/suivi/")
        page.locator(f"a[href='/suivi/visites/{ids[1]}']").first.click()  # the visit's page
        expect(page.locator("#offline-pending")).to_have_text("1 visite en attente d'envoi")
        page.get_by_role("link", name="Remplir la visite").click()
        page.wait_for_url(f"**/suivi/visites/{ids[1]}/rapport")
        _fill_by_phone(page, "95 000", 5)

        page.goto("/suivi/")
        expect(page.locator("#offline-pending")).to_have_text("2 visites en attente d'envoi")
        page.mouse.wheel(0, 3000)  # the count stays in view down the page
        page.wait_for_timeout(300)
        assert page.evaluate("scrollY") > 300
        assert page.locator("#offline-pending").evaluate(
            "e => e.getBoundingClientRect().top >= 0 && e.getBoundingClientRect().bottom <= innerHeight")
        with app.app_context():
            assert [db.session.get(Visit, i).status for i in ids] == [VisitStatus.PLANNED] * 2

        page.context.set_offline(False)  # back in the office's network
        expect(page.locator("#offline-pending")).to_have_text(
            "Aucune visite en attente d'envoi", timeout=20000)
        assert page.evaluate(
            "Object.keys(localStorage).filter(k => k.startsWith('grants:'))") == []
        page.goto("/")  # the home page shows the same state and count
        expect(page.locator("#offline-state")).to_contain_text("Prêt hors ligne")
        expect(page.locator("#offline-pending")).to_have_text("Aucune visite en attente d'envoi")
        assert page.requested_hosts == {live_server.removeprefix("http://")}

    with app.app_context():
        recorded = [db.session.get(Visit, i) for i in ids]
        assert [v.status for v in recorded] == [VisitStatus.SUBMITTED] * 2
        assert [v.monthly_revenue for v in recorded] == [120_000, 95_000]
        assert [len(v.photos) for v in recorded] == [1, 0]
        assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(
            AuditEvent.action == "visit.submit")) == 2


def test_logout_wipes_what_the_phone_took(app, browser, live_server, followed):
    with phone_screen(browser, live_server, width=360, height=740) as page:
        log_in(page, live_server, "field")
        _prepare_offline(page)
        page.evaluate("localStorage.setItem('grants:u1:visit-VS-X', '{}')")
        assert page.evaluate("caches.keys()") != []
        # Logging out from a page without the offline script: the server's answer wipes it.
        page.goto("/")
        page.locator("form[action='/deconnexion']").evaluate("form => form.submit()")
        page.wait_for_url("**/connexion")
        _until(page, "caches.keys().then(names => names.length === 0)")
        assert page.evaluate("localStorage.length") == 0
        assert page.evaluate(
            "navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
        page.context.set_offline(True)
        with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
            page.goto("/suivi/")  # no worker, no cached worklist: the browser's own error


def test_logout_asks_first_when_visits_filled_offline_still_wait(
        app, browser, live_server, followed):
    with phone_screen(browser, live_server, width=360, height=740) as page:
        log_in(page, live_server, "field")
        page.goto("/suivi/")
        draft = (f"grants:u{followed['field']}:visit-VS-TEST")
        page.evaluate(f"""localStorage.setItem({draft!r}, JSON.stringify(
            {{fields: {{}}, pending: true, url: '/suivi/visites/0/rapport'}}))""")
        page.reload()
        expect(page.locator("#offline-pending")).to_have_text("1 visite en attente d'envoi")
        questions = []

        def answer(dialog, accept: bool):
            questions.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        page.once("dialog", lambda dialog: answer(dialog, False))
        page.locator("form[action='/deconnexion']").evaluate("form => form.requestSubmit()")
        page.wait_for_timeout(500)
        assert "la déconnexion les efface" in questions[0]
        assert page.url.endswith("/suivi/")  # still there, the visit still waits
        assert page.evaluate(f"localStorage.getItem({draft!r}) !== null")

        page.once("dialog", lambda dialog: answer(dialog, True))
        page.locator("form[action='/deconnexion']").evaluate("form => form.requestSubmit()")
        page.wait_for_url("**/connexion")
        assert page.evaluate("localStorage.length") == 0


def test_a_visit_the_server_refuses_waits_no_more_and_is_listed_to_correct(
        app, browser, live_server, followed):
    with app.app_context():
        first = plan(followed)[0]
        visit_id, reference = first.id, first.reference
    with phone_screen(browser, live_server, width=360, height=740) as page:
        log_in(page, live_server, "field")
        page.goto("/suivi/")
        draft = f"grants:u{followed['field']}:visit-{reference}"
        page.evaluate(f"""localStorage.setItem({draft!r}, JSON.stringify({{
            fields: {{key: 'refused-key-000001', observations: 'Sans date ni mode'}},
            pending: true, url: '/suivi/visites/{visit_id}/rapport'}}))""")
        page.reload()  # sent at once: the network is there
        expect(page.locator("#offline-refused")).to_contain_text("à corriger", timeout=15000)
        expect(page.locator("#offline-pending")).to_have_text("Aucune visite en attente d'envoi")
        page.locator("#offline-refused a", has_text=reference).click()
        page.wait_for_url(f"**/suivi/visites/{visit_id}/rapport")
        assert "brouillon" in page.locator("#draft-status").inner_text()  # to correct and send
    with app.app_context():
        assert db.session.get(Visit, visit_id).status == VisitStatus.PLANNED

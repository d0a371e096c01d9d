"""A field officer fills a visit on a phone, loses the network before sending it, gets it back:
the visit is recorded once, and once validated it makes the second tranche due."""

import pytest
from playwright.sync_api import expect

from grants.extensions import db
from grants.models import AuditEvent, Grant, TrancheStatus, Visit
from grants.workflow import VisitStatus
from tests.e2e.conftest import log_in
from tests.factories import plan

pytestmark = pytest.mark.browser


def _big_photo() -> bytes:
    """A 3000 × 2000 PNG of noise (a few MB), as a phone camera would give."""
    import io
    import os

    from PIL import Image

    image = Image.frombytes("RGB", (3000, 2000), os.urandom(3000 * 2000 * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _until(page, expression: str) -> None:
    """Wait for a condition (wait_for_function evaluates strings, which the CSP forbids)."""
    for _ in range(100):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(expression)


def _go_to_step(page, number: int) -> None:
    """On a phone the form shows one section at a time (js/visit-steps.js)."""
    for _ in range(10):
        current = int(page.locator(".step-count").inner_text().split()[1])
        if current == number:
            return
        page.get_by_role("button", name="Suivant" if current < number else "Précédent").click()
    raise AssertionError(f"step {number}")


def _no_horizontal_scroll(page) -> bool:
    # clientWidth: a phone zooms out on a page too wide, which would grow innerWidth with it
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_visit_sent_offline_is_recorded_once_when_the_network_returns(
        app, browser, live_server, phone_page, followed):
    with app.app_context():
        visit_id = plan(followed)[0].id
    page = phone_page
    log_in(page, live_server, "field")
    page.goto("/suivi/")
    assert "En retard" in page.content()
    page.get_by_role("link", name="Remplir la visite").first.click()
    page.wait_for_url(f"**/suivi/visites/{visit_id}/rapport")
    assert _no_horizontal_scroll(page)

    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 14.4469, "longitude": -11.445, "accuracy": 12})
    page.get_by_role("button", name="Enregistrer ma position (GPS)").click()
    expect(page.locator("#gps-status")).to_contain_text("Position enregistrée : 12 m")
    _go_to_step(page, 2)
    page.get_by_text("Stable", exact=True).click()
    page.get_by_label("Ventes du mois (F CFA)").fill("175 000")
    page.get_by_label("Personnes qui travaillent dans l'activité").fill("2")
    _go_to_step(page, 3)
    page.locator("fieldset", has_text="Machine à coudre").get_by_text("Tout présent").click()
    page.locator("fieldset", has_text="Tissus").get_by_text("En partie présent").click()
    _go_to_step(page, 5)
    page.locator("fieldset", has_text="Avez-vous un travail ou un revenu").get_by_text(
        "Oui", exact=True).click()
    _go_to_step(page, 4)
    page.get_by_label("Observations").fill("Atelier ouvert, deux apprentis.")

    page.get_by_label("Photos (JPEG ou PNG)").set_input_files(
        files=[{"name": "atelier.png", "mimeType": "image/png", "buffer": _big_photo()}],
        timeout=30000)  # a few MB through the browser's protocol: slow on a loaded machine
    _until(page,  # shrunk to a JPEG in the browser before it is kept
           "document.querySelector('input[type=file]').files[0].type === 'image/jpeg'")
    page.wait_for_timeout(300)  # IndexedDB write

    # The draft survives a reload (a phone that ran out of battery, a closed tab…)
    page.reload()
    _until(page, "document.querySelector('input[type=file]').files.length === 1")
    assert "brouillon" in page.locator("#draft-status").inner_text()
    assert page.get_by_label("Ventes du mois (F CFA)").input_value() == "175 000"
    assert page.locator("fieldset", has_text="Tissus").locator(
        "input[value=part]").is_checked()

    _go_to_step(page, 8)  # the recommendation, after the three parts of the questionnaire
    page.locator("fieldset", has_text="Avis pour la tranche suivante").get_by_text(
        "Favorable", exact=True).click()
    page.context.set_offline(True)
    page.get_by_role("button", name="Envoyer la visite").click()
    page.wait_for_selector("#draft-status.alert-warning")
    assert "Pas de réseau" in page.locator("#draft-status").inner_text()
    with app.app_context():
        assert db.session.get(Visit, visit_id).status == VisitStatus.PLANNED

    # The network returns, but the first answer is lost on the way back (the server has
    # recorded the visit): the script tries again with the same key, which records nothing more.
    lost = []

    def lose_first_answer(route):
        if route.request.method == "POST" and not lost:
            lost.append(route.fetch().status)
            route.abort()
        else:
            route.continue_()

    page.route(f"**/suivi/visites/{visit_id}/rapport", lose_first_answer)
    page.context.set_offline(False)
    page.wait_for_url(f"**/suivi/visites/{visit_id}", timeout=20000)
    assert lost == [200]
    assert "est enregistrée" in page.locator(".alert-success").inner_text()
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('grants:'))") == []
    assert page.requested_hosts == {live_server.removeprefix("http://")}
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit.status == VisitStatus.SUBMITTED and visit.monthly_revenue == 175_000
        assert (visit.latitude, visit.longitude, visit.gps_accuracy) == (14.4469, -11.445, 12)
        assert {i.presence.value for i in visit.items} == {"all", "part"}
        assert visit.survey == {"eco_income": "yes"}
        assert [(p.content_type, p.size < 1_000_000) for p in visit.photos] == [
            ("image/jpeg", True)]
        assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(
            AuditEvent.action == "visit.submit")) == 1

    manager_context = browser.new_context(base_url=live_server, locale="fr-FR")
    manager = manager_context.new_page()
    manager.set_default_timeout(8000)
    log_in(manager, live_server, "manager")
    manager.goto(f"/suivi/visites/{visit_id}")
    manager.get_by_role("button", name="Valider la visite").click()
    assert "La visite est validée." in manager.locator(".alert-success").inner_text()
    manager_context.close()
    with app.app_context():
        grant = db.session.get(Grant, followed["grant"])
        assert grant.tranches[1].status == TrancheStatus.ELIGIBLE


def test_the_follow_up_pages_fit_a_phone(app, live_server, phone_page, followed):
    from grants.services.followup import visit_reports
    from tests.factories import report, user

    with app.app_context():
        first = plan(followed)[0]
        visit_reports.submit_visit(user(followed, "field"), first.id, report(
            first, survey={"eco_income": "no", "psy_distress": "often"}), "phone-pages")
        db.session.commit()
        visit_id, application_id = first.id, first.application_id
    log_in(phone_page, live_server, "manager")
    for path in ("/suivi/", "/suivi/charge", "/suivi/survie", "/suivi/orientations",
                 "/suivi/partenaires", "/suivi/ponderations", "/suivi/terrain",
                 f"/suivi/visites/{visit_id}", f"/suivi/visites/{visit_id}?reponses=1",
                 f"/suivi/dossiers/{application_id}", f"/suivi/dossiers/{application_id}/visite",
                 "/suivi/partenaires/nouveau", "/suivi/ponderations/nouvelle"):
        phone_page.goto(path)
        assert phone_page.locator("h1").count() == 1, path
        wide = phone_page.evaluate("""Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40))
            .slice(0, 5)""")
        assert _no_horizontal_scroll(phone_page), (path, wide)


def test_the_visit_form_comes_in_steps_on_a_phone_and_whole_on_a_desktop(
        app, browser, live_server, followed):
    from tests.e2e.conftest import phone_screen

    with app.app_context():
        visit_id = plan(followed)[1].id  # V2: no questionnaire, five steps
    with phone_screen(browser, live_server, width=360, height=740) as page:
        log_in(page, live_server, "field")
        page.goto(f"/suivi/visites/{visit_id}/rapport")
        assert page.locator(".step-count").inner_text() == "Étape 1 sur 5"
        assert page.locator(".step-title").inner_text() == "La visite"
        assert page.evaluate("document.documentElement.scrollHeight") < 2000  # 7 300 px before
        assert page.locator("progress").evaluate("p => [p.value, p.max]") == [1, 5]
        assert not page.get_by_role("button", name="Envoyer la visite").is_visible()
        _go_to_step(page, 5)
        assert page.locator(".step-title").inner_text() == "Avis"
        page.get_by_role("button", name="Envoyer la visite").click()  # nothing filled: refused
        expect(page.locator(".alert-danger")).to_be_visible()
        # the first step with an error opens (the activity's status: the date and the mode
        # have their defaults), its message in view
        expect(page.locator(".step-count")).to_have_text("Étape 2 sur 5")
        expect(page.locator(".visit-section:not([hidden]) .invalid-feedback").first).to_be_visible()
        assert _no_horizontal_scroll(page)

    desktop = browser.new_context(base_url=live_server, locale="fr-FR",
                                  viewport={"width": 1366, "height": 800})
    page = desktop.new_page()
    page.set_default_timeout(8000)
    log_in(page, live_server, "field")
    page.goto(f"/suivi/visites/{visit_id}/rapport")
    assert page.locator(".visit-section:not([hidden])").count() == 5
    assert not page.locator("#visit-steps").is_visible()
    assert not page.get_by_role("button", name="Suivant").is_visible()
    assert page.get_by_role("button", name="Envoyer la visite").is_visible()
    desktop.close()

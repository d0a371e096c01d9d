"""Words on a phone, in a browser whose language is English: the audit log's French sentences,
an applicant's own dossiers as cards, and date fields that stay dd/mm/yyyy."""

import os
import uuid
from pathlib import Path

from grants.extensions import db
from grants.models import Beneficiary, Role, User
from grants.services.money import payments
from grants.vocabulary import Sex
from tests.conftest import committed
from tests.e2e.conftest import log_in, phone_screen

SHOTS = os.environ.get("GRANTS_SCREENSHOTS")  # a folder to keep the pages' pictures in


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _english_phone(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="en-US",
                                  viewport={"width": 360, "height": 800}, is_mobile=True,
                                  has_touch=True)
    return context


def test_the_audit_log_reads_french_on_a_phone(app, browser, live_server, make_user,
                                                ordered_tranche):
    ids, tranche_id = ordered_tranche
    with committed(app):
        payments.pay_tranche(db.session.get(User, ids["accountant"]), tranche_id,
                             str(uuid.uuid4()), "VIR-1")
    make_user(Role.AUDITOR, username="auditor")
    with phone_screen(browser, live_server, width=360, height=800) as page:
        log_in(page, live_server, "auditor")
        page.goto("/admin/journal")
        page.get_by_label("Action").fill("paiement")
        page.get_by_role("button", name="Filtrer").click()
        rows = page.locator("tbody tr")
        text = page.locator("main").inner_text()
        assert rows.count() == 2 and "Tranche payée" in text
        assert "Paiement de tranche ordonnancé" in text and "tranche 1" in text
        assert "{" not in text
        _shot(page, "journal-360")


def test_an_applicant_sees_their_dossiers_as_cards(app, browser, live_server, make_user):
    from tests import factories

    applicant = make_user(Role.APPLICANT, username="awa", regions=())
    manager = make_user(Role.PROGRAMME_MANAGER, username="manager")
    with committed(app):
        actor = db.session.get(User, manager)
        call = factories.open_call(actor)
        person = factories.person(actor, "Awa", "Traoré", sex=Sex.FEMALE)
        db.session.get(Beneficiary, person.id).user_id = applicant
        factories.eligible_dossier(actor, call, person)
    context = _english_phone(browser, live_server)
    try:
        page = context.new_page()
        page.set_default_timeout(8000)
        log_in(page, live_server, "awa")
        page.goto("/dossiers/")
        page.wait_for_url(live_server + "/dossiers/mes-dossiers")
        card = page.locator("article.card")
        assert card.count() == 1
        assert "Retenu pour le comité" in card.inner_text()
        assert "comité de sélection" in card.inner_text()
        assert page.locator("select[name=status]").count() == 0
        _shot(page, "mes-dossiers-360")
    finally:
        context.close()


def test_a_date_field_is_dd_mm_yyyy_in_an_english_browser(app, browser, live_server, make_user):
    make_user(Role.INTAKE_AGENT, username="agent", regions=("01",))
    context = _english_phone(browser, live_server)
    try:
        page = context.new_page()
        page.set_default_timeout(8000)
        log_in(page, live_server, "agent")
        page.goto("/beneficiaires/nouveau")
        field = page.get_by_label("Date de naissance", exact=True)
        assert field.get_attribute("type") == "text"
        assert field.get_attribute("placeholder") == "jj/mm/aaaa"
        consent = page.get_by_label("Date du consentement", exact=True)
        assert consent.input_value().count("/") == 2  # today, day first
        _shot(page, "returnee-form-360")
    finally:
        context.close()

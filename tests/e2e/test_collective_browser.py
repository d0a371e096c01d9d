"""An intake agent, on a 360 px phone, submits a collective dossier of three returnees: the
members are found in the registry and added, their shares set (a wrong total is refused at the
field), then the dossier is submitted (issue 10, point 14)."""

import re

import pytest

from grants.extensions import db
from grants.models import Application, Role, User
from grants.workflow import ApplicationStatus
from tests import factories
from tests.conftest import committed
from tests.e2e.conftest import SCREENSHOTS, add_documents_and_submit, fill_section, log_in, phone_screen

pytestmark = pytest.mark.browser


@pytest.fixture
def small_phone(browser, live_server):
    with phone_screen(browser, live_server, width=360, height=740) as page:
        yield page


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def test_intake_agent_submits_a_collective_dossier_of_three_returnees(app, small_phone,
                                                                      make_user, live_server,
                                                                      tmp_path):
    manager_id = make_user(Role.PROGRAMME_MANAGER, username="manager")
    with committed(app):
        manager = db.session.get(User, manager_id)
        factories.open_call(manager, title="Appel 2026")
        lead = factories.person(manager, "Awa", "Diallo", id_number="L1")
        for n, first in enumerate(("Bakary", "Mariam")):
            factories.person(manager, first, "Coulibaly", id_number=f"P{n}")
        lead_id = lead.id
    make_user(Role.INTAKE_AGENT, regions=("01",), username="fatou")
    page = log_in(small_phone, live_server, "fatou")

    page.goto(f"/dossiers/nouveau/{lead_id}")
    page.get_by_label("Type de projet").select_option("collective")
    page.locator("main button[type=submit]").click()
    fill_section(page, {"Titre du projet": "Atelier de soudure à Kayes", "Secteur": "metalwork",
                        "Activité : qu'allez-vous faire ?": "Portails et fenêtres"})
    fill_section(page, {"Produit ou service": "Portails, fenêtres, charpentes",
                        "Clients et marché": "Chantiers du quartier",
                        "Recettes mensuelles prévues (F CFA)": "400 000",
                        "Charges mensuelles prévues (F CFA)": "150 000",
                        "Emplois prévus (y compris le demandeur)": "3"})
    page.locator("[name='lines-0-item']").fill("Poste à souder")
    page.locator("[name='lines-0-quantity']").fill("2")
    page.locator("[name='lines-0-unit_cost']").fill("350 000")
    page.get_by_label("Montant demandé (F CFA)").fill("600 000")
    page.get_by_label("Apport personnel (F CFA)").fill("100 000")
    page.get_by_label("Forme de l'apport personnel").select_option("cash")
    page.get_by_label("Mode d'appui").select_option("in_kind")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/dossiers/\d+$"))
    assert "des parts des membres" in page.content() or "au moins deux membres" in page.content()

    # The members: found in the registry, added, shares set
    page.get_by_role("link", name="Membres et parts").first.click()
    page.wait_for_url(re.compile(r".*/dossiers/\d+/membres$"))
    for first in ("Bakary", "Mariam"):
        page.get_by_label("Chercher une personne enregistrée", exact=False).fill(first.lower())
        page.get_by_role("button", name="Rechercher").click()
        page.locator("#candidates li", has_text=f"{first} Coulibaly").get_by_role(
            "button", name="Ajouter").click()
        assert "réparties à égalité" in page.locator(".alert-success").inner_text()
    shares = page.locator(".share-input")
    assert shares.count() == 3
    assert page.locator("input[name=total]").input_value() == "100"  # 34 + 33 + 33
    _fits(page)
    for index, value in enumerate(("50", "30", "30")):
        shares.nth(index).fill(value)
    assert page.locator("input[name=total]").input_value() == "110"  # kept up to date
    page.get_by_role("button", name="Enregistrer les parts").click()
    assert "totalisent 110 %" in page.locator("input[name=total] ~ .invalid-feedback").inner_text()
    for index, value in enumerate(("40", "30", "30")):
        shares.nth(index).fill(value)
    page.get_by_role("button", name="Enregistrer les parts").click()
    assert "Les parts sont enregistrées" in page.locator(".alert-success").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "collective-members-360.png"), full_page=True)
    _fits(page)

    # Documents, then submission
    page.get_by_role("link", name="Continuer : pièces et dépôt").click()
    add_documents_and_submit(page, tmp_path, factories.PDF)
    assert "déposé sous la référence AP-" in page.locator(".alert-success").inner_text()
    _fits(page)

    with app.app_context():
        dossier = db.session.scalar(db.select(Application))
        assert dossier.status == ApplicationStatus.SUBMITTED
        assert [(m.beneficiary.first_name, m.share_percent) for m in dossier.members] == [
            ("Awa", 40), ("Bakary", 30), ("Mariam", 30)]
        assert dossier.revisions[0].snapshot["members"][0]["share"] == 40

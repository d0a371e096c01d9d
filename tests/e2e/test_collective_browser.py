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
from tests.e2e.conftest import log_in
from tests.e2e.test_login_browser import SCREENSHOTS

pytestmark = pytest.mark.browser


@pytest.fixture
def small_phone(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="fr-FR",
                                  viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(8000)
    yield page
    context.close()


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
    page.get_by_label("Titre du projet").fill("Atelier de soudure à Kayes")
    page.get_by_label("Secteur").select_option("metalwork")
    page.get_by_label("Activité : qu'allez-vous faire ?").fill("Portails et fenêtres")
    page.locator("main button[type=submit]").click()
    page.get_by_label("Produit ou service").fill("Portails, fenêtres, charpentes")
    page.get_by_label("Clients et marché").fill("Chantiers du quartier")
    page.get_by_label("Recettes mensuelles prévues (F CFA)").fill("400 000")
    page.get_by_label("Charges mensuelles prévues (F CFA)").fill("150 000")
    page.get_by_label("Emplois prévus (y compris le demandeur)").fill("3")
    page.locator("main button[type=submit]").click()
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
    for kind, name in (("id_scan", "nina.pdf"), ("proforma", "facture.pdf")):
        document = tmp_path / name
        document.write_bytes(factories.PDF)
        page.locator("#documents ~ form select[name=kind]").select_option(kind)
        page.locator("#documents ~ form input[type=file]").set_input_files(str(document))
        page.get_by_role("button", name="Ajouter le document").click()
        page.wait_for_url(re.compile(r".*/dossiers/\d+#documents$"))
    page.get_by_role("button", name="Déposer le dossier").click()
    assert "déposé sous la référence AP-" in page.locator(".alert-success").inner_text()
    _fits(page)

    with app.app_context():
        dossier = db.session.scalar(db.select(Application))
        assert dossier.status == ApplicationStatus.SUBMITTED
        assert [(m.beneficiary.first_name, m.share_percent) for m in dossier.members] == [
            ("Awa", 40), ("Bakary", 30), ("Mariam", 30)]
        assert dossier.revisions[0].snapshot["members"][0]["share"] == 40

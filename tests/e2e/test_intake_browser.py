"""An intake agent, on a phone, registers a returnee and submits their micro-project in French."""

import re

import pytest

from grants.extensions import db
from grants.models import Application, Beneficiary, Role, User
from grants.workflow import ApplicationStatus
from tests import factories
from tests.conftest import PASSWORD, committed
from tests.e2e.conftest import SCREENSHOTS, add_documents_and_submit, fill_section

pytestmark = pytest.mark.browser


def test_intake_agent_registers_a_returnee_and_submits_a_dossier(app, phone_page, make_user,
                                                                  live_server, tmp_path):
    manager_id = make_user(Role.PROGRAMME_MANAGER, username="manager")
    with committed(app):
        factories.open_call(db.session.get(User, manager_id), title="Appel 2026")
    make_user(Role.INTAKE_AGENT, regions=("01",), username="fatou")
    page = phone_page
    page.goto("/connexion")
    page.get_by_label("Identifiant ou numéro de téléphone").fill("fatou")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(live_server + "/")

    # Registration, with the consent read aloud first
    page.get_by_role("link", name="Enregistrer une personne").first.click()
    for scope in ("processing", "share_cnrm", "mobile_money", "follow_up"):
        page.locator(f"input[name=consent_scopes][value={scope}]").check()
    page.get_by_label("Prénom(s)").fill("Sékou")
    page.get_by_label("Nom", exact=True).fill("Kanté")
    page.get_by_label("Sexe", exact=True).select_option("M")
    page.get_by_label("Date de naissance", exact=True).fill("11/02/1994")
    page.get_by_label("Pièce d'identité").select_option("nina")
    page.get_by_label("Numéro de la pièce (NINA…)").fill("1 94 02 123 456 78 K")
    page.get_by_label("Numéro de téléphone", exact=True).fill("76 45 32 10")
    page.get_by_label("Région", exact=True).select_option(label="01 Kayes")
    page.get_by_label("Catégorie", exact=True).select_option("returnee")
    page.get_by_label("Pays de provenance").fill("Libye")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/beneficiaires/\d+$"))
    assert "Sékou Kanté" in page.locator("h1").inner_text()
    assert "ML-" in page.locator("h1").inner_text()

    # A new dossier, filled section by section
    page.get_by_role("link", name="Nouveau dossier").click()
    page.get_by_label("Type de projet").select_option("individual")
    page.locator("main button[type=submit]").click()
    fill_section(page, {"Titre du projet": "Atelier de couture à Kayes", "Secteur": "tailoring",
                        "Activité : qu'allez-vous faire ?": "Couture de tenues sur mesure"})
    fill_section(page, {"Produit ou service": "Tenues et pagnes",
                        "Clients et marché": "Habitants du quartier",
                        "Recettes mensuelles prévues (F CFA)": "150 000",
                        "Charges mensuelles prévues (F CFA)": "60 000",
                        "Emplois prévus (y compris le demandeur)": "2"})
    page.locator("[name='lines-0-item']").fill("Machine à coudre")
    page.locator("[name='lines-0-quantity']").fill("2")
    page.locator("[name='lines-0-unit_cost']").fill("185 000")
    page.locator("[name='lines-1-category']").select_option("stock")
    page.locator("[name='lines-1-item']").fill("Tissus")
    page.locator("[name='lines-1-quantity']").fill("1")
    page.locator("[name='lines-1-unit_cost']").fill("300 000")
    page.get_by_label("Montant demandé (F CFA)").fill("600 000")
    page.get_by_label("Apport personnel (F CFA)").fill("70 000")
    page.get_by_label("Forme de l'apport personnel").select_option("cash")
    page.get_by_label("Mode d'appui").select_option("in_kind")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/dossiers/\d+$"))

    # Documents: the ID scan and the pro-forma invoice
    add_documents_and_submit(page, tmp_path, factories.PDF)
    assert "déposé sous la référence AP-" in page.locator(".alert-success").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "intake-submitted-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.requested_hosts == {live_server.removeprefix("http://")}

    with app.app_context():
        person = db.session.scalar(db.select(Beneficiary))
        dossier = db.session.scalar(db.select(Application))
        assert (person.phone, person.id_number_key) == ("+22376453210", "1940212345678K")
        assert dossier.status == ApplicationStatus.SUBMITTED
        assert dossier.budget_total == 670_000 and dossier.requested_amount == 600_000

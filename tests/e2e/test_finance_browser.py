"""Two officers order and pay a tranche in the browser, then the register downloads as xlsx."""

import io
import re
import uuid
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from grants.extensions import db
from grants.models import Application, Channel, Grant, User
from grants.services.money import agreements
from tests.e2e.conftest import logged_in_page

pytestmark = pytest.mark.browser


def test_officer_orders_accountant_pays_and_the_register_downloads(app, browser, live_server,
                                                                    money):
    with app.app_context():
        officer = db.session.get(User, money["officer"])
        grant = agreements.prepare_agreement(officer, db.session.get(
            Application, money["applications"][0]), amount=2_000_000, channel=Channel.BANK,
            account="ML-BDM-0001")
        db.session.commit()
        agreements.sign_agreement(officer, grant.id, date.today(), str(uuid.uuid4()))
        db.session.commit()
        number, grant_id = grant.number, grant.id

    officer_context = browser.new_context(base_url=live_server)
    page = logged_in_page(officer_context, live_server, "officer")
    page.get_by_role("link", name="Finances").first.click()
    page.get_by_role("link", name=number).first.click()
    page.get_by_role("button", name="Ordonnancer le paiement").click()
    assert "ordonnancé" in page.locator(".alert-success").inner_text()
    officer_context.close()

    accountant_context = browser.new_context(base_url=live_server, accept_downloads=True)
    page = logged_in_page(accountant_context, live_server, "accountant")
    page.goto(f"/finances/conventions/{grant_id}")
    page.get_by_label("Référence du paiement (opérateur, banque, reçu)").fill("VIR-2026-001")
    page.get_by_role("button", name="Payer", exact=True).click()
    assert "La tranche est payée." in page.locator(".alert-success").inner_text()
    page.goto("/finances/registre")
    page.get_by_role("link", name="Excel (.xlsx)").click()  # a job: its page, then the file
    assert "Prêt" in page.locator("main").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger").click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    amounts = [row[12] for row in sheet.iter_rows(min_row=2, max_row=sheet.max_row - 1,
                                                   values_only=True)]
    assert amounts == [2_000_000, 1_200_000]
    assert re.match(r"=SUBTOTAL", sheet.cell(row=sheet.max_row, column=13).value)
    accountant_context.close()
    with app.app_context():
        assert db.session.get(Grant, grant_id).disbursed == 1_200_000

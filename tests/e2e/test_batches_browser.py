"""A mobile-money batch in the browser: the officer prepares it and downloads the operator's
file, the accountant approves it and imports a result file with one success and one failure.
Then every finance page is opened at phone width: nothing may overflow sideways."""

import csv
import io
import uuid
from datetime import date
from pathlib import Path

import pytest

from grants.extensions import db
from grants.models import Application, Channel, Grant, Payment, PaymentBatch, Tranche, TrancheStatus, User
from grants.services.money import agreements, payments
from grants.services.money.ledger_check import check_ledger
from tests.e2e.conftest import logged_in_page
from tests.factories import PDF

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def ordered_wallet_tranches(app, ids):
    """Two Orange Money agreements signed (one with its scan) and their first tranche ordered."""
    tranches = []
    with app.app_context():
        officer = db.session.get(User, ids["officer"])
        for n in range(2):
            grant = agreements.prepare_agreement(officer, db.session.get(
                Application, ids["applications"][n]), amount=2_000_000,
                channel=Channel.ORANGE_MONEY, account=f"+2237612345{n}")
            db.session.commit()
            agreements.sign_agreement(officer, grant.id, date.today(), str(uuid.uuid4()),
                                      (io.BytesIO(PDF), "convention signée.pdf") if n == 0 else None)
            db.session.commit()
            tranche = payments.order_payment(officer, db.session.get(Grant, grant.id).tranches[0].id,
                                             str(uuid.uuid4()))
            db.session.commit()
            tranches.append((tranche.id, tranche.order_number, grant.id))
    return tranches


def test_a_mobile_money_batch_pays_only_the_successful_line(app, browser, live_server,
                                                           money):
    (paid_id, paid_ref, grant_id), (failed_id, failed_ref, _) = ordered_wallet_tranches(app, money)

    officer_context = browser.new_context(base_url=live_server, locale="fr-FR",
                                          accept_downloads=True)
    page = logged_in_page(officer_context, live_server, "officer")
    page.goto("/finances/")
    page.get_by_role("link", name="Lots de paiement mobile money").click()
    page.get_by_label(paid_ref, exact=False).check()
    page.get_by_label(failed_ref, exact=False).check()
    page.get_by_role("button", name="Préparer le lot").click()
    assert "est préparé" in page.locator(".alert-success").inner_text()
    batch_url = page.url
    with page.expect_download() as download:
        page.get_by_role("link", name="Fichier groupé pour l'opérateur (CSV)").click()
    bulk = Path(download.value.path()).read_text("utf-8-sig")
    rows = list(csv.reader(io.StringIO(bulk), delimiter=";"))
    assert rows[0] == ["MSISDN", "Nom", "Montant", "Reference"]
    assert sorted(r[3] for r in rows[1:]) == sorted([paid_ref, failed_ref])
    assert {r[2] for r in rows[1:]} == {"1200000"}
    assert page.get_by_role("button", name="Approuver le lot").count() == 0  # not the officer's
    officer_context.close()

    accountant_context = browser.new_context(base_url=live_server, locale="fr-FR")
    page = logged_in_page(accountant_context, live_server, "accountant")
    page.goto(batch_url)
    page.get_by_role("button", name="Approuver le lot").click()
    assert "approuvé" in page.locator(".alert-success").inner_text()
    results = (f"reference;status;transaction\r\n{paid_ref};SUCCESS;OM-TX-7781\r\n"
               f"{failed_ref};FAILED;\r\n")
    page.get_by_label("Fichier de résultats de l'opérateur", exact=False).set_input_files(
        {"name": "resultats.csv", "mimeType": "text/csv", "buffer": results.encode()})
    page.get_by_role("button", name="Importer les résultats").click()
    report = page.locator("table").inner_text()  # the report: one row per line of the file
    assert "Payée" in report and "Échec : la tranche reste ordonnancée" in report
    assert "le lot est terminé" in page.locator(".alert-success").inner_text()
    page.get_by_role("link", name="Retour au lot").click()
    table = page.locator("table").inner_text()
    assert "OM-TX-7781" in table and "Échec" in table
    accountant_context.close()

    with app.app_context():
        assert db.session.get(Tranche, paid_id).status == TrancheStatus.PAID
        assert db.session.get(Tranche, failed_id).status == TrancheStatus.ORDERED
        [payment] = db.session.scalars(db.select(Payment)).all()
        assert (payment.tranche_id, payment.amount) == (paid_id, 1_200_000)
        assert db.session.get(Grant, grant_id).disbursed == 1_200_000
        assert db.session.scalar(db.select(PaymentBatch)).status.value == "completed"
        assert check_ledger() == []


# A phone browser zooms out to show a page that is too wide (window.innerWidth grows with it), so
# the page's width is compared with the layout viewport, which stays at 390 px.
WIDTHS = "[document.documentElement.scrollWidth, document.documentElement.clientWidth, " \
         "window.innerWidth]"


def test_every_finance_page_fits_a_phone(app, browser, live_server, money):
    (paid_id, paid_ref, grant_id), _failed = ordered_wallet_tranches(app, money)
    with app.app_context():  # a payment and a batch, so that every table has rows
        officer = db.session.get(User, money["officer"])
        accountant = db.session.get(User, money["accountant"])
        payments.pay_tranche(accountant, paid_id, str(uuid.uuid4()), "OM-TX-2026-000123456")
        db.session.commit()
        from grants.services.money import batches

        batch_id = batches.create_batch(officer, Channel.ORANGE_MONEY, [_failed[0]]).id
        db.session.commit()
    pages = ["/finances/", f"/finances/conventions/{grant_id}",
             f"/finances/enveloppes/{money['envelope']}", "/finances/registre",
             "/finances/lots", f"/finances/lots/{batch_id}"]
    closing = f"/programme/enveloppes/{money['envelope']}/cloturer"  # the manager's pages too
    wide = {}
    for username in ("officer", "accountant", "manager"):
        context = browser.new_context(base_url=live_server, locale="fr-FR", **PHONE)
        page = logged_in_page(context, live_server, username)
        for path in pages + (["/programme/enveloppes", closing] if username == "manager" else []):
            response = page.goto(path)
            assert response.status == 200, (username, path)
            content, viewport, inner = page.evaluate(WIDTHS)
            if not content <= viewport == inner == PHONE["viewport"]["width"]:
                wide[(username, path)] = content
        context.close()
    assert wide == {}, "pages wider than a 390 px phone (their width in pixels)"

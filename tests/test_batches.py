"""Mobile-money batches: one file per operator, approved by the accountant, and only the
successful lines of the operator's result file are paid (once, even if imported twice)."""

import csv
import io
import uuid
from datetime import date

from grants.extensions import db
from grants.models import Application, Channel, Grant, Payment, PaymentBatch, TrancheStatus, User
from grants.services import agreements, payments
from grants.services.ledger_check import check_ledger
from tests.conftest import login
from tests.test_finance import money  # noqa: F401 (fixture)


def _ordered_wallet_tranches(app, ids, count=2):
    references = []
    with app.app_context():
        officer = db.session.get(User, ids["officer"])
        for n in range(count):
            application = db.session.get(Application, ids["applications"][n])
            grant = agreements.prepare_agreement(officer, application, amount=2_000_000,
                                                 channel=Channel.ORANGE_MONEY,
                                                 account=f"+2237600000{n}")
            db.session.commit()
            agreements.sign_agreement(officer, grant.id, date.today(), str(uuid.uuid4()))
            db.session.commit()
            tranche = payments.order_payment(officer, db.session.get(Grant, grant.id).tranches[0].id,
                                             str(uuid.uuid4()))
            db.session.commit()
            references.append((tranche.id, tranche.order_number))
    return references


def test_a_batch_from_order_to_operator_results(app, money):  # noqa: F811
    tranches = _ordered_wallet_tranches(app, money)
    officer, accountant = app.test_client(), app.test_client()
    login(officer, "officer")
    login(accountant, "accountant")
    response = officer.post("/finances/lots/nouveau?operator=orange_money",
                            data={"tranches": [t for t, _ in tranches]})
    assert response.status_code == 302
    batch_path = response.headers["Location"]
    bulk = officer.get(batch_path + "/fichier.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(bulk), delimiter=";"))
    assert rows[0] == ["MSISDN", "Nom", "Montant", "Reference"]
    assert rows[1][0] == "22376000000" and rows[1][2] == "1200000"  # the operator's format
    # the officer cannot approve their own batch; the accountant can
    assert officer.post(batch_path + "/approuver").status_code == 403
    accountant.post(batch_path + "/approuver")
    results = "reference;status;transaction\r\n" + \
        f"{tranches[0][1]};SUCCESS;OM-TX-1\r\n{tranches[1][1]};FAILED;\r\nnope;OK;X\r\n"
    reports = [_import(accountant, batch_path, results) for _ in range(2)]  # twice: paid once
    assert "Payé" in reports[0] and "Échec" in reports[0] and "Déjà enregistré" in reports[1]
    assert "Aucune ligne de ce lot n&#39;a cette référence" in reports[0]
    with app.app_context():
        batch = db.session.scalar(db.select(PaymentBatch))
        assert [line.result.value for line in batch.lines] == ["paid", "failed"]
        assert batch.status.value == "completed"
        assert db.session.scalar(db.select(db.func.count()).select_from(Payment)) == 1
        from grants.models import Tranche

        assert db.session.get(Tranche, tranches[1][0]).status == TrancheStatus.ORDERED
        assert check_ledger() == []
    page = accountant.get(batch_path).get_data(as_text=True)
    assert "OM-TX-1" in page


def _import(client, batch_path: str, text: str) -> str:
    response = client.post(batch_path + "/resultats", data={
        "file": (io.BytesIO(text.encode()), "resultats.csv")}, content_type="multipart/form-data")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_results_wait_for_the_approval(app, money):  # noqa: F811
    tranches = _ordered_wallet_tranches(app, money, count=1)
    officer, accountant = app.test_client(), app.test_client()
    login(officer, "officer")
    login(accountant, "accountant")
    batch_path = officer.post("/finances/lots/nouveau?operator=orange_money",
                              data={"tranches": [tranches[0][0]]}).headers["Location"]
    accountant.post(batch_path + "/resultats", data={
        "file": (io.BytesIO(f"{tranches[0][1]};OK;T1\n".encode()), "r.csv")},
        content_type="multipart/form-data")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Payment)) == 0


def test_a_tranche_sits_in_one_open_batch_only(app, money):  # noqa: F811
    tranches = _ordered_wallet_tranches(app, money, count=1)
    officer = app.test_client()
    login(officer, "officer")
    officer.post("/finances/lots/nouveau?operator=orange_money", data={"tranches": [tranches[0][0]]})
    again = officer.post("/finances/lots/nouveau?operator=orange_money",
                         data={"tranches": [tranches[0][0]]})
    assert again.status_code == 200  # refused, shown on the page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PaymentBatch)) == 1

"""Mobile-money batches: one file per operator, approved by the accountant, and only the
successful lines of the operator's result file are paid (once, even if imported twice)."""

import csv
import io
import re
import uuid
from datetime import date

import pytest

from grants.extensions import db
from grants.models import (
    Application,
    AuditEvent,
    BatchLine,
    Channel,
    Payment,
    PaymentBatch,
    Tranche,
    TrancheStatus,
    User,
)
from grants.services.errors import ConflictError
from grants.services.money import payments
from grants.services.money.ledger_check import check_ledger
from tests.conftest import login
from tests.factories import ordered_wallet_tranches


def test_a_batch_from_order_to_operator_results(app, money):
    tranches = ordered_wallet_tranches(app, money)
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
        assert db.session.get(Tranche, tranches[1][0]).status == TrancheStatus.ORDERED
        assert check_ledger() == []
    page = accountant.get(batch_path).get_data(as_text=True)
    assert "OM-TX-1" in page


def _import(client, batch_path: str, text: str) -> str:
    response = client.post(batch_path + "/resultats", data={
        "file": (io.BytesIO(text.encode()), "resultats.csv")}, content_type="multipart/form-data")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_results_wait_for_the_approval(app, money):
    tranches = ordered_wallet_tranches(app, money, count=1)
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


def test_a_tranche_sits_in_one_open_batch_only(app, money):
    tranches = ordered_wallet_tranches(app, money, count=1)
    officer = app.test_client()
    login(officer, "officer")
    officer.post("/finances/lots/nouveau?operator=orange_money", data={"tranches": [tranches[0][0]]})
    again = officer.post("/finances/lots/nouveau?operator=orange_money",
                         data={"tranches": [tranches[0][0]]})
    assert again.status_code == 200  # refused, shown on the page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PaymentBatch)) == 1


def _batch(app, officer_client, tranche_ids) -> str:
    response = officer_client.post("/finances/lots/nouveau?operator=orange_money",
                                   data={"tranches": tranche_ids})
    assert response.status_code == 302
    return response.headers["Location"]


def test_a_tranche_in_an_open_batch_is_paid_only_through_it(app, money):
    """Prepared or approved, the batch holds its tranches: the accountant cannot pay one on its
    own (the service refuses, naming the batch; the page says so), until the officer takes it
    out of the batch, which is recorded on its line and in the audit log."""
    [(tranche_id, _order)] = ordered_wallet_tranches(app, money, count=1)
    officer, accountant = app.test_client(), app.test_client()
    login(officer, "officer")
    login(accountant, "accountant")
    batch_path = _batch(app, officer, [tranche_id])
    with app.app_context():
        reference = db.session.scalar(db.select(PaymentBatch.reference))
        grant_id = db.session.get(Tranche, tranche_id).grant_id
    for approve in (False, True):
        if approve:
            accountant.post(batch_path + "/approuver")
        with app.app_context():
            with pytest.raises(ConflictError, match=reference):
                payments.pay_tranche(db.session.get(User, money["accountant"]), tranche_id,
                                     str(uuid.uuid4()), "OM-ALONE")
            db.session.rollback()
    grant_page = accountant.get(f"/finances/conventions/{grant_id}").get_data(as_text=True)
    assert reference in grant_page and "/payer" not in grant_page  # no Pay button, the batch
    response = accountant.post(f"/finances/conventions/{grant_id}/tranches/{tranche_id}/payer",
                               data={"key": "k1", "reference": "OM-ALONE",
                                     "paid_on": date.today().isoformat()},
                               follow_redirects=True)
    assert reference in response.get_data(as_text=True)  # the message names the batch
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Payment)) == 0
        line_id = db.session.scalar(db.select(BatchLine.id))
    remove = f"{batch_path}/lignes/{line_id}/retirer"
    assert f'action="{remove}"' in officer.get(batch_path).get_data(as_text=True)  # the button
    assert f'action="{remove}"' not in accountant.get(batch_path).get_data(as_text=True)
    assert accountant.post(remove, data={f"line{line_id}-reason": "x"}).status_code == 403
    page = officer.post(remove, data={f"line{line_id}-reason": " "}).get_data(as_text=True)
    assert "Indiquez pourquoi la tranche sort du lot." in page  # at the field, nothing saved
    officer.post(remove, data={f"line{line_id}-reason": "Portefeuille bloqué chez l'opérateur"})
    page = officer.get(batch_path).get_data(as_text=True)
    assert "Retirée du lot" in page and "Portefeuille bloqué" in page and "Test officer" in page
    bulk = officer.get(batch_path + "/fichier.csv").get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(bulk), delimiter=";"))) == 1  # header only
    with app.app_context():
        batch = db.session.scalar(db.select(PaymentBatch))
        assert batch.status.value == "completed"  # nothing left to wait for
        [event] = db.session.scalars(db.select(AuditEvent).where(
            AuditEvent.action == "batch.line_removed")).all()
        assert (event.actor_id, event.details["tranche"]) == (money["officer"], tranche_id)
        payments.pay_tranche(db.session.get(User, money["accountant"]), tranche_id,
                             str(uuid.uuid4()), "OM-ALONE")  # on its own now
        db.session.commit()
        assert check_ledger() == []


def test_a_payment_of_a_tranche_waiting_in_a_batch_cannot_be_reversed(app, money):
    """The reversal's guarded UPDATE refuses too (a tranche belongs to one open channel)."""
    [(tranche_id, order)] = ordered_wallet_tranches(app, money, count=1)
    with app.app_context():
        accountant = db.session.get(User, money["accountant"])
        payment = payments.pay_tranche(accountant, tranche_id, str(uuid.uuid4()), "OM-1")
        db.session.commit()
        # a line left waiting for this tranche (as an operator file sent before the fix would)
        batch = PaymentBatch(reference="LP-TEST-1", operator=Channel.ORANGE_MONEY,
                             created_by_id=money["officer"])
        batch.lines.append(BatchLine(tranche_id=tranche_id, msisdn="+22376000000", name="X",
                                     amount=1_200_000, reference=order))
        db.session.add(batch)
        db.session.commit()
        with pytest.raises(ConflictError, match="LP-TEST-1"):
            payments.reverse_payment(accountant, payment.id, "Erreur", str(uuid.uuid4()))
        db.session.rollback()
        assert db.session.get(Tranche, tranche_id).status == TrancheStatus.PAID
        assert check_ledger() == []


def test_the_result_import_reports_every_line_on_a_page(app, money):
    """120 unusable lines and a good one: each has its outcome on the report page; nothing is
    flashed into the session cookie (it would overflow its 4 KB and lose the report)."""
    tranches = ordered_wallet_tranches(app, money, count=1)
    officer, accountant = app.test_client(), app.test_client()
    login(officer, "officer")
    login(accountant, "accountant")
    batch_path = _batch(app, officer, [tranches[0][0]])
    accountant.post(batch_path + "/approuver")
    bad = [f"OP-INCONNU-{n:04d};OK;TX{n}" if n % 2 else f"ligne illisible {n:04d}"
           for n in range(120)]
    text = "\r\n".join([f"{tranches[0][1]};OK;OM-TX-9", *bad]) + "\r\n"
    page = _import(accountant, batch_path, text)
    rows = re.findall(r"<tr[^>]*><td>(\d+)</td>", page)
    assert rows == [str(n) for n in range(1, 122)]
    assert page.count("<td>Aucune ligne de ce lot") == 60 and page.count("<td>Illisible") == 60
    assert "OP-INCONNU-0119" in page and "<td>Payée</td>" in page
    with accountant.session_transaction() as session:
        assert "_flashes" not in session
    with app.app_context():
        assert db.session.scalar(db.select(PaymentBatch)).status.value == "completed"
        assert db.session.scalar(db.select(db.func.count()).select_from(Payment)) == 1


def test_the_bulk_file_is_in_the_operators_msisdn_format(app, money):
    """The operator's upload reads digits with the country code: no '+', no spreadsheet quote,
    whatever way the wallet number was typed; a name cannot start a formula either."""
    with app.app_context():
        person = db.session.get(Application, money["applications"][1]).lead
        person.first_name, person.last_name = "=HYPERLINK(\"http://x\")", "Diarra"
        db.session.commit()
    tranches = ordered_wallet_tranches(app, money, count=2,
                                        accounts=["+223 76 00 00 00", "76-00-00-01"])
    officer = app.test_client()
    login(officer, "officer")
    batch_path = _batch(app, officer, [t for t, _ in tranches])
    response = officer.get(batch_path + "/fichier.csv")
    raw = response.data
    response.close()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"'" not in raw and b"+" not in raw
    rows = list(csv.reader(io.StringIO(raw.decode()), delimiter=";"))
    assert [row[0] for row in rows[1:]] == ["22376000000", "22376000001"]
    assert rows[2][1] == 'HYPERLINK("http://x") Diarra'
    assert [row[2] for row in rows[1:]] == ["1200000", "1200000"]

"""The disbursement register: its Excel and CSV files equal the ledger, text stays inert."""

import csv
import io
import re
import uuid
from datetime import date

import openpyxl

from grants.extensions import db
from grants.models import Application, Channel, Grant, Payment, User
from grants.services.money import agreements, envelopes, payments
from grants.services.money.ledger_check import check_ledger
from tests.conftest import download, login


def _pay_first_tranches(app, ids, count=2):
    with app.app_context():
        officer, accountant = (db.session.get(User, ids[k]) for k in ("officer", "accountant"))
        for n in range(count):
            application = db.session.get(Application, ids["applications"][n])
            grant = agreements.prepare_agreement(officer, application, amount=2_000_000,
                                                 channel=Channel.BANK, account="ML-1")
            db.session.commit()
            agreements.sign_agreement(officer, grant.id, date.today(), str(uuid.uuid4()))
            db.session.commit()
            first = db.session.get(Grant, grant.id).tranches[0].id
            payments.order_payment(officer, first, str(uuid.uuid4()))
            db.session.commit()
            payments.pay_tranche(accountant, first, str(uuid.uuid4()), f"VIR-{n}")
            db.session.commit()
        assert check_ledger() == []


def test_the_xlsx_register_totals_equal_the_ledger_and_text_is_inert(app, money):
    with app.app_context():  # a hostile name: it must stay text in Excel
        person = db.session.get(Application, money["applications"][0]).lead
        person.first_name = '=HYPERLINK("http://evil","x")'
        person.last_name = "@SUM(1)"
        db.session.commit()
    _pay_first_tranches(app, money)
    client = app.test_client()
    login(client, "accountant")
    workbook = openpyxl.load_workbook(io.BytesIO(download(client, "/finances/registre.xlsx")))
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    amount = header.index("Montant") + 1
    rows = list(sheet.iter_rows(min_row=2, max_row=sheet.max_row - 1, values_only=True))
    assert len(rows) == 4  # two commitments, two payments
    assert all(isinstance(r[amount - 1], int) for r in rows)
    with app.app_context():
        paid = db.session.scalar(db.select(db.func.sum(Payment.amount)))
        committed = db.session.scalar(db.select(db.func.sum(Grant.amount)))
    assert sum(r[amount - 1] for r in rows) == paid + committed
    assert sheet.cell(row=sheet.max_row, column=amount).value.startswith("=SUBTOTAL(9,")
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    names = {r[header.index("Bénéficiaire")] for r in rows}
    assert "'=HYPERLINK(\"http://evil\",\"x\") @SUM(1)" in names
    assert sheet.cell(row=2, column=amount).number_format == '#,##0 "F CFA"'
    summary = workbook.worksheets[1]
    assert ("Canal", "Virement bancaire", 4_000_000, 2_400_000) in set(
        summary.iter_rows(min_row=2, values_only=True))


def test_the_csv_register_is_for_french_excel(app, money):
    _pay_first_tranches(app, money, count=1)
    client = app.test_client()
    login(client, "officer")
    response = client.get("/finances/registre.csv?step=payment")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 2 and rows[1][rows[0].index("Montant")] == "1200000"
    assert rows[1][rows[0].index("Étape")] == "Paiement"


def test_export_ledger_command_writes_the_same_file(app, money, tmp_path):
    _pay_first_tranches(app, money, count=1)
    target = tmp_path / "registre.xlsx"
    result = app.test_cli_runner().invoke(args=["export-ledger", "--format", "xlsx",
                                                "--output", str(target)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(target).worksheets[0]
    assert sheet.max_row == 4  # header, a commitment, a payment, totals
    csv_target = tmp_path / "registre.csv"
    result = app.test_cli_runner().invoke(args=["export-ledger", "--format", "csv",
                                                "--output", str(csv_target), "--step", "payment"])
    assert result.exit_code == 0 and re.search(r";1200000;", csv_target.read_text("utf-8"))


def test_the_register_page_lists_movements(app, money):
    _pay_first_tranches(app, money, count=1)
    client = app.test_client()
    login(client, "officer")
    page = client.get("/finances/registre").get_data(as_text=True)
    assert "Engagement" in page and "Paiement" in page and "VIR-0" not in page
    assert "1 200 000" in page


def test_available_after_is_read_from_the_ledger_and_keeps_its_history(app, money):
    """Raising the envelope's total later does not rewrite the figures of earlier rows."""
    from grants.models import BudgetEnvelope
    from grants.services.money.register import RegisterFilters, register_query

    def register():
        return [(r.kind, r.available_after) for r in db.session.execute(
            register_query(RegisterFilters()))]

    _pay_first_tranches(app, money)  # envelope of 10 000 000: two agreements of 2 000 000
    with app.app_context():
        history = [("commitment", 8_000_000), ("payment", 8_000_000),
                   ("commitment", 6_000_000), ("payment", 6_000_000)]
        assert register() == history
        manager, officer = (db.session.get(User, money[k]) for k in ("manager", "officer"))
        envelopes.set_envelope_total(manager, db.session.get(BudgetEnvelope, money["envelope"]),
                                   15_000_000)
        db.session.commit()
        assert register() == history  # the appropriation is no register row, and changes none
        grant = agreements.prepare_agreement(officer, db.session.get(
            Application, money["applications"][2]), amount=1_500_000, channel=Channel.BANK,
            account="ML-3")
        db.session.commit()
        agreements.sign_agreement(officer, grant.id, date.today(), str(uuid.uuid4()))
        db.session.commit()
        first_grant = db.session.scalar(db.select(Grant).order_by(Grant.id))
        agreements.cancel_grant(manager, first_grant.id, "Abandon", str(uuid.uuid4()))
        db.session.commit()
        assert register() == history + [("commitment", 15_000_000 - 4_000_000 - 1_500_000),
                                        ("release", 9_500_000 + 800_000)]
        envelope = db.session.get(BudgetEnvelope, money["envelope"])
        assert register()[-1][1] == envelope.total - envelope.committed == 10_300_000
        only_releases = [r.available_after for r in db.session.execute(
            register_query(RegisterFilters(step="release")))]
        assert only_releases == [10_300_000]  # filters apply outside the running balance
        assert check_ledger() == []


def test_the_register_is_dated_by_value_date_with_the_entry_time_apart(app, money):
    """A 2024 agreement entered today reads 2024 in the register: the signature date for the
    commitment, the payment date for the payment, the day of a reversal; when each row was
    entered is a column of its own, on the page and in both files. The date filter reads the
    value dates."""
    today = date.today().strftime("%d/%m/%Y")
    with app.app_context():
        officer, accountant = (db.session.get(User, money[k]) for k in ("officer", "accountant"))
        grant = agreements.prepare_agreement(officer, db.session.get(
            Application, money["applications"][0]), amount=2_000_000, channel=Channel.BANK,
            account="ML-1")
        db.session.commit()
        agreements.sign_agreement(officer, grant.id, date(2024, 7, 1), str(uuid.uuid4()))
        db.session.commit()
        first = db.session.get(Grant, grant.id).tranches[0].id
        payments.order_payment(officer, first, str(uuid.uuid4()))
        db.session.commit()
        payment = payments.pay_tranche(accountant, first, str(uuid.uuid4()), "VIR-2024",
                                       paid_on=date(2024, 7, 15))
        db.session.commit()
        payments.reverse_payment(accountant, payment.id, "Erreur", str(uuid.uuid4()))
        db.session.commit()
    client = app.test_client()
    login(client, "officer")
    page = client.get("/finances/registre").get_data(as_text=True)
    body = page.split("<tbody>")[1]
    dates = re.findall(r'<tr><td class="text-nowrap">([^<]*)</td>', body)
    assert dates == ["01/07/2024", "15/07/2024", today]
    assert "Saisi le" in page and body.count(today) == 4  # entered today, reversed today
    sheet = openpyxl.load_workbook(io.BytesIO(download(client, "/finances/registre.xlsx"))
                                   ).worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, max_row=sheet.max_row - 1, values_only=True))
    assert [r[header.index("Date")].date() for r in rows] == [
        date(2024, 7, 1), date(2024, 7, 15), date.today()]
    assert {r[header.index("Saisi le")].date() for r in rows} == {date.today()}
    text = client.get("/finances/registre.csv?start=2024-07-01&end=2024-12-31").get_data(
        as_text=True)
    csv_rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert [r[csv_rows[0].index("Date")] for r in csv_rows[1:]] == ["01/07/2024", "15/07/2024"]
    assert all(r[csv_rows[0].index("Saisi le")].startswith(today) for r in csv_rows[1:])

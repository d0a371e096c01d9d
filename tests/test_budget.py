"""Budget execution (grants/reporting/budget.py, grants/exports/budget.py): the figures of the
money scenario counted by hand, their reconciliation with the ledger and the register, the
scope, the page and the workbook."""

import io
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from grants.extensions import db
from grants.models import Account, Grant, LedgerEntry, Region
from grants.reporting.breakdowns import TOTAL
from grants.reporting.budget import execution
from grants.reporting.filters import ReportFilter
from grants.services.money import payments
from grants.services.money.ledger_check import check_ledger
from grants.services.money.register import RegisterFilters, register_query, signed_amount
from tests.conftest import download, login
from tests.factories import key, ordered_first_tranche, user

TODAY = date.today()
MONTH = f"{TODAY:%Y-%m}"


@pytest.fixture
def executed(app, money):
    """On the money scenario's envelope (appropriation 10 000 000, fiscal year this year), by
    hand: three agreements of 2 000 000 signed today (commitments 6 000 000); their first
    tranches (60 %: 1 200 000 each) ordered (orders 3 600 000); two paid (2 400 000), one of
    them reversed (1 200 000): disbursed 1 200 000, available 4 000 000, rate 12.0 %."""
    with app.app_context():
        tranches = [ordered_first_tranche(money, n) for n in range(3)]
        paid = []
        for n, tranche in enumerate(tranches[:2]):  # one request each
            paid.append(payments.pay_tranche(user(money, "accountant"), tranche, key(),
                                             f"VIR-{n}"))
            db.session.commit()
        payments.reverse_payment(user(money, "accountant"), paid[0].id, "Erreur", key())
        db.session.commit()
        assert check_ledger() == []
    return money


def line_of(result, envelope_id):
    return result.lines[result.lines.envelope == str(envelope_id)].iloc[0]


def test_the_envelopes_execution_is_counted_by_hand(app, executed):
    with app.app_context():
        result = execution(ReportFilter())
        line = line_of(result, executed["envelope"])
        assert (line.appropriated, line.commitments, line.orders, line.payments, line.reversals,
                line.releases) == (10_000_000, 6_000_000, 3_600_000, 2_400_000, 1_200_000, 0)
        assert (line.committed_to_date, line.disbursed_to_date, line.available) == (
            6_000_000, 1_200_000, 4_000_000)
        assert line.rate == 12.0
        total = result.lines[result.lines.envelope == TOTAL].iloc[0]
        assert total.commitments == 6_000_000 and total.available == 4_000_000
        for column in ("appropriated", "commitments", "orders", "payments", "available"):
            assert result.lines[column].dtype == "Int64"
            assert all(isinstance(v, int) for v in result.lines[column].dropna().tolist())


def test_appropriations_count_from_the_fiscal_years_start(app, executed):
    """The appropriation is dated 1 January of the envelope's fiscal year: no month shows
    more committed than appropriated."""
    with app.app_context():
        months = execution(ReportFilter()).months
        mine = months[months.envelope == str(executed["envelope"])]
        assert mine.iloc[0].period == f"{TODAY.year}-01"
        assert mine.iloc[0].appropriated == 10_000_000
        assert (mine.available >= 0).all()
        this_month = mine[mine.period == MONTH].iloc[0]
        assert (this_month.commitments, this_month.available) == (6_000_000, 4_000_000)


def test_the_totals_equal_the_ledger_and_the_register(app, executed):
    with app.app_context():
        result = execution(ReportFilter(start=TODAY.replace(day=1), end=TODAY))
        total = result.lines[result.lines.envelope == TOTAL].iloc[0]
        legs = dict(db.session.execute(
            sa.select(LedgerEntry.kind, sa.func.sum(LedgerEntry.amount))
            .where(LedgerEntry.account == Account.COMMITTED).group_by(LedgerEntry.kind)).all())
        assert total.commitments == legs["commitment"]
        assert total.payments == legs["payment"] and total.reversals == legs["reversal"]
        register = db.session.execute(register_query(RegisterFilters(
            start=TODAY.replace(day=1), end=TODAY))).all()
        paid = sum(signed_amount(r.kind, r.amount) for r in register
                   if r.kind in ("payment", "reversal"))
        assert total.payments - total.reversals == paid == 1_200_000
        assert result.by_region.loc["Total", "Total"] == paid
        assert result.by_channel.loc["Total", "Total"] == paid
        assert sum(db.session.scalars(sa.select(Grant.disbursed))) == paid


def test_within_a_region_there_is_no_appropriation(app, executed):
    with app.app_context():
        region_id = db.session.scalar(sa.select(Region.id).where(Region.code == "20"))
        result = execution(ReportFilter(scope=frozenset({region_id})))
        line = line_of(result, executed["envelope"])
        assert not result.with_appropriations
        assert line.commitments == 0 and line.payments == 0
        assert line.appropriated is pd_na() and line.rate is None


def pd_na():
    import pandas as pd

    return pd.NA



def test_the_page_shows_the_figures_to_the_finance_office(app, executed):
    client = app.test_client()
    login(client, "officer")
    page = client.get("/finances/execution-budgetaire").get_data(as_text=True)
    assert "Exécution budgétaire" in page and "TEST-1" in page
    for figure in ("10\u202f000\u202f000", "3\u202f600\u202f000", "4\u202f000\u202f000",
                   "12,0"):
        assert figure in page
    assert "Payee0" not in page  # figures only, no names


def test_the_workbook_opens_and_its_totals_equal_the_ledger(app, executed):
    client = app.test_client()
    login(client, "accountant")
    workbook = openpyxl.load_workbook(io.BytesIO(download(
        client, "/finances/execution-budgetaire.xlsx")))
    assert workbook.sheetnames == ["Exécution", "Par mois", "Par région", "Par canal"]
    sheet = workbook["Exécution"]
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["Enveloppe", "Imputation", "Exercice budgétaire", "Dotation",
                          "Engagements"]
    line = [cell.value for cell in sheet[2]]
    assert line[0] == "Enveloppe test" and line[1] == "TEST-1"
    assert line[3:12] == [10_000_000, 6_000_000, 0, 3_600_000, 2_400_000, 1_200_000,
                          6_000_000, 1_200_000, 4_000_000]
    assert line[12] == 12.0
    assert sheet.cell(row=2, column=4).number_format == '#,##0 "F CFA"'
    assert sheet.cell(row=sheet.max_row, column=1).value == "Total"
    for name in ("Par région", "Par canal"):
        pivot = workbook[name]
        total = pivot.cell(row=pivot.max_row, column=pivot.max_column).value
        assert total.startswith("=SUBTOTAL")  # with the ledger's figure cached below
    cached = openpyxl.load_workbook(io.BytesIO(download(
        client, "/finances/execution-budgetaire.xlsx")), data_only=True)
    for name in ("Par région", "Par canal"):
        pivot = cached[name]
        assert pivot.cell(row=pivot.max_row, column=pivot.max_column).value == 1_200_000


def test_bad_filters_are_refused_at_their_field(app, executed):
    client = app.test_client()
    login(client, "officer")
    response = client.get("/finances/execution-budgetaire?envelope_id=abc&start=2026-13-45"
                          "&region_id=99999999999999999999")
    assert response.status_code == 200
    response = client.get("/finances/execution-budgetaire?start=2026-05-01&end=2026-01-01")
    assert response.status_code == 200 and "avant le début" in response.get_data(as_text=True)

"""The finance home and the disbursement register read as light rows (issue 12): the same figures
as the whole register and the ledger, the same statements whatever the number of movements, the
filter form drawn once per combination still showing each request's own values and language."""

from datetime import date

import pytest

from grants.extensions import db
from grants.models import Application, Grant
from tests.conftest import login, statements_before_and_after
from tests.factories import key, ordered_first_tranche, signed_agreement, user


def _client(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _movements(app, money):
    """Every kind of movement: commitments, payments, a reversal, a release."""
    from grants.services.money import agreements, payments

    with app.app_context():
        accountant = user(money, "accountant")
        first = ordered_first_tranche(money, 0)
        paid = payments.pay_ordered(accountant, first, key(), "VIR-1")
        db.session.commit()
        cancelled = signed_agreement(money, 1, amount=1_500_000)
        payments.reverse_payment(accountant, paid.id, "Erreur de compte", key())
        db.session.commit()
        second = ordered_first_tranche(money, 2)
        payments.pay_ordered(accountant, second, key(), "VIR-2")
        db.session.commit()
        agreements.cancel_grant(user(money, "manager"), cancelled, "Abandon", key())
        db.session.commit()


FILTER_SETS = [{}, {"step": "payment"}, {"step": "release"}, {"channel": "bank"},
               {"fiscal_year": date.today().year}, {"fiscal_year": 2000},
               {"start": date.today(), "end": date.today()}, {"end": date(2000, 1, 1)}]


@pytest.mark.parametrize("asked", FILTER_SETS)
def test_the_register_page_rows_equal_the_downloaded_register(app, money, asked):
    """Each page, filtered or not, holds the rows of the whole register (the downloads' rows) at
    its place, with the same dates, amounts and running totals."""
    from grants.blueprints.finance.register_page import page_lines
    from grants.exports.ledger import rows
    from grants.services.money.register import RegisterFilters

    _movements(app, money)
    with app.test_request_context():
        region_id, sector = db.session.execute(db.select(
            Application.region_id, Application.sector).where(
            Application.id == money["applications"][0])).one()
        envelope_id = db.session.scalar(db.select(Grant.envelope_id))
        for extra in ({}, {"region_id": region_id}, {"sector": sector},
                      {"envelope_id": envelope_id}):
            filters = {**asked, **extra}
            whole = [(r[1], r[4], r[5], r[6], r[10], r[9], r[12], r[15], r[17], r[19])
                     for r in rows(RegisterFilters(**filters))]
            assert whole or filters.get("fiscal_year") == 2000 or "end" in filters
            for size in (1, 2, 3, 100):
                for skipped in range(0, len(whole) + 1, size):
                    page = RegisterFilters(**filters, first_rows=skipped + size + 1)
                    shown = [(r.value_date, r.agreement, r.dossier, r.beneficiary, r.step,
                              r.tranche, r.amount, r.paid_to_date, r.available_after,
                              r.entered_on) for r in page_lines(page, skipped, size + 1)]
                    assert shown == whole[skipped:skipped + size + 1], (filters, size, skipped)


@pytest.mark.parametrize("url", ["/finances/registre", "/finances/registre?page=2",
                                 "/finances/registre?step=payment&channel=bank",
                                 f"/finances/registre?fiscal_year={date.today().year}"])
def test_the_register_page_runs_as_many_statements_from_one_movement_to_many(app, money,
                                                                            monkeypatch, url):
    from grants.blueprints.finance import views

    monkeypatch.setattr(views, "REGISTER_PAGE_ROWS", 2)
    with app.app_context():
        signed_agreement(money, 3)
    few, many = statements_before_and_after(app, _client(app, "accountant"), url,
                                            lambda: _movements(app, money))
    assert many == few <= 4  # the session, the filters' choices, the rows


def test_the_finance_home_past_its_last_page_still_counts_the_agreements(app, money,
                                                                         monkeypatch):
    """Each list's total comes with its rows; past the last page it is counted apart."""
    from grants.blueprints.finance import views

    monkeypatch.setattr(views, "FINANCE_PAGE_ROWS", 1)
    _movements(app, money)  # three agreements; the fourth selected dossier has none
    officer = _client(app, "officer")
    last = officer.get("/finances/?page=3").get_data(as_text=True)
    assert last.count('data-agreement="') == 1 and 'href="/finances/?page=2"' in last
    past = officer.get("/finances/?page=9").get_data(as_text=True)
    assert 'data-agreement="' not in past  # the pages before it still linked: counted
    assert 'href="/finances/?page=1"' in past and 'href="/finances/?page=2"' in past
    waiting = f"/finances/conventions/nouvelle/{money['applications'][3]}"
    assert "Dossiers retenus sans convention" in last and waiting in last
    accountant = _client(app, "accountant").get("/finances/").get_data(as_text=True)
    assert "Dossiers retenus sans convention" not in accountant
    assert accountant.count('data-agreement="') == 1 and 'href="/finances/?page=3"' in accountant


def test_the_register_filter_form_shows_each_request_its_values_and_language(app, money):
    """The form drawn for one address and language is not shown for another."""
    _movements(app, money)
    client = _client(app, "accountant")
    page = client.get("/finances/registre?fiscal_year=abc").get_data(as_text=True)
    assert 'name="fiscal_year"' in page and "is-invalid" in page and "Exercice budg" in page
    page = client.get("/finances/registre?step=payment").get_data(as_text=True)
    assert "is-invalid" not in page and '<option selected value="payment">Paiement' in page
    assert page.count("<tr>") == 1 + 2  # the header, two payments
    client.post("/langue", data={"locale": "en"})
    page = client.get("/finances/registre?step=payment").get_data(as_text=True)
    assert "Fiscal year" in page and "Exercice budg" not in page
    assert '<option selected value="payment">Payment</option>' in page


def test_the_register_page_shows_each_rows_amounts(app, money):
    """Amounts formatted once per distinct value still land on their rows and columns."""
    import re

    from grants.exports.ledger import rows
    from grants.formatting import money as shown
    from grants.services.money.register import RegisterFilters

    _movements(app, money)
    page = _client(app, "accountant").get("/finances/registre").get_data(as_text=True)
    cells = re.findall(r'<td class="text-end text-nowrap">([^<]*)</td>', page.split("<tbody>")[1])
    with app.test_request_context():
        whole = [(shown(r[12]), shown(r[15]), shown(r[17])) for r in rows(RegisterFilters())]
        minus = shown(-1)[0]
    assert len(whole) == 7 and [tuple(cells[i:i + 3]) for i in range(0, len(cells), 3)] == whole
    assert sum(amount.startswith(minus) for amount, _paid, _left in whole) == 2  # back, release

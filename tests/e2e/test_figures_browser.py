"""The budget execution page and the public transparency page on a 360-pixel phone: nothing
requested from another host, no horizontal scroll of the page (wide tables scroll inside
their own box)."""

from grants.extensions import db
from grants.services.money import payments
from tests.e2e.conftest import log_in, phone_screen
from tests.factories import key, ordered_first_tranche, user

FITS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def _one_payment(app, money):
    with app.app_context():
        tranche = ordered_first_tranche(money, 0)
        payments.pay_tranche(user(money, "accountant"), tranche, key(), "VIR-1")
        db.session.commit()


def test_the_budget_execution_page_fits_a_phone(app, money, browser, live_server):
    _one_payment(app, money)
    with phone_screen(browser, live_server, width=360, height=800) as page:
        log_in(page, live_server, "officer")
        page.goto("/finances/execution-budgetaire")
        assert page.get_by_role("heading", name="Exécution budgétaire").is_visible()
        assert page.locator("td", has_text="1\u202f200\u202f000").count() > 0
        assert page.evaluate(FITS)
        assert page.requested_hosts == {live_server.removeprefix("http://")}


def test_the_transparency_page_fits_a_phone_without_login(app, money, browser, live_server):
    _one_payment(app, money)
    with phone_screen(browser, live_server, width=360, height=800) as page:
        page.goto("/transparence")
        assert page.get_by_role("heading", name="Le programme en chiffres").is_visible()
        assert page.locator("td", has_text="< 5").count() > 0
        assert page.evaluate(FITS)
        assert page.requested_hosts == {live_server.removeprefix("http://")}
        assert page.context.cookies() == []  # a visitor gets no cookie
        page.goto("/connexion")
        page.get_by_role("link", name="Le programme en chiffres (page publique)").click()
        page.wait_for_url(live_server + "/transparence")

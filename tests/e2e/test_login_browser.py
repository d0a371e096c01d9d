"""A person logs in with a real browser and lands on the French home page."""

import pytest

from grants.models import Role
from tests.conftest import PASSWORD
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser


def test_login_shows_the_french_home_page_and_nothing_leaves_the_server(page, make_user,
                                                                         live_server):
    make_user(Role.ADMIN, username="amadou")
    page.goto("/")
    assert page.url.endswith("/connexion?next=%2F")
    assert page.locator("h1").inner_text() == "Se connecter"
    page.get_by_label("Identifiant ou numéro de téléphone").fill("amadou")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(live_server + "/")
    assert "Bienvenue, Test amadou" in page.locator("h1").inner_text()
    page.locator("#mainnav").get_by_role("button", name="Administration").click()  # a dropdown
    assert page.locator("#mainnav").get_by_role("link", name="Utilisateurs").is_visible()
    assert page.locator("html").get_attribute("lang") == "fr"
    # Bootstrap's stylesheet really applied (served by the app, not a CDN)
    navbar_colour = page.locator("nav.navbar").evaluate("e => getComputedStyle(e).backgroundColor")
    assert navbar_colour != "rgba(0, 0, 0, 0)"
    assert page.requested_hosts == {live_server.removeprefix("http://")}
    page.screenshot(path=str(SCREENSHOTS / "home-desktop.png"), full_page=True)


def test_phone_sized_screen_has_a_working_menu(phone_page, make_user, live_server):
    make_user(Role.AUDITOR, username="fanta")
    page = phone_page
    page.goto("/connexion")
    page.get_by_label("Identifiant ou numéro de téléphone").fill("fanta")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(live_server + "/")
    journal = page.locator("#mainnav").get_by_role("link", name="Journal d'audit")
    assert not journal.is_visible()  # folded in the hamburger menu
    page.get_by_role("button", name="Menu").click()
    page.locator("#mainnav.show").wait_for()
    journal.click()
    page.wait_for_url(live_server + "/admin/journal")
    assert page.locator("h1").inner_text() == "Journal d'audit"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways on a phone"
    page.screenshot(path=str(SCREENSHOTS / "audit-phone.png"), full_page=True)
    assert page.requested_hosts == {live_server.removeprefix("http://")}

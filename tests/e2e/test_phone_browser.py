"""The most used pages on a 360-pixel phone and a 1366-pixel desktop, on the demo's data: no
serious or critical accessibility violation (axe-core, `make axe-core`), long pages folded or
split, targets a finger can hit, amounts never cut, the first error brought into view, and a
menu that holds on one line. Screenshots of the phone pages go to GRANTS_SCREENSHOTS."""

import os
import re
from pathlib import Path

import pytest

from grants.extensions import db
from grants.models import (
    Application,
    BatchLine,
    ScoreSheet,
    SessionDossier,
    SessionMember,
    Tranche,
    User,
    Visit,
)
from grants.models.finance import TrancheStatus
from grants.workflow import ApplicationStatus, VisitStatus
from tests.e2e.conftest import SCREENSHOTS
from tests.fixtures.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "build" / "axe" / "node_modules" / "axe-core" / \
    "axe.min.js"
PHONE, DESKTOP = {"width": 360, "height": 740}, {"width": 1366, "height": 768}
MIN_TARGET = 44


@pytest.fixture
def axe_script():
    if not AXE.exists():
        message = "axe-core is missing: run `make axe-core` (npm install into build/axe)"
        if os.environ.get("GRANTS_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return str(AXE)


def _pages(app) -> list[tuple[str, str, str]]:
    """(user, address, name) of the 15 most used pages, on the demo's rows."""
    with app.app_context():
        agent = db.session.scalar(db.select(User).where(User.username == "agent"))
        regions = {region.id for region in agent.regions}
        dossier = db.session.scalars(db.select(Application).where(
            Application.status == ApplicationStatus.SUBMITTED,
            Application.region_id.in_(regions)).order_by(Application.id)).first()
        member_sheet = db.session.execute(
            db.select(SessionMember.session_id, ScoreSheet.application_id)
            .join(ScoreSheet, ScoreSheet.member_id == SessionMember.id)
            .join(User, User.id == SessionMember.user_id).where(User.username == "membre")
            .order_by(ScoreSheet.id)).first()
        session_id, scored = member_sheet
        in_batch = db.select(BatchLine.tranche_id)
        grant_id = db.session.scalar(db.select(Tranche.grant_id).where(
            Tranche.status == TrancheStatus.ORDERED, Tranche.id.not_in(in_batch))
            .order_by(Tranche.id))
        terrain = db.session.scalar(db.select(User).where(User.username == "terrain"))
        visit_id = db.session.scalar(db.select(Visit.id).where(
            Visit.status == VisitStatus.PLANNED,
            Visit.region_id.in_([r.id for r in terrain.regions])).order_by(Visit.due_on))
        assert None not in (dossier, session_id, grant_id, visit_id)
        assert db.session.scalar(db.select(SessionDossier.id).where(
            SessionDossier.session_id == session_id))
        return [
            ("gestionnaire", "/", "home"),
            ("agent", "/dossiers/", "dossiers"),
            ("agent", f"/dossiers/{dossier.id}", "dossier"),
            ("agent", f"/dossiers/{dossier.id}/budget", "budget"),
            ("agent", f"/dossiers/{dossier.id}/recevabilite", "screening"),
            ("agent", "/beneficiaires/", "returnees"),
            ("agent", f"/beneficiaires/{dossier.lead_id}", "returnee"),
            ("president", f"/comites/{session_id}", "session"),
            ("president", f"/comites/{session_id}/classement", "ranking"),
            ("membre", f"/comites/{session_id}/dossiers/{scored}", "score-sheet"),
            ("ordonnateur", "/finances/", "finance"),
            ("comptable", f"/finances/conventions/{grant_id}", "agreement"),
            ("comptable", "/finances/registre", "register"),
            ("terrain", "/suivi/", "worklist"),
            ("terrain", f"/suivi/visites/{visit_id}/rapport", "visit-report"),
        ]


class Browsing:
    """One logged-in page per demo user, all of one screen size."""

    def __init__(self, browser, live_server: str, viewport: dict, init_script: str | None = None):
        self.browser, self.live_server, self.viewport = browser, live_server, viewport
        self.init_script, self.contexts, self.pages = init_script, [], {}

    def page(self, username: str):
        if username not in self.pages:
            phone = self.viewport["width"] < 768
            context = self.browser.new_context(base_url=self.live_server, locale="fr-FR",
                                               viewport=self.viewport, is_mobile=phone,
                                               has_touch=phone)
            if self.init_script:  # injected by the browser: the page's CSP does not apply
                context.add_init_script(path=self.init_script)
            self.contexts.append(context)
            page = context.new_page()
            page.set_default_timeout(10000)
            page.goto("/connexion")
            page.get_by_label("Identifiant ou numéro de téléphone").fill(username)
            page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Se connecter").click()
            page.wait_for_url(self.live_server + "/")
            self.pages[username] = page
        return self.pages[username]

    def close(self):
        for context in self.contexts:
            context.close()


SERIOUS = """() => axe.run(document, {resultTypes: ['violations']}).then(result =>
  result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3)
      .map(n => n.target.join(' ')).join(' | ')))"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1366px"])
def test_axe_finds_no_serious_violation_on_the_most_used_pages(app, demo, browser, live_server,
                                                               axe_script, viewport):
    browsing = Browsing(browser, live_server, viewport, axe_script)
    found = {}
    try:
        for user, address, name in _pages(app):
            page = browsing.page(user)
            assert page.goto(address).status == 200, address
            if viewport is PHONE:
                page.screenshot(path=str(SCREENSHOTS / f"phone-{name}.png"), full_page=True)
            violations = page.evaluate(SERIOUS)
            if violations:
                found[f"{name} {address}"] = violations
            if viewport is PHONE:  # nothing wider than the screen but what scrolls in a region
                overflow = page.evaluate("document.documentElement.scrollWidth")
                assert overflow <= viewport["width"], f"{name} is {overflow}px wide"
    finally:
        browsing.close()
    assert found == {}


def _visible_below(page, selector: str) -> list[str]:
    """The texts matching `selector` whose right edge passes the screen's (cut off)."""
    return page.evaluate("""selector => Array.from(document.querySelectorAll(selector))
        .filter(e => e.offsetParent && e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map(e => e.innerText)""", selector)


def test_long_pages_fold_on_a_phone_and_no_amount_is_cut(app, demo, browser, live_server):
    pages = {name: (user, address) for user, address, name in _pages(app)}
    browsing = Browsing(browser, live_server, PHONE)
    try:
        page = browsing.page("agent")
        page.goto("/dossiers/")
        # The filters are behind one button: the first dossier is on the first screen.
        assert not page.get_by_label("Nom, téléphone ou référence").is_visible()
        first_row = page.locator("main tbody tr").first.bounding_box()
        assert first_row["y"] + first_row["height"] < PHONE["height"]
        page.get_by_text("Filtres", exact=True).click()
        page.get_by_label("Nom, téléphone ou référence").fill("zzz-nobody")
        page.get_by_role("button", name="Filtrer").click()
        assert "Aucun dossier ne correspond." in page.locator("main").inner_text()
        # The budget: its saved lines are folded to their item and total.
        page.goto(pages["budget"][1])
        folded = page.locator("details.budget-line:not([open])")
        assert folded.count() >= 1
        assert re.search(r"Ligne 1 — .+ — [\d\s]+F\sCFA", folded.first.inner_text())
        assert not folded.first.locator("[name='lines-0-item']").is_visible()
        first_line = page.locator("details.budget-line").first
        first_line.locator("summary").click()
        assert first_line.locator("[name='lines-0-item']").is_visible()

        page = browsing.page("president")
        page.goto(pages["ranking"][1])
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < 4000, f"the ranking is {height}px tall"
        assert _visible_below(page, "main td") == []

        page = browsing.page("comptable")
        page.goto(pages["agreement"][1])
        assert page.locator("main tbody td:has-text('F CFA')").count() >= 1
        assert _visible_below(page, "main td") == []

        page = browsing.page("membre")
        page.goto(pages["score-sheet"][1])
        assert page.locator("main td:has-text('F CFA')").count() >= 1
        assert _visible_below(page, "main td, main th") == []
    finally:
        browsing.close()


def _heights(page, selector: str) -> list[float]:
    return page.evaluate("""selector => Array.from(document.querySelectorAll(selector))
        .filter(e => e.offsetParent).map(e => e.getBoundingClientRect().height)""", selector)


def test_targets_are_44_pixels_high_on_a_phone(app, demo, browser, live_server):
    pages = {name: (user, address) for user, address, name in _pages(app)}
    browsing = Browsing(browser, live_server, PHONE)
    try:
        page = browsing.page("agent")
        page.goto("/dossiers/")
        links, numbers = _heights(page, "main tbody a"), _heights(page, "main .page-link")
        assert len(links) >= 10 and min(links) >= MIN_TARGET, links
        assert len(numbers) >= 2 and min(numbers) >= MIN_TARGET, numbers
        page.goto(pages["screening"][1])  # the label of each radio is its target
        radios = _heights(page, "main .form-check:has(input[type=radio]) label")
        assert len(radios) >= 4 and min(radios) >= MIN_TARGET, radios
        page = browsing.page("president")
        page.goto(pages["ranking"][1])
        numbers = _heights(page, "main .page-link")
        assert numbers and min(numbers) >= MIN_TARGET, numbers
    finally:
        browsing.close()


def test_a_refused_form_shows_its_first_error_in_french_and_focused(app, demo, browser,
                                                                    live_server):
    pages = {name: (user, address) for user, address, name in _pages(app)}
    browsing = Browsing(browser, live_server, PHONE)
    try:
        page = browsing.page("comptable")
        page.goto(pages["agreement"][1])
        page.get_by_role("button", name="Payer").click()  # no reference: no browser bubble
        page.wait_for_load_state()
        reference = page.get_by_label("Référence du paiement (opérateur, banque, reçu)")
        assert "Saisissez la référence du paiement." in page.locator("main form").first \
            .evaluate("f => document.querySelector('main').innerText")
        assert reference.evaluate("field => field === document.activeElement")
        page.wait_for_function("""() => { const box = document.activeElement.getBoundingClientRect();
            return box.top >= 0 && box.bottom <= window.innerHeight; }""", timeout=2000)

        # A staff correction refused for want of its reason: the reminder above the form goes
        # once the field in red is filled.
        page = browsing.page("agent")
        page.goto(pages["budget"][1])
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state()
        reminder = page.get_by_text("Veuillez corriger les champs signalés en rouge.")
        reason = page.locator("main .is-invalid").first
        assert reminder.is_visible()
        assert reason.evaluate("field => field === document.activeElement")
        reason.fill("Facture corrigée")
        assert not reminder.is_visible()
    finally:
        browsing.close()


def test_the_desktop_menu_holds_on_one_line_and_its_groups_open(app, demo, browser, live_server):
    browsing = Browsing(browser, live_server, DESKTOP)
    try:
        page = browsing.page("gestionnaire")
        heights = _heights(page, "#mainnav .navbar-nav")
        brand = page.locator(".navbar-brand").bounding_box()
        assert max(heights) < 60 and page.locator("nav.navbar").bounding_box()["height"] < \
            brand["height"] + 40, heights
        page.get_by_role("button", name="Programme").click()
        page.get_by_role("link", name="Enveloppes").click()
        page.wait_for_url(re.compile(r".*/programme/enveloppes$"))
    finally:
        browsing.close()

"""Browser tests: the app served on 127.0.0.1 in a thread, driven by Playwright in Debian's
chromium. Without chromium they skip with a reason, unless GRANTS_REQUIRE_BROWSER=1 (CI)."""

import os
import re
import shutil
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

SCREENSHOTS = Path(os.environ.get("GRANTS_SCREENSHOTS", tempfile.gettempdir()))
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]


def _chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    if path is None:
        if os.environ.get("GRANTS_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page that records every host it requests."""
    context = browser.new_context(base_url=live_server, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(8000)
    page.requested_hosts = set()
    page.on("request", lambda request: page.requested_hosts.add(urlsplit(request.url).netloc))
    yield page
    context.close()


@contextmanager
def phone_screen(browser, live_server, width: int = 390, height: int = 844):
    """A page the size of a phone screen that records every host it requests."""
    context = browser.new_context(base_url=live_server, locale="fr-FR",
                                  viewport={"width": width, "height": height}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(8000)
    page.requested_hosts = set()
    page.on("request", lambda request: page.requested_hosts.add(urlsplit(request.url).netloc))
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    with phone_screen(browser, live_server) as page:
        yield page


def fill_section(page, values: dict) -> None:
    """Fill a section of the dossier by its French labels (a select gets its option) and save."""
    for label, value in values.items():
        field = page.get_by_label(label)
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    page.locator("main button[type=submit]").click()


def add_documents_and_submit(page, tmp_path, pdf: bytes) -> None:
    """On the dossier page: add the ID scan and the pro-forma invoice, then submit."""
    for kind, name in (("id_scan", "nina.pdf"), ("proforma", "facture.pdf")):
        document = tmp_path / name
        document.write_bytes(pdf)
        page.locator("#documents ~ form select[name=kind]").select_option(kind)
        page.locator("#documents ~ form input[type=file]").set_input_files(str(document))
        page.get_by_role("button", name="Ajouter le document").click()
        page.wait_for_url(re.compile(r".*/dossiers/\d+#documents$"))
    page.get_by_role("button", name="Déposer le dossier").click()


def log_in(page, live_server: str, username: str):
    """Log `page` in through the login form (French labels) and wait for the home page."""
    from tests.conftest import PASSWORD

    page.goto("/connexion")
    page.get_by_label("Identifiant ou numéro de téléphone").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(live_server + "/")
    return page


def logged_in_page(context, live_server: str, username: str):
    """A new page of `context`, logged in as `username`."""
    page = context.new_page()
    page.set_default_timeout(8000)
    return log_in(page, live_server, username)

"""A long export in the browser: the job's page waits, a worker (huey consumer, threads) runs the
job, the page's own script sees it finish and shows the download link."""

import io
from pathlib import Path

import openpyxl
import pytest

from grants.extensions import db
from grants.models import Role, User
from tests import factories
from tests.conftest import committed
from tests.e2e.conftest import logged_in_page


@pytest.fixture
def app(make_app, tmp_path):
    """A real queue (SQLite) instead of running jobs inside the request."""
    return make_app(JOBS_IMMEDIATE=False, JOBS_SQLITE_QUEUE=str(tmp_path / "queue.sqlite3"))


def test_the_job_page_follows_the_worker_and_offers_the_file(app, browser, live_server,
                                                             make_user):
    from grants.services.intake import applications

    manager_id = make_user(Role.PROGRAMME_MANAGER, username="manager")
    with committed(app):
        manager = db.session.get(User, manager_id)
        applications.submit(manager, factories.complete_dossier(
            manager, factories.open_call(manager), factories.person(manager)))
    context = browser.new_context(base_url=live_server, locale="fr-FR", accept_downloads=True)
    page = logged_in_page(context, live_server, "manager")
    requested_hosts = set()
    page.on("request", lambda request: requested_hosts.add(request.url.split("/")[2]))
    page.goto("/dossiers/export.xlsx")
    assert "En attente" in page.locator("main").inner_text()
    consumer = app.extensions["huey"].create_consumer(workers=1, worker_type="thread",
                                                      periodic=False)
    consumer.start()
    try:
        page.get_by_role("link", name="Télécharger").wait_for(timeout=20000)  # no reload by hand
    finally:
        consumer.stop(graceful=True)
    assert "Prêt" in page.locator("main").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger").click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert "Moussa Kanté" in [cell.value for cell in sheet[2]]
    page.goto("/telechargements/")
    assert "Dossiers (Excel)" in page.locator("main").inner_text()
    assert requested_hosts == {live_server.removeprefix("http://")}
    context.close()

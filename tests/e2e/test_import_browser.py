"""An intake supervisor imports a partner's list of 500 returnees with 30 duplicates (20 already
registered, 10 within the file) and 20 bad rows: sees every problem before anything is written,
imports the rest, finds the duplicates linked, undoes the batch and imports it again; the
command line gives the same counts."""

import re

from grants.extensions import db
from grants.models import Beneficiary, ImportRow, Role, RowOutcome, User
from tests import factories
from tests.conftest import committed
from tests.e2e.conftest import log_in

COUNTS = {"new": "450", "duplicate": "20", "file_duplicate": "10", "error": "20"}


def _registry_size(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Beneficiary))


def _upload_and_check(page, path, mapping: str | None = None) -> int:
    page.goto("/beneficiaires/import/")
    page.locator("input[type=file]").set_input_files(str(path))
    if mapping:
        page.get_by_label("Correspondance enregistrée (facultatif)").select_option(mapping)
    page.get_by_role("button", name="Lire le fichier").click()
    page.wait_for_url(re.compile(r".*/beneficiaires/import/\d+/colonnes$"))
    batch_id = int(page.url.split("/")[-2])
    assert page.get_by_label("Date de naissance").input_value() == "Né(e) le"
    if mapping is None:
        page.get_by_label("Enregistrer cette correspondance sous le nom (facultatif)").fill(
            "Liste OIM Kayes")
    page.get_by_role("button", name="Vérifier les lignes").click()
    page.wait_for_url(re.compile(rf".*/beneficiaires/import/{batch_id}$"))
    return batch_id


def _counts(page) -> dict[str, str]:
    return {status: page.locator(f'#summary [data-status="{status}"] .count').inner_text()
            for status in COUNTS}


def test_a_partner_list_is_previewed_imported_undone_and_imported_again(
        app, page, live_server, make_user, tmp_path):
    manager = make_user(Role.PROGRAMME_MANAGER, username="superviseur")
    with committed(app):
        registered = factories.register_partner_people(db.session.get(User, manager), range(20))
    path = tmp_path / "liste-partenaire.xlsx"
    path.write_bytes(factories.xlsx_bytes(factories.partner_list(500, file_duplicates=10,
                                                                  bad=20)))
    log_in(page, live_server, "superviseur")

    batch_id = _upload_and_check(page, path)
    # Every problem is shown before anything is written.
    assert _counts(page) == COUNTS
    assert _registry_size(app) == 20
    page.locator('#summary [data-status="error"]').click()
    errors = page.locator("#rows tbody tr")
    assert errors.count() == 20
    assert "Date illisible « 32/13/1990 »" in page.locator("#rows").inner_text()
    assert "Région inconnue « Atlantide »" in page.locator("#rows").inner_text()
    page.locator('#summary [data-status="duplicate"]').click()
    assert page.locator("#rows tbody tr").first.get_by_role("link",
                                                            name="personne inscrite").count() == 1

    # A decision on a row: the first new person is skipped, then taken back.
    page.goto(f"/beneficiaires/import/{batch_id}?etat=new")
    first = page.locator("#rows tbody tr").first
    first.locator("select").select_option("skip")
    page.locator("#rows ~ button, form button:has-text('Enregistrer les décisions')").last.click()
    assert "1 lignes modifiées" in page.locator("main").inner_text()
    page.get_by_label("Nouveau").select_option("import")
    page.locator("#save-decisions").click()

    page.locator("#start-import").click()
    page.wait_for_url(re.compile(r".*/telechargements/\d+$"))
    assert "Prêt" in page.locator("main").inner_text()
    page.goto(f"/beneficiaires/import/{batch_id}")
    assert "Créés : 450 · liés : 20 · ignorés : 30" in page.locator("#outcomes").inner_text()
    assert _registry_size(app) == 470
    with app.app_context():
        linked = db.session.scalars(db.select(ImportRow.beneficiary_id).where(
            ImportRow.batch_id == batch_id, ImportRow.outcome == RowOutcome.LINKED)).all()
    assert sorted(linked) == sorted(registered)

    page.locator("#undo-import").click()
    assert "Import annulé : 450 fiches supprimées." in page.locator("main").inner_text()
    assert _registry_size(app) == 20

    # The same file through the command line: the same counts (a dry run, nothing written).
    result = app.test_cli_runner().invoke(args=[
        "import-beneficiaries", str(path), "--mapping", "Liste OIM Kayes", "--user",
        "superviseur", "--dry-run", "--report", str(tmp_path / "rapport.xlsx")])
    assert result.exit_code == 0, result.output
    for line in ("Nouveau: 450", "Déjà inscrit: 20", "Doublon dans le fichier: 10",
                 "Erreur: 20"):
        assert line in result.output
    assert _registry_size(app) == 20

    again = _upload_and_check(page, path, mapping="Liste OIM Kayes")
    assert again != batch_id and _counts(page) == COUNTS
    page.locator("#start-import").click()
    page.wait_for_url(re.compile(r".*/telechargements/\d+$"))
    assert _registry_size(app) == 470
    assert page.requested_hosts == {live_server.removeprefix("http://")}


"""The import pages as a programme manager uses them: upload, columns, preview with decisions,
the import job, the report, the batches and their undo; the template; refusals."""

import io

import openpyxl
import pytest

from grants.extensions import db
from grants.models import Beneficiary, ImportBatch, ImportMapping, ImportStatus, Role
from tests import factories
from tests.conftest import committed, download


def _upload(client, content, name="liste.csv", **data):
    return client.post("/beneficiaires/import/", data={
        "file": (io.BytesIO(content), name), **data}, content_type="multipart/form-data")


def _columns_form(client, batch_id):
    page = client.get(f"/beneficiaires/import/{batch_id}/colonnes").get_data(as_text=True)
    from grants.services.imports.mapping import propose

    return {f"col_{code}": header for code, header in propose(factories.PARTNER_HEADERS).items()}, page


def test_upload_map_preview_decide_import_report_and_undo(app, client, login_as, make_user):
    manager = login_as(Role.PROGRAMME_MANAGER)
    with committed(app):
        factories.register_partner_people(db.session.get(
            __import__("grants.models", fromlist=["User"]).User, manager), range(3))
    rows = factories.partner_list(40, file_duplicates=2, bad=3)
    response = _upload(client, factories.xlsx_bytes(rows), "liste.xlsx")
    assert response.status_code == 302
    batch_id = int(response.location.rstrip("/").split("/")[-2])
    columns, page = _columns_form(client, batch_id)
    assert 'selected value="Né(e) le"' in page  # the proposed mapping
    response = client.post(f"/beneficiaires/import/{batch_id}/colonnes",
                           data={**columns, "save_as": "Liste OIM Kayes"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(Beneficiary.id).where(
            Beneficiary.import_batch_id == batch_id)) is None  # nothing written yet
        assert db.session.scalar(db.select(ImportMapping.name)) == "Liste OIM Kayes"
    page = client.get(f"/beneficiaires/import/{batch_id}").get_data(as_text=True)
    assert 'data-status="new"' in page and "32" in page
    errors = client.get(f"/beneficiaires/import/{batch_id}?etat=error").get_data(as_text=True)
    assert errors.count("data-line=") == 3 and "text-danger" in errors
    # a group decision, then one row skipped
    client.post(f"/beneficiaires/import/{batch_id}", data={"group_file_duplicate": "import"})
    response = client.post(f"/beneficiaires/import/{batch_id}", data={"row-2": "skip"})
    assert response.status_code == 302
    refused = client.post(f"/beneficiaires/import/{batch_id}", data={"row-10": "link"})
    assert refused.status_code == 200 and "pas possible" in refused.get_data(as_text=True)
    response = client.post(f"/beneficiaires/import/{batch_id}/lancer")
    assert "/telechargements/" in response.location
    with app.app_context():
        batch = db.session.get(ImportBatch, batch_id)
        assert batch.status is ImportStatus.IMPORTED
        assert batch.counts["created"] == 34 and batch.counts["linked"] == 2
    sheet = openpyxl.load_workbook(io.BytesIO(download(
        client, f"/beneficiaires/import/{batch_id}/rapport.xlsx"))).active
    assert sheet.max_row == 41
    # those imported without consent: on the registry's list "consent to collect"
    listed = client.get("/beneficiaires/?consent=a-recueillir").get_data(as_text=True)
    with app.app_context():
        to_collect = db.session.scalars(db.select(Beneficiary).where(
            Beneficiary.import_batch_id == batch_id, ~Beneficiary.consents.any())).all()
    assert len(to_collect) == 4 and all(p.code in listed for p in to_collect)
    assert listed.count("<tr>") == 1 + 4
    detail = client.get(f"/beneficiaires/{to_collect[0].id}").get_data(as_text=True)
    assert 'id="consent-to-collect"' in detail
    assert f'href="/beneficiaires/import/{batch_id}"' in detail  # "saisi par", from the batch
    response = client.post(f"/beneficiaires/import/{batch_id}/annuler")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(ImportBatch, batch_id).status is ImportStatus.UNDONE
        assert db.session.scalar(db.select(db.func.count()).select_from(Beneficiary)) == 3


def test_undo_refused_shows_the_records_in_use(app, client, login_as):
    manager = login_as(Role.PROGRAMME_MANAGER)
    response = _upload(client, factories.csv_bytes(factories.partner_list(4)))
    batch_id = int(response.location.rstrip("/").split("/")[-2])
    columns, _ = _columns_form(client, batch_id)
    client.post(f"/beneficiaires/import/{batch_id}/colonnes", data=columns)
    client.post(f"/beneficiaires/import/{batch_id}/lancer")
    with committed(app):
        from grants.models import User
        from grants.services.intake import beneficiaries

        person = db.session.scalars(db.select(Beneficiary).order_by(Beneficiary.id)).first()
        beneficiaries.withdraw_consent(db.session.get(User, manager), person, "refus")
        code = person.code
    page = client.post(f"/beneficiaires/import/{batch_id}/annuler").get_data(as_text=True)
    assert 'id="in-use"' in page and code in page
    with app.app_context():
        assert db.session.get(ImportBatch, batch_id).status is ImportStatus.IMPORTED


@pytest.mark.parametrize(("content", "message"), [
    (factories.PDF, "pas un tableur"), (b"", "Le fichier est vide"),
])
def test_a_bad_file_is_refused_at_the_field_and_nothing_is_kept(app, client, login_as,
                                                               content, message):
    login_as(Role.PROGRAMME_MANAGER)
    client.post("/langue", data={"language": "fr"})
    response = _upload(client, content, "liste.pdf")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "is-invalid" in page and message in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ImportBatch)) == 0


def test_the_template_names_every_field_with_an_example(client, login_as):
    login_as(Role.PROGRAMME_MANAGER)
    sheet = openpyxl.load_workbook(io.BytesIO(download(
        client, "/beneficiaires/import/modele.xlsx"))).active
    headers = [c.value for c in sheet[1]]
    assert len(headers) == 19 and sheet.cell(2, 1).value == "KANTE"


@pytest.mark.parametrize("role", [Role.INTAKE_AGENT, Role.FIELD_OFFICER, Role.AUDITOR])
def test_other_roles_cannot_import(client, login_as, role):
    login_as(role)
    assert client.get("/beneficiaires/import/").status_code == 403
    assert _upload(client, factories.csv_bytes(factories.partner_list(2))).status_code == 403


def test_the_intake_agents_home_counts_the_consents_to_collect(app, client, login_as,
                                                              make_user):
    from grants.models import User
    from grants.reporting import dashboards
    from grants.services.imports import batches

    manager = make_user(Role.PROGRAMME_MANAGER)
    agent = make_user(Role.INTAKE_AGENT, regions=("01",))
    rows = [factories.PARTNER_HEADERS,
            ["1", "KANTE", "Awa", "F", "1990", "", "", "Kayes", "", "non"],
            ["2", "DIARRA", "Ali", "M", "1990", "", "", "Gao", "", "non"],
            ["3", "TRAORE", "Ali", "M", "1990", "", "", "Kayes", "", "oui"]]
    with app.test_request_context(), committed(app):
        actor = db.session.get(User, manager)
        batch, table = batches.upload(actor, factories.csv_bytes(rows), "l.csv")
        batches.preview(actor, batch, table)
        batches.queue(actor, batch)
        batches.run_import(actor, batch.id)
    with app.test_request_context():
        todos = {t.key: t for t in dashboards.todos(db.session.get(User, agent))}
        assert todos["consents"].count == 1  # Kayes only: the agent's region
        assert todos["consents"].url.endswith("?consent=a-recueillir")


def test_a_large_file_is_checked_by_a_job_whose_result_is_the_same_preview(app, client,
                                                                          login_as):
    login_as(Role.PROGRAMME_MANAGER)
    app.config["IMPORT_PREVIEW_INLINE_ROWS"] = 10
    small = _upload(client, factories.csv_bytes(factories.partner_list(8)))
    small_id = int(small.location.rstrip("/").split("/")[-2])
    columns, _ = _columns_form(client, small_id)
    response = client.post(f"/beneficiaires/import/{small_id}/colonnes", data=columns)
    assert response.location.endswith(f"/beneficiaires/import/{small_id}")  # checked at once

    large = _upload(client, factories.csv_bytes(factories.partner_list(30, bad=2)))
    large_id = int(large.location.rstrip("/").split("/")[-2])
    response = client.post(f"/beneficiaires/import/{large_id}/colonnes", data=columns)
    assert "/telechargements/" in response.location  # the job's page, with its progress
    job_page = client.get(response.location).get_data(as_text=True)
    assert f'href="/beneficiaires/import/{large_id}"' in job_page  # its result: the preview
    with app.app_context():
        batch = db.session.get(ImportBatch, large_id)
        assert batch.status is ImportStatus.PREVIEWED and batch.job_id is not None
        assert batch.counts == {"new": 28, "error": 2}
        assert db.session.scalar(db.select(db.func.count()).select_from(Beneficiary)) == 0
    page = client.get(f"/beneficiaires/import/{large_id}").get_data(as_text=True)
    assert 'id="start-import"' in page and 'id="follow-job"' not in page


def test_a_file_of_past_dossiers_is_chosen_at_the_upload_and_maps_their_columns(app, client,
                                                                               login_as):
    login_as(Role.PROGRAMME_MANAGER)
    page = client.get("/beneficiaires/import/").get_data(as_text=True)
    assert 'value="past_dossiers"' in page and "Le fichier contient" in page
    rows = [["Nom", "Prénom", "Programme", "Résultat", "Année"], ["KANTE", "Awa", "OIM", "oui",
                                                                 "2024"]]
    response = _upload(client, factories.csv_bytes(rows), holds="past_dossiers")
    batch_id = int(response.location.rstrip("/").split("/")[-2])
    columns = client.get(response.location).get_data(as_text=True)
    assert 'name="col_past_outcome"' in columns
    with app.app_context():
        batch = db.session.get(ImportBatch, batch_id)
        assert batch.columns["past_outcome"] == "Résultat"
    assert _upload(client, factories.csv_bytes(rows), holds="other").status_code == 200
    template = openpyxl.load_workbook(io.BytesIO(download(
        client, "/beneficiaires/import/modele.xlsx?contenu=past_dossiers"))).active
    assert "Résultat du dossier antérieur" in [c.value for c in template[1]]

"""Importing partner lists, the writing half: a batch previewed, decided, imported in bulk (one
audit row, "saisi par" the importer, consent or "consent to collect"), its report, and its undo
refused while a record is in use."""

import io

import openpyxl
import pytest

from grants.extensions import db
from grants.models import (
    AuditEvent,
    Beneficiary,
    Consent,
    ImportBatch,
    ImportRow,
    ImportStatus,
    Role,
    RowDecision,
    RowOutcome,
    User,
)
from grants.services.errors import ConflictError, ValidationError
from grants.services.imports import batches
from grants.services.intake import beneficiaries
from tests import factories
from tests.conftest import committed


@pytest.fixture
def manager(make_user):
    return make_user(Role.PROGRAMME_MANAGER)


def _previewed(app, manager, rows, registered=()) -> int:
    with committed(app):
        actor = db.session.get(User, manager)
        factories.register_partner_people(actor, registered)
    with app.test_request_context(), committed(app):
        actor = db.session.get(User, manager)
        batch, table = batches.upload(actor, factories.csv_bytes(rows), "liste.csv")
        batches.preview(actor, batch, table)
        return batch.id


def _imported(app, manager, batch_id):
    with app.test_request_context(), committed(app):
        actor = db.session.get(User, manager)
        batches.queue(actor, db.session.get(ImportBatch, batch_id))
        batches.run_import(actor, batch_id)


def _count(model, *where):
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


def test_the_preview_writes_no_returnee_and_counts_each_status(app, manager):
    batch_id = _previewed(app, manager, factories.partner_list(
        60, file_duplicates=3, bad=5), registered=range(4))
    with app.app_context():
        batch = db.session.get(ImportBatch, batch_id)
        assert batch.status is ImportStatus.PREVIEWED
        assert batch.counts == {"new": 48, "duplicate": 4, "file_duplicate": 3, "error": 5}
        assert _count(Beneficiary) == 4  # the registered ones only
        summary = batches.summary(batch)
        assert summary["decision_import"] == 48 and summary["decision_link"] == 4
        assert summary["decision_skip"] == 8


def test_decisions_per_group_and_per_row_within_what_each_status_allows(app, manager):
    batch_id = _previewed(app, manager, factories.partner_list(20, file_duplicates=2, bad=2),
                          registered=[0])
    with app.test_request_context(), committed(app):
        actor, batch = db.session.get(User, manager), db.session.get(ImportBatch, batch_id)
        assert batches.decide(actor, batch, groups={"file_duplicate": "import"}) == 2
        assert batches.decide(actor, batch, rows={2: "import"}) == 1  # the duplicate, line 2
        with pytest.raises(ValidationError):
            batches.decide(actor, batch, groups={"error": "import"})
        with pytest.raises(ValidationError):
            batches.decide(actor, batch, rows={3: "link"})  # a new row has nobody to link to
        with pytest.raises(ValidationError):
            batches.decide(actor, batch, rows={999: "skip"})
        with pytest.raises(ValidationError):
            batches.decide(actor, batch, groups={"new": "burn"})
    with app.app_context():
        decisions = dict(db.session.execute(db.select(ImportRow.line, ImportRow.decision).where(
            ImportRow.batch_id == batch_id)).all())
        assert decisions[2] is RowDecision.IMPORT and decisions[21] is RowDecision.IMPORT


def test_the_import_creates_links_and_skips_with_one_audit_row(app, manager):
    rows = factories.partner_list(50, file_duplicates=2, bad=3)
    batch_id = _previewed(app, manager, rows, registered=range(5))
    with app.app_context():
        audits_before = _count(AuditEvent)
        existing = set(db.session.scalars(db.select(Beneficiary.id)))
    _imported(app, manager, batch_id)
    with app.app_context():
        batch = db.session.get(ImportBatch, batch_id)
        assert batch.status is ImportStatus.IMPORTED
        assert batch.counts["created"] == 40 and batch.counts["linked"] == 5
        assert not (batches.imports_root() / batch.stored_name).exists()  # the upload is gone
        assert batch.counts["skipped"] == 5
        created = db.session.scalars(db.select(Beneficiary).where(
            Beneficiary.import_batch_id == batch_id).order_by(Beneficiary.code)).all()
        assert len(created) == 40 and {p.created_by_id for p in created} == {manager}
        assert len({p.code for p in created}) == 40
        # consent "oui": the profile, normalised; "non": names and region, consent to collect
        with_consent = [p for p in created if not p.needs_consent]
        to_collect = [p for p in created if p.needs_consent]
        assert len(to_collect) == 4 and all(p.phone is None and p.birth_date is None
                                            for p in to_collect)
        assert all(p.region_id for p in to_collect)
        assert all(p.phone.startswith("+223") and p.id_number_key for p in with_consent)
        assert all(p.has_consent("processing") for p in with_consent)
        linked = db.session.scalars(db.select(ImportRow).where(
            ImportRow.batch_id == batch_id, ImportRow.outcome == RowOutcome.LINKED)).all()
        assert {r.beneficiary_id for r in linked} == existing
        assert _count(AuditEvent) == audits_before + 1
        event = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event.action == "import.imported" and event.details["created"] == 40
        # the list of intake agents: those whose consent is to collect
        actor = db.session.get(User, manager)
        listed = db.session.scalars(beneficiaries.search(actor, consent_to_collect=True)).all()
        assert {p.id for p in listed} == {p.id for p in to_collect}


def test_a_batch_is_imported_once(app, manager):
    batch_id = _previewed(app, manager, factories.partner_list(5))
    _imported(app, manager, batch_id)
    with app.test_request_context(), app.app_context():
        actor = db.session.get(User, manager)
        with pytest.raises(ConflictError):
            batches.run_import(actor, batch_id)
        with pytest.raises(ConflictError):
            batches.decide(actor, db.session.get(ImportBatch, batch_id), rows={2: "skip"})


def test_the_report_lists_every_row_and_its_outcome(app, manager):
    from grants.exports.import_report import write_report

    batch_id = _previewed(app, manager, factories.partner_list(12, file_duplicates=1, bad=1),
                          registered=[0])
    _imported(app, manager, batch_id)
    with app.test_request_context():
        path = write_report(db.session.get(ImportBatch, batch_id))
    sheet = openpyxl.load_workbook(io.BytesIO(path.read_bytes())).active
    path.unlink()
    lines = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [line[0] for line in lines] == list(range(2, 14))
    assert lines[0][5] == "Lié" and lines[0][6].startswith("ML-")
    assert lines[1][5] == "Créé" and lines[1][6].startswith("ML-")
    assert lines[10][3] == "Erreur" and lines[10][5] == "Ignoré" and lines[10][9]
    assert lines[11][3] == "Doublon dans le fichier" and lines[11][7] == "ligne 8 (téléphone)"


def test_undo_removes_the_batch_while_its_records_are_unused(app, manager):
    batch_id = _previewed(app, manager, factories.partner_list(10), registered=[0])
    _imported(app, manager, batch_id)
    with app.test_request_context(), committed(app):
        actor = db.session.get(User, manager)
        assert batches.undo(actor, db.session.get(ImportBatch, batch_id)) == 9
    with app.app_context():
        batch = db.session.get(ImportBatch, batch_id)
        assert batch.status is ImportStatus.UNDONE and batch.undone_by_id == manager
        assert _count(Beneficiary) == 1 and _count(Consent) == 1  # the registered person
        assert _count(ImportRow, ImportRow.outcome == RowOutcome.REMOVED) == 9
        assert _count(AuditEvent, AuditEvent.action == "import.undone") == 1
    # and the same file imports again
    again = _previewed(app, manager, factories.partner_list(10))
    with app.app_context():
        assert db.session.get(ImportBatch, again).counts == {"new": 9, "duplicate": 1}


@pytest.mark.parametrize("use", ["edit", "consent", "dossier"])
def test_undo_is_refused_with_the_records_in_use(app, manager, use):
    batch_id = _previewed(app, manager, factories.partner_list(6))
    _imported(app, manager, batch_id)
    with app.test_request_context(), committed(app):
        actor = db.session.get(User, manager)
        person = db.session.scalars(db.select(Beneficiary).where(
            Beneficiary.import_batch_id == batch_id).order_by(Beneficiary.id)).first()
        code = person.code
        if use == "edit":
            beneficiaries.update(actor, person, first_name="Autre", last_name=person.last_name,
                                 profile={**factories.profile(), "id_number": "ZZ1"})
        elif use == "consent":
            beneficiaries.withdraw_consent(actor, person, "ne veut plus")
        else:
            from grants.services.intake import applications
            from grants.vocabulary import ProjectType

            applications.create_draft(actor, call=factories.open_call(actor), lead=person,
                                      project_type=ProjectType.INDIVIDUAL)
    with app.test_request_context(), app.app_context():
        actor = db.session.get(User, manager)
        with pytest.raises(batches.BatchInUse) as refused:
            batches.undo(actor, db.session.get(ImportBatch, batch_id))
        assert [r[0] for r in refused.value.records] == [code]
        db.session.rollback()
        assert _count(Beneficiary, Beneficiary.import_batch_id == batch_id) == 6


# --- the command line ---------------------------------------------------------------------

def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["import-beneficiaries", *map(str, args)])


@pytest.fixture
def saved_mapping(app, manager):
    from grants.services.imports import mapping

    with committed(app):
        mapping.save_mapping(db.session.get(User, manager), "Liste OIM Kayes",
                             mapping.propose(factories.PARTNER_HEADERS))


def test_the_command_line_previews_imports_and_reports_like_the_pages(app, manager, tmp_path,
                                                                      saved_mapping):
    with committed(app):
        factories.register_partner_people(db.session.get(User, manager), range(3))
    path = tmp_path / "liste.csv"
    path.write_bytes(factories.csv_bytes(factories.partner_list(40, file_duplicates=2, bad=4),
                                         encoding="cp1252"))
    with app.app_context():
        username = db.session.get(User, manager).username
    dry = _cli(app, path, "--mapping", "Liste OIM Kayes", "--user", username, "--dry-run")
    assert dry.exit_code == 0, dry.output
    for line in ("40 rows", ": 31", ": 3", ": 2", ": 4", "nothing written"):
        assert line in dry.output
    report = tmp_path / "liste-rapport.xlsx"
    assert len(list(openpyxl.load_workbook(report).active.iter_rows(min_row=2))) == 40
    with app.app_context():
        assert _count(Beneficiary) == 3 and _count(ImportBatch) == 0
    done = _cli(app, path, "--mapping", "Liste OIM Kayes", "--user", username)
    assert done.exit_code == 0, done.output
    assert "created: 31" in done.output and "linked: 3" in done.output
    with app.app_context():
        assert _count(Beneficiary) == 34
        assert _count(AuditEvent, AuditEvent.action == "import.imported") == 1


def test_the_command_line_refuses_bad_files_and_unknown_mappings(app, manager, tmp_path,
                                                                saved_mapping):
    with app.app_context():
        username = db.session.get(User, manager).username
    bad = tmp_path / "photo.csv"
    bad.write_bytes(factories.PNG)
    result = _cli(app, bad, "--mapping", "Liste OIM Kayes", "--user", username)
    assert result.exit_code != 0 and "pas un tableur" in result.output
    result = _cli(app, bad, "--mapping", "Inconnue", "--user", username)
    assert result.exit_code != 0 and "no saved mapping" in result.output
    with app.app_context():
        assert _count(ImportBatch) == 0


def test_undo_is_refused_when_another_import_linked_to_its_records(app, manager):
    first = _previewed(app, manager, factories.partner_list(3))
    _imported(app, manager, first)
    second = _previewed(app, manager, factories.partner_list(3))
    with app.app_context():
        assert db.session.get(ImportBatch, second).counts == {"duplicate": 3}
    _imported(app, manager, second)
    with app.test_request_context(), app.app_context():
        with pytest.raises(batches.BatchInUse) as refused:
            batches.undo(db.session.get(User, manager), db.session.get(ImportBatch, first))
        assert len(refused.value.records) == 3
        assert {why for _, _, why in refused.value.records} == {"un lien d’un autre import"}


def test_checking_the_rows_reports_progress_and_writes_nothing(app, manager):
    rows = factories.partner_list(2100)
    with app.test_request_context(), committed(app):
        actor = db.session.get(User, manager)
        batch, table = batches.upload(actor, factories.csv_bytes(rows), "grande-liste.csv")
        seen: list[tuple] = []
        checked = batches.check_rows(actor, batch, table, lambda done, total: seen.append(
            (done, total)))
        assert len(checked) == 2100 and seen == [(0, 2100), (1000, 2100), (2000, 2100)]
        assert _count(ImportRow, ImportRow.batch_id == batch.id) == 0
        assert batches.previews_in_background(batch)  # above IMPORT_PREVIEW_INLINE_ROWS
        batches.store_preview(batch, checked)
        assert batch.status is ImportStatus.PREVIEWED
        assert _count(ImportRow, ImportRow.batch_id == batch.id) == 2100


def test_uploads_never_imported_lose_their_file_and_rows_after_the_retention_period(
        app, manager, client, login_as):
    from datetime import UTC, datetime, timedelta

    from grants.jobs.retention import run_retention
    from grants.storage import imports_root

    old = [_previewed(app, manager, factories.partner_list(5)) for _ in range(2)]
    recent = _previewed(app, manager, factories.partner_list(5))
    imported = _previewed(app, manager, factories.partner_list(5))
    _imported(app, manager, imported)
    with app.app_context():
        long_ago = datetime.now(UTC) - timedelta(days=31)
        db.session.execute(db.update(ImportBatch).where(ImportBatch.id.in_([*old, imported]))
                           .values(created_at=long_ago))
        db.session.execute(db.update(ImportBatch).where(ImportBatch.id == old[1]).values(
            status=ImportStatus.UPLOADED))  # columns never chosen
        db.session.commit()
        files = {bid: imports_root() / db.session.get(ImportBatch, bid).stored_name
                 for bid in (*old, recent)}
        assert all(path.exists() for path in files.values())
        assert run_retention(dry_run=True).counts["abandoned_imports"] == 2
        assert all(path.exists() for path in files.values())
        assert _count(ImportRow, ImportRow.batch_id == old[0]) == 5
        run = run_retention(dry_run=False)
        assert run.counts["abandoned_imports"] == 2
    with app.app_context():
        for bid in old:
            assert db.session.get(ImportBatch, bid).status is ImportStatus.EXPIRED
            assert not files[bid].exists() and _count(ImportRow, ImportRow.batch_id == bid) == 0
        assert files[recent].exists() and _count(ImportRow, ImportRow.batch_id == recent) == 5
        assert db.session.get(ImportBatch, imported).status is ImportStatus.IMPORTED
        assert _count(ImportRow, ImportRow.batch_id == imported) == 5  # its report stays
        assert run_retention(dry_run=True).counts["abandoned_imports"] == 0  # once only
    login_as(Role.PROGRAMME_MANAGER)
    page = client.get(f"/beneficiaires/import/{old[0]}")
    assert page.status_code == 200 and 'id="start-import"' not in page.get_data(as_text=True)
    assert client.get(f"/beneficiaires/import/{old[0]}/colonnes").status_code == 302

"""A person's rights over their data: their file, erasure on request, the retention rules."""

import io
import json
from datetime import UTC, datetime

import pytest

from grants.extensions import db
from grants.models import (
    Application,
    ApplicationRevision,
    Attachment,
    AuditEvent,
    Beneficiary,
    BeneficiaryRestricted,
    LedgerEntry,
    Payment,
    Role,
    User,
    Visit,
    VisitPhoto,
)
from grants.services import audit
from grants.services.intake import beneficiaries
from grants.services.money.ledger_check import check_ledger
from grants.services.privacy import erasure, person_file, retention
from grants.storage import save_upload, stored_path
from grants.vocabulary import DocumentKind
from grants.workflow import ApplicationStatus
from tests import factories
from tests.conftest import committed, login


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    """A folder of this test's own for the files it stores and erases (the scenarios' files,
    kept in the session's shared instance folder, stay untouched)."""
    monkeypatch.setattr("grants.storage.upload_root", lambda: tmp_path)
    return tmp_path


def _user(ids, name) -> User:
    return db.session.get_one(User, ids[name])


def _dpo(make_user) -> int:
    return make_user(Role.DATA_PROTECTION_OFFICER, username="dpd")


def _store(name="scan.pdf", content=factories.PDF):
    return save_upload(io.BytesIO(content), name)


def _funded_person(ids) -> Beneficiary:
    return db.session.get_one(Application, ids["application"]).lead


def _close(ids) -> None:
    """The agreement is over (its dossier closed): the law no longer keeps the person."""
    db.session.get_one(Application, ids["application"]).status = ApplicationStatus.CLOSED
    db.session.commit()


# --- the person's file ------------------------------------------------------------------

def test_the_file_holds_everything_on_the_person_and_nothing_on_another(app, followed, uploads,
                                                                         make_user):
    dpo_id = _dpo(make_user)
    with committed(app):
        manager = _user(followed, "manager")
        person = _funded_person(followed)
        beneficiaries.save_restricted(manager, person, vulnerabilities=["trafficking"],
                                      health_notes="Suivi psychologique")
        db.session.commit()  # (a reading ends a transaction that has not taken the lock)
        beneficiaries.read_restricted(manager, person)
        db.session.commit()
        other = factories.person(manager, "Awa", "Autre", id_number="OTHER99", skills="Teinture")
        db.session.commit()
        beneficiaries.read_restricted(manager, other)
        db.session.commit()
        visit = db.session.scalars(db.select(Visit).where(
            Visit.grant_id == followed["grant"])).first()
        audit.record_reading("visit.survey_read", _user(followed, "field"), visit)
        person_id, other_id = person.id, other.id
    with committed(app):
        data = person_file.produce(db.session.get_one(User, dpo_id),
                                   db.session.get_one(Beneficiary, person_id), "json")
    text = json.dumps(data, ensure_ascii=False)
    assert data["identity"]["first_name"] == "Moussa" and data["identity"]["skills"] == "Couture"
    assert data["confidential"]["health_notes"] == "Suivi psychologique"
    assert len(data["consents"]) == 1 and "processing" in data["consents"][0]["scopes"]
    [dossier] = data["dossiers"]
    assert dossier["role"] == "lead" and dossier["agreement"]["amount"] == 1_000_000
    assert sorted(d["kind"] for d in dossier["documents"]) == ["id_scan", "proforma"]
    assert [(p["kind"], p["reference"]) for p in dossier["payments"]] == [("payment", "VIR-TEST")]
    assert len(dossier["visits"]) >= 1 and dossier["history"] and dossier["versions"]
    assert [(r["action"], r["by"]) for r in data["confidential_readings"]] == [
        ("beneficiary.restricted_read", "Test manager"), ("visit.survey_read", "Test field")]
    # Nothing of the other person.
    assert "Awa" not in text and "OTHER99" not in text and "Teinture" not in text
    with app.app_context():
        produced = db.session.scalars(db.select(AuditEvent).where(
            AuditEvent.action == "privacy.file_produced")).all()
        assert [(e.actor_id, e.object_id, e.details) for e in produced] == [
            (dpo_id, str(person_id), {"format": "json"})]
        assert other_id != person_id


def test_the_file_downloads_as_json_and_french_pdf_for_the_dpo_only(app, client, followed,
                                                                    make_user):
    _dpo(make_user)
    with app.app_context():
        person_id = _funded_person(followed).id
    base = f"/protection-donnees/personnes/{person_id}"
    login(client, "manager")
    assert client.get(base).status_code == 403
    assert client.get(base + "/fiche.json").status_code == 403
    client.post("/deconnexion")
    login(client, "dpd")
    page = client.get(base)
    assert page.status_code == 200 and "fiche.pdf" in page.get_data(as_text=True)
    assert "Personne n'a lu" in page.get_data(as_text=True)  # no reading yet
    response = client.get(base + "/fiche.json")
    assert response.status_code == 200 and response.headers["Cache-Control"].startswith("no-")
    assert json.loads(response.data)["identity"]["last_name"] == "Kanté"
    response = client.get(base + "/fiche.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "privacy.file_produced")) == 2


# --- erasure ------------------------------------------------------------------------------

def test_an_open_agreement_refuses_the_erasure(app, client, followed, make_user):
    _dpo(make_user)
    with app.app_context():
        person_id = _funded_person(followed).id
    login(client, "dpd")
    page = client.post(f"/protection-donnees/personnes/{person_id}/effacer",
                       data={"reason": "Demande écrite du 2 juin", "confirm": "y"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "alert-danger" in text
    with app.app_context():
        assert db.session.get_one(Beneficiary, person_id).first_name == "Moussa"
        assert not db.session.scalars(db.select(AuditEvent).where(
            AuditEvent.action == "privacy.erased")).all()


def test_erasure_needs_a_reason_and_the_confirmation(app, client, make_user):
    _dpo(make_user)
    with committed(app):
        person_id = factories.person(db.session.get_one(User, make_user())).id
    login(client, "dpd")
    url = f"/protection-donnees/personnes/{person_id}/effacer"
    for data in ({"reason": "", "confirm": "y"}, {"reason": "Demande orale"}):
        page = client.post(url, data=data)
        assert page.status_code == 200 and "is-invalid" in page.get_data(as_text=True)
    with app.app_context():
        assert not erasure.is_erased(db.session.get_one(Beneficiary, person_id))


def test_erasure_pseudonymises_deletes_files_and_keeps_the_ledger(app, client, followed,
                                                                  uploads, make_user):
    dpo_id = _dpo(make_user)
    with committed(app):
        manager = _user(followed, "manager")
        person = _funded_person(followed)
        beneficiaries.save_restricted(manager, person, vulnerabilities=[],
                                      health_notes="Notes confidentielles")
        scan, photo = _store(), _store("photo.png", factories.PNG)
        db.session.add(Attachment.recorded(scan, manager.id, application_id=followed["application"],
                                           kind=DocumentKind.ID_SCAN))
        visit = db.session.scalars(db.select(Visit).where(
            Visit.grant_id == followed["grant"])).first()
        visit.observations, visit.latitude = "Près du marché de Kayes", 14.44
        db.session.add(VisitPhoto.recorded(photo, manager.id, visit_id=visit.id))
        person_id, code = person.id, person.code
    files = [stored_path(uploads, scan.stored_name), stored_path(uploads, photo.stored_name)]
    assert all(f.exists() for f in files)
    with app.app_context():
        _close(followed)
        ledger_before = db.session.scalar(db.select(db.func.count()).select_from(LedgerEntry))
        payments_before = db.session.execute(db.select(Payment.id, Payment.amount)).all()
        audit_before = db.session.execute(db.select(AuditEvent.id, AuditEvent.details)).all()

    login(client, "dpd")
    response = client.post(f"/protection-donnees/personnes/{person_id}/effacer",
                           data={"reason": "Demande écrite du 2 juin 2026", "confirm": "y"})
    assert response.status_code == 302

    assert not any(f.exists() for f in files)
    with app.app_context():
        person = db.session.get_one(Beneficiary, person_id)
        assert erasure.is_erased(person) and person.code != code
        assert (person.first_name, person.last_name) == ("Anonyme", person.code)
        assert person.birth_date is None and person.id_number is None and person.skills is None
        assert db.session.get(BeneficiaryRestricted, person_id) is None
        dossier = db.session.get_one(Application, followed["application"])
        assert dossier.lead_id == person_id  # the agreement points to the pseudonym
        assert dossier.activity is None and dossier.product_service is None
        assert not db.session.scalars(db.select(Attachment).where(
            Attachment.application_id == dossier.id)).all()
        assert [r.snapshot for r in db.session.scalars(db.select(ApplicationRevision).where(
            ApplicationRevision.application_id == dossier.id))] == [{"erased": True}]
        visit = db.session.scalars(db.select(Visit).where(Visit.grant_id == followed["grant"])).first()
        assert visit.observations is None and visit.latitude is None and not visit.photos
        # The ledger, the payments and the audit log are as they were, and still sound.
        assert db.session.scalar(db.select(db.func.count()).select_from(LedgerEntry)) == ledger_before
        assert db.session.execute(db.select(Payment.id, Payment.amount)).all() == payments_before
        audit_after = db.session.execute(db.select(AuditEvent.id, AuditEvent.details)).all()
        assert audit_after[:len(audit_before)] == audit_before
        [erased] = db.session.scalars(db.select(AuditEvent).where(
            AuditEvent.action == "privacy.erased")).all()
        assert (erased.actor_id, erased.object_id) == (dpo_id, str(person_id))
        assert erased.details == {"reason": "Demande écrite du 2 juin 2026", "files": 4}
        assert check_ledger() == []
    # A second erasure is refused with a message.
    page = client.post(f"/protection-donnees/personnes/{person_id}/effacer",
                       data={"reason": "encore", "confirm": "y"})
    assert page.status_code == 200 and "alert-danger" in page.get_data(as_text=True)


# --- retention ------------------------------------------------------------------------------

def _rejected_dossier(app, make_user):
    with committed(app):
        manager = db.session.get_one(User, make_user())
        call = factories.open_call(manager)
        person = factories.person(manager, "Rejet", "Dossier", id_number="R1")
        beneficiaries.save_restricted(manager, person, vulnerabilities=[],
                                      health_notes="Ancienne note")
        dossier = factories.complete_dossier(manager, call, person)
        dossier.status = ApplicationStatus.REJECTED
        return dossier.id, person.id


def test_retention_dry_run_counts_and_the_real_run_removes(app, uploads, make_user):
    dossier_id, person_id = _rejected_dossier(app, make_user)
    months = {"confidential_notes": 60, "visit_photos": 60, "id_scans": 24,
              "rejected_documents": 12, "audit_details": 120}
    with app.app_context():
        files = [stored_path(uploads, a.stored_name) for a in db.session.scalars(
            db.select(Attachment).where(Attachment.application_id == dossier_id))]
        assert len(files) == 2 and all(f.exists() for f in files)
        soon = retention.apply(months, datetime.now(UTC), dry_run=True)
        assert soon.counts == dict.fromkeys(months, 0)
        later = retention.months_before(datetime.now(UTC), -13)  # 13 months from now
        dry = retention.apply(months, later, dry_run=True)
        assert dry.counts == {"confidential_notes": 0, "visit_photos": 0, "id_scans": 0,
                              "rejected_documents": 2, "audit_details": 0} and dry.files == []
        db.session.rollback()
        assert all(f.exists() for f in files)
        assert len(db.session.scalars(db.select(Attachment).where(
            Attachment.application_id == dossier_id)).all()) == 2

        much_later = retention.months_before(datetime.now(UTC), -61)
        foreseen = retention.apply(months, much_later, dry_run=True, import_days=30).counts
        db.session.rollback()
        from grants.jobs.retention import run_retention
        real = run_retention(dry_run=False, now=much_later)
        # The ID scan goes by its own rule first, then the rejected dossier's other document.
        assert real.counts == {"confidential_notes": 1, "visit_photos": 0, "id_scans": 1,
                               "rejected_documents": 1, "audit_details": 0,
                               "abandoned_imports": 0} == foreseen
        assert not any(f.exists() for f in files)
        assert db.session.get_one(BeneficiaryRestricted, person_id).health_notes is None
        assert db.session.scalar(db.select(AuditEvent.details).where(
            AuditEvent.action == "privacy.retention_applied")) == real.counts


def test_apply_retention_command_reports_what_it_would_remove(app, uploads, make_user):
    dossier_id, _ = _rejected_dossier(app, make_user)
    app.config["RETENTION_MONTHS"] = {**app.config["RETENTION_MONTHS"],
                                      "rejected_documents": 0, "visit_photos": None}
    result = app.test_cli_runner().invoke(args=["apply-retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "rejected_documents: would remove 2 (older than 0 months)" in result.output
    assert "visit_photos: kept (no retention period)" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Attachment).where(
            Attachment.application_id == dossier_id)) == 2
    result = app.test_cli_runner().invoke(args=["apply-retention"])
    assert "rejected_documents: removed 2" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Attachment).where(
            Attachment.application_id == dossier_id)) == 0


def test_audit_details_are_cleared_past_their_period_and_nothing_else_changes(app):
    import sqlalchemy as sa

    from grants.models import Outcome

    now = datetime.now(UTC)
    with committed(app):
        for months_ago, details in ((30, {"reason": "demande du 3 mars"}), (30, None), (6, {"n": 1})):
            db.session.add(AuditEvent(at=retention.months_before(now, months_ago),
                                      action="test.kept", object_type="beneficiary",
                                      object_id="7", outcome=Outcome.OK, details=details))
    rule = {"audit_details": 24}
    with app.app_context():
        assert retention.apply(rule, now, dry_run=True).counts == {"audit_details": 1}
        assert retention.apply(rule, now, dry_run=False).counts == {"audit_details": 1}
        db.session.commit()
        kept = db.session.execute(sa.select(AuditEvent.action, AuditEvent.object_id,
                                            AuditEvent.details).where(
            AuditEvent.action == "test.kept").order_by(AuditEvent.id)).all()
        assert [tuple(row) for row in kept] == [("test.kept", "7", None), ("test.kept", "7", None),
                                               ("test.kept", "7", {"n": 1})]
        assert retention.apply(rule, now, dry_run=True).counts == {"audit_details": 0}
        # Clearing is the one change allowed: no other column, no new details, no deletion.
        for statement in ("UPDATE audit_event SET action = 'forged'",
                          "UPDATE audit_event SET details = '{\"forged\": 1}'",
                          "UPDATE audit_event SET details = NULL, object_id = '8'",
                          "DELETE FROM audit_event"):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                db.session.execute(sa.text(statement))
            db.session.rollback()


def test_months_before_keeps_the_calendar():
    assert retention.months_before(datetime(2026, 3, 31), 1) == datetime(2026, 2, 28)
    assert retention.months_before(datetime(2026, 1, 15), 13) == datetime(2024, 12, 15)
    assert retention.months_before(datetime(2026, 1, 15), -12) == datetime(2027, 1, 15)


def test_the_nightly_retention_task_is_scheduled(app):
    huey = app.extensions["huey"]
    assert "grants.apply_retention" in {task.name for task in huey._registry.periodic_tasks}

"""The scan of the signed agreement: stored with its fingerprint at the signature or later,
replaced with an audit trail (earlier scans kept), downloaded by those who see the agreement."""

import hashlib
import io
import uuid
from datetime import date

import pytest

from grants.extensions import db
from grants.models import AgreementCopy, AuditEvent, BudgetEnvelope, Grant, GrantStatus, Role
from grants.services.errors import ConflictError, ForbiddenError, ValidationError
from grants.services.money import agreements
from grants.storage import upload_root
from tests.conftest import login
from tests.factories import PDF, PNG, prepared_agreement, signed_agreement, user


def _files() -> set:
    root = upload_root()
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


def test_the_signed_copy_given_at_the_signature_is_stored_with_its_fingerprint(app, money):
    with app.app_context():
        grant_id = prepared_agreement(money)
        agreements.sign_agreement(user(money, "officer"), grant_id, date.today(),
                                  str(uuid.uuid4()), (io.BytesIO(PDF), "convention signée.pdf"))
        db.session.commit()
        grant = db.session.get(Grant, grant_id)
        copy = grant.signed_copy
        assert grant.status == GrantStatus.SIGNED
        assert (copy.sha256, copy.size, copy.content_type, copy.display_name) == (
            hashlib.sha256(PDF).hexdigest(), len(PDF), "application/pdf", "convention signée.pdf")
        assert copy.uploaded_by_id == money["officer"] and copy.uploaded_at is not None
        assert [e.details["sha256"] for e in _events("grant.signed_copy_added")] == [copy.sha256]


def test_a_file_that_is_not_a_scan_refuses_the_signature_and_leaves_nothing(app, money):
    with app.app_context():
        grant_id = prepared_agreement(money)
        files = _files()
        with pytest.raises(ValidationError) as refused:
            agreements.sign_agreement(user(money, "officer"), grant_id, date.today(),
                                      str(uuid.uuid4()), (io.BytesIO(b"MZ\x90\x00 not a scan"),
                                                          "convention.pdf"))
        assert refused.value.field == "file"
        db.session.rollback()
        assert db.session.get(Grant, grant_id).status == GrantStatus.DRAFT
        assert db.session.get(BudgetEnvelope, money["envelope"]).committed == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(AgreementCopy)) == 0
        assert _files() == files


def test_a_draft_has_no_signed_copy_and_only_a_finance_officer_adds_one(app, money):
    with app.app_context():
        grant_id = prepared_agreement(money)
        with pytest.raises(ConflictError):
            agreements.attach_signed_copy(user(money, "officer"), grant_id, io.BytesIO(PDF), "c.pdf")
        db.session.rollback()
        agreements.sign_agreement(user(money, "officer"), grant_id, date.today(), str(uuid.uuid4()))
        db.session.commit()
        with pytest.raises(ForbiddenError):
            agreements.attach_signed_copy(user(money, "accountant"), grant_id, io.BytesIO(PDF),
                                          "c.pdf")
        db.session.rollback()
        assert db.session.get(Grant, grant_id).signed_copy is None


def test_replacing_the_signed_copy_keeps_the_earlier_one_and_audits_it(app, money):
    with app.app_context():
        grant_id = signed_agreement(money)
        first = agreements.attach_signed_copy(user(money, "officer"), grant_id, io.BytesIO(PDF),
                                              "scan flou.pdf")
        db.session.commit()
        second = agreements.attach_signed_copy(user(money, "officer"), grant_id, io.BytesIO(PNG),
                                               "scan.png")
        db.session.commit()
        grant = db.session.get(Grant, grant_id)
        assert [c.id for c in grant.copies] == [first.id, second.id]
        assert grant.signed_copy.id == second.id and second.content_type == "image/png"
        [replaced] = _events("grant.signed_copy_replaced")
        assert replaced.details == {"copy": second.id, "sha256": hashlib.sha256(PNG).hexdigest(),
                                    "size": len(PNG), "replaces": first.id,
                                    "previous_sha256": hashlib.sha256(PDF).hexdigest()}
        assert replaced.object_type == "grant_agreement" and replaced.object_id == str(grant_id)


def test_the_signed_copy_through_the_pages(app, money, make_user):
    make_user(Role.INTAKE_AGENT, username="agent")
    with app.app_context():
        grant_id = signed_agreement(money)
        other_id = signed_agreement(money, 1)
    officer, accountant, agent = app.test_client(), app.test_client(), app.test_client()
    login(officer, "officer")
    login(accountant, "accountant")
    login(agent, "agent")
    path = f"/finances/conventions/{grant_id}"
    assert "Aucun exemplaire signé" in officer.get(path).get_data(as_text=True)
    page = officer.post(path + "/exemplaire-signe", data={
        "file": (io.BytesIO(b"just text"), "scan.pdf")}, content_type="multipart/form-data")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "is-invalid" in html
    assert "Seuls les fichiers PDF, JPEG ou PNG sont acceptés." in html
    page = officer.post(path + "/exemplaire-signe", data={}, content_type="multipart/form-data")
    assert "Choisissez un fichier." in page.get_data(as_text=True)
    response = officer.post(path + "/exemplaire-signe", data={
        "file": (io.BytesIO(PDF), "convention.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert accountant.post(path + "/exemplaire-signe", data={
        "file": (io.BytesIO(PDF), "x.pdf")}, content_type="multipart/form-data").status_code == 403
    with app.app_context():
        copy_id = db.session.get(Grant, grant_id).signed_copy.id
    html = accountant.get(path).get_data(as_text=True)
    assert f"{path}/exemplaires/{copy_id}" in html and hashlib.sha256(PDF).hexdigest() in html
    download = accountant.get(f"{path}/exemplaires/{copy_id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    download.close()
    assert accountant.get(f"/finances/conventions/{other_id}/exemplaires/{copy_id}").status_code \
        == 404  # a copy is reached only through its own agreement
    assert agent.get(f"{path}/exemplaires/{copy_id}").status_code == 403


def test_signing_on_the_page_with_the_scan(app, money):
    with app.app_context():
        grant_id = prepared_agreement(money)
    officer = app.test_client()
    login(officer, "officer")
    path = f"/finances/conventions/{grant_id}"
    response = officer.post(path + "/signer", data={
        "key": str(uuid.uuid4()), "signed_on": date.today().isoformat(),
        "file": (io.BytesIO(b"<html>"), "scan.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 200  # the page again, the file refused at its field
    assert "Seuls les fichiers PDF" in response.get_data(as_text=True)
    response = officer.post(path + "/signer", data={
        "key": str(uuid.uuid4()), "signed_on": date.today().isoformat(),
        "file": (io.BytesIO(PDF), "scan.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        grant = db.session.get(Grant, grant_id)
        assert grant.status == GrantStatus.SIGNED and grant.signed_copy.size == len(PDF)

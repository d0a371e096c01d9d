"""The audit log in words: actions as French sentences, objects by their reference, details as
labelled fields, the search over the sentences, and the exports in words too."""

import html
import re
import uuid
from pathlib import Path

from grants.audit_labels import ACTION_LABELS, matching_actions
from grants.extensions import db
from grants.models import Grant, Role, Tranche, User
from grants.services.money import payments
from tests.conftest import committed

SOURCE = Path(__file__).resolve().parents[1] / "grants"


def _paid(app, ids, tranche_id) -> str:
    """Pay the ordered tranche; the agreement's number."""
    with committed(app):
        accountant = db.session.get(User, ids["accountant"])
        payments.pay_tranche(accountant, tranche_id, str(uuid.uuid4()), "VIR-1")
        return db.session.get(Grant, db.session.get(Tranche, tranche_id).grant_id).number


def test_every_action_written_has_a_sentence():
    """A literal code given to audit.record() (or the demo's bulk writer) without a sentence in
    grants/audit_labels.py would show as a bare code."""
    written = set()
    for path in SOURCE.rglob("*.py"):
        if path.name == "audit_labels.py":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"(audit\.record(_reading)?|self\.audit|\.audit)\(", line):
                written |= set(re.findall(r"\"([a-z_]+\.[a-z_]+)\"", line))
    assert len(written) > 60
    assert sorted(written - set(ACTION_LABELS)) == []


def test_the_words_typed_find_the_actions(app):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        payment = matching_actions("paiement")
        assert {"tranche.paid", "tranche.ordered", "payment.reversed", "batch.approved"} <= set(
            payment)
        assert "grant.signed" not in payment and "auth.logout" not in payment
        assert matching_actions("PAYÉE") == ["tranche.paid"]
        assert matching_actions("dossier DEPOSE") == ["application.submit"]
        assert matching_actions("   ") == [] and matching_actions("zzz") == []


def test_the_log_reads_french(app, client, login_as, ordered_tranche):
    ids, tranche_id = ordered_tranche
    number = _paid(app, ids, tranche_id)
    login_as(Role.AUDITOR)
    page = html.unescape(client.get("/admin/journal").get_data(as_text=True))
    paid = re.search(r'<tr data-action="tranche\.paid">(.*?)</tr>', page, re.S).group(1)
    assert "Tranche payée" in paid
    assert f"{number}, tranche 1" in paid  # the object by its reference, not "tranche #3"
    assert re.search(r"Montant\u00a0?\s?:</span> 1\u202f200\u202f000\u00a0F\u202fCFA", paid), paid
    assert "{" not in paid and "tranche #" not in paid
    assert "Convention signée" in page and "Session ouverte" in page


def test_the_filter_finds_paiement(app, client, login_as, ordered_tranche):
    ids, tranche_id = ordered_tranche
    _paid(app, ids, tranche_id)
    login_as(Role.AUDITOR)
    page = client.get("/admin/journal?action=paiement").get_data(as_text=True)
    shown = set(re.findall(r'data-action="([a-z_.]+)"', page))
    assert shown == {"tranche.ordered", "tranche.paid"}
    # a code's beginning still filters, and garbage finds nothing without an error
    assert set(re.findall(r'data-action="([a-z_.]+)"', client.get(
        "/admin/journal?action=grant.").get_data(as_text=True))) == {"grant.prepared",
                                                                      "grant.signed"}
    for garbage in ("%25%27%3B--", "%25", "%25.%25"):  # "%" is a plain character here
        nothing = client.get(f"/admin/journal?action={garbage}")
        assert nothing.status_code == 200 and "data-action=" not in nothing.get_data(as_text=True)
    for refused in ("%00", "pai%00ement"):  # refused (400), never an error of ours
        assert client.get(f"/admin/journal?action={refused}").status_code == 400
        assert client.get(f"/admin/journal.csv?action={refused}").status_code == 400


def test_the_exports_carry_the_sentence_and_the_reference(app, client, login_as, ordered_tranche):
    import io

    import openpyxl

    from tests.conftest import download

    ids, tranche_id = ordered_tranche
    number = _paid(app, ids, tranche_id)
    login_as(Role.AUDITOR)
    text = client.get("/admin/journal.csv?action=paiement").get_data().decode("utf-8-sig")
    rows = [line.split(";") for line in text.strip().splitlines()]
    assert rows[0][:6] == ["Date (UTC)", "Utilisateur", "Action", "Code de l'action", "Objet",
                           "Référence"]
    paid = next(row for row in rows[1:] if row[3] == "tranche.paid")
    assert paid[2] == "Tranche payée" and paid[5] == f"{number}, tranche 1"
    assert "Montant : 1\u202f200\u202f000\u00a0F\u202fCFA" in paid[7]
    sheet = openpyxl.load_workbook(io.BytesIO(download(
        client, "/admin/journal.xlsx?action=paiement"))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert ["Tranche payée", "tranche.paid", "Tranche", f"{number}, tranche 1"] in [
        row[2:6] for row in values[1:]]

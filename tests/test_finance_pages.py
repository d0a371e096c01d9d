"""Finance pages: two officers take a dossier from agreement to a paid tranche."""

import io
import re

from grants.extensions import db
from grants.models import BatchLine, BudgetEnvelope, Grant, Payment, Role, Tranche
from grants.services.money.ledger_check import check_ledger
from tests.conftest import field_errors, login
from tests.factories import ordered_wallet_tranches


def _key(page: str) -> str:
    return re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)


def test_officer_and_accountant_take_a_dossier_to_a_paid_tranche(app, money):
    officer, accountant = app.test_client(), app.test_client()
    login(officer, "officer")
    login(accountant, "accountant")
    application_id = money["applications"][0]
    response = officer.post(f"/finances/conventions/nouvelle/{application_id}", data={
        "amount": "2 000 000", "channel": "orange_money", "account": "+22376123456"})
    assert response.status_code == 302
    grant_path = response.headers["Location"]
    page = officer.get(grant_path).get_data(as_text=True)
    sign = {"key": _key(page), "signed_on": "2026-01-15"}
    officer.post(grant_path + "/signer", data=sign)
    officer.post(grant_path + "/signer", data=sign)  # a double click: nothing more
    with app.app_context():
        grant = db.session.scalar(db.select(Grant))
        assert db.session.get(BudgetEnvelope, money["envelope"]).committed == 2_000_000
        first = grant.tranches[0].id
    page = officer.get(grant_path).get_data(as_text=True)
    officer.post(f"{grant_path}/tranches/{first}/ordonnancer", data={"key": _key(page)})
    # the officer cannot pay what they ordered (no permission); the accountant can
    assert officer.post(f"{grant_path}/tranches/{first}/payer", data={
        "key": "x", "reference": "OM-1", "paid_on": "2026-01-20"}).status_code == 403
    page = accountant.get(grant_path).get_data(as_text=True)
    assert "Payer" in page
    pay = {"key": _key(page), "reference": "OM-998877", "paid_on": "2026-01-20"}
    accountant.post(f"{grant_path}/tranches/{first}/payer", data=pay)
    accountant.post(f"{grant_path}/tranches/{first}/payer", data=pay)  # replay
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Payment)) == 1
        assert db.session.scalar(db.select(Grant)).disbursed == 1_200_000
        assert check_ledger() == []



def test_a_wallet_over_the_cap_is_refused_at_the_field_in_french(app, money, make_user):
    officer = app.test_client()
    login(officer, "officer")
    with app.app_context():
        from grants.models import Application

        db.session.get(Application, money["applications"][0]).requested_amount = 4_000_000
        db.session.commit()
    page = officer.post(f"/finances/conventions/nouvelle/{money['applications'][0]}", data={
        "amount": "4 000 000", "channel": "moov_money", "account": "+22366000000"}
    ).get_data(as_text=True)
    assert "virement bancaire" in page and "is-invalid" in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Grant)) == 0


def test_other_roles_cannot_reach_the_money_actions(app, money, make_user):
    make_user(Role.INTAKE_AGENT, regions=("01",), username="agent")
    agent = app.test_client()
    login(agent, "agent")
    assert agent.get("/finances/").status_code == 403
    assert agent.post(f"/finances/conventions/nouvelle/{money['applications'][0]}").status_code \
        == 403


def test_an_agreement_cannot_exceed_the_amount_granted(app, money):
    officer = app.test_client()
    login(officer, "officer")
    page = officer.post(f"/finances/conventions/nouvelle/{money['applications'][0]}", data={
        "amount": "2 000 001", "channel": "bank", "account": "ML-1"}).get_data(as_text=True)
    assert "ne peut pas dépasser le montant accordé" in page


def test_the_printable_agreement_states_the_amount_in_words(app, money):
    import io as _io

    from pypdf import PdfReader

    officer = app.test_client()
    login(officer, "officer")
    response = officer.post(f"/finances/conventions/nouvelle/{money['applications'][0]}", data={
        "amount": "1 500 000", "channel": "bank", "account": "ML-BDM-42"})
    pdf = officer.get(response.headers["Location"] + "/convention.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = " ".join("".join(p.extract_text() for p in PdfReader(_io.BytesIO(pdf.data)).pages)
                    .split()).replace("\u202f", " ").replace("\u00a0", " ")
    assert "CONVENTION DE SUBVENTION" in text
    assert "1 500 000 F CFA (un million cinq cent mille francs CFA)" in text
    assert "900 000 F CFA" in text and "600 000 F CFA" in text


def test_a_failure_after_a_saved_payment_never_says_nothing_was_saved(app, make_app, money,
                                                                      make_user, monkeypatch):
    """Payments saved, then the next page fails: the error page does not claim that nothing was
    saved (it says what to check, or that the action was saved when this request committed),
    and the payments show on the agreement's page and in the audit log."""
    from datetime import date

    import grants.blueprints.finance.batches as batch_views
    import grants.blueprints.finance.views as finance_views

    make_user(Role.AUDITOR, username="auditor")
    [(first, _first_order), (second, _second_order)] = ordered_wallet_tranches(app, money, count=2)
    failing = make_app(PROPAGATE_EXCEPTIONS=False)  # the same database, as production runs
    accountant, auditor = failing.test_client(), failing.test_client()
    login(accountant, "accountant")
    login(auditor, "auditor")
    with app.app_context():
        grant_id = db.session.get(Tranche, first).grant_id

    def broken(*_args, **_kwargs):
        raise RuntimeError("the next page fails")

    monkeypatch.setattr(finance_views, "_agreement_page", broken)
    response = accountant.post(f"/finances/conventions/{grant_id}/tranches/{first}/payer",
                               data={"key": "pay-1", "reference": "OM-SAVED-1",
                                     "paid_on": date.today().isoformat()}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "Rien n" not in page and "enregistrée" in page
    monkeypatch.undo()

    # a request that commits, then fails while drawing its own page: it says it was saved
    officer = failing.test_client()
    login(officer, "officer")
    batch_path = officer.post("/finances/lots/nouveau?operator=orange_money",
                              data={"tranches": [second]}).headers["Location"]
    accountant.post(batch_path + "/approuver")
    real_render = batch_views.render_template
    monkeypatch.setattr(batch_views, "render_template", lambda name, **kw: broken() if
                        name == "finance/batch_results.html" else real_render(name, **kw))
    with app.app_context():
        line_order = db.session.scalar(db.select(BatchLine.reference))
    response = accountant.post(batch_path + "/resultats", data={"file": (
        io.BytesIO(f"{line_order};OK;OM-SAVED-2\n".encode()), "r.csv")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Votre action a été enregistrée" in page and "Rien n" not in page
    monkeypatch.undo()

    agreement = accountant.get(f"/finances/conventions/{grant_id}").get_data(as_text=True)
    assert "OM-SAVED-1" in agreement and "Payée" in agreement
    assert "Orange Money — +223 76 00 00 00" in agreement  # the wallet number, grouped
    assert "OM-SAVED-2" in accountant.get(batch_path).get_data(as_text=True)
    journal = auditor.get("/admin/journal?action=tranche.paid").get_data(as_text=True)
    assert journal.count('data-action="tranche.paid"') == 2
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Payment)) == 2
        assert check_ledger() == []


def test_a_payment_without_reference_is_refused_at_its_field_in_french(app, money):
    officer, accountant = app.test_client(), app.test_client()
    login(officer, "officer")
    login(accountant, "accountant")
    response = officer.post(f"/finances/conventions/nouvelle/{money['applications'][0]}", data={
        "amount": "2 000 000", "channel": "bank", "account": "ML-0001"})
    grant_path = response.headers["Location"]
    page = officer.get(grant_path).get_data(as_text=True)
    officer.post(grant_path + "/signer", data={"key": _key(page), "signed_on": "2026-01-15"})
    with app.app_context():
        first = db.session.scalar(db.select(Grant)).tranches[0].id
    page = officer.get(grant_path).get_data(as_text=True)
    officer.post(f"{grant_path}/tranches/{first}/ordonnancer", data={"key": _key(page)})
    page = accountant.get(grant_path).get_data(as_text=True)
    assert re.search(r'<form method="post" novalidate action="[^"]*/payer"', page)  # no bubble
    response = accountant.post(f"{grant_path}/tranches/{first}/payer", data={
        "key": _key(page), "reference": " ", "paid_on": "2026-01-20"})
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "reference") == [
        "Saisissez la référence du paiement."]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Payment)) == 0

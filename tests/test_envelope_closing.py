"""Closing an envelope: by a programme manager after a confirmation, once; a closed envelope
refuses new signatures (its signed agreements are still paid) and says so on its pages."""

import uuid
from datetime import date

import pytest

from grants.extensions import db
from grants.models import Application, AuditEvent, BudgetEnvelope, Channel, Grant, GrantStatus, Role
from grants.services.errors import ConflictError, ForbiddenError
from grants.services.money import agreements, envelopes, payments
from grants.services.money.ledger_check import check_ledger
from tests.conftest import login
from tests.factories import prepared_agreement, signed_agreement, user


def key() -> str:
    return str(uuid.uuid4())


def _envelope(ids) -> BudgetEnvelope:
    return db.session.get(BudgetEnvelope, ids["envelope"])


def test_a_programme_manager_closes_an_envelope_once(app, money):
    with app.app_context():
        signed_agreement(money)
        with pytest.raises(ForbiddenError):
            envelopes.close_envelope(user(money, "officer"), _envelope(money))
        db.session.rollback()
        envelopes.close_envelope(user(money, "manager"), _envelope(money))
        db.session.commit()
        assert _envelope(money).closed_at is not None
        with pytest.raises(ConflictError, match="déjà clôturée"):
            envelopes.close_envelope(user(money, "manager"), _envelope(money))
        db.session.rollback()
        [event] = db.session.scalars(db.select(AuditEvent).where(
            AuditEvent.action == "envelope.closed")).all()
        assert event.actor_id == money["manager"]
        assert event.details == {"total": 10_000_000, "committed": 2_000_000, "disbursed": 0}


def test_a_closed_envelope_refuses_signatures_but_pays_what_was_signed(app, money):
    with app.app_context():
        signed = signed_agreement(money)
        draft = prepared_agreement(money, 1)
        envelopes.close_envelope(user(money, "manager"), _envelope(money))
        db.session.commit()
        with pytest.raises(envelopes.EnvelopeClosed, match="clôturée"):
            agreements.sign_agreement(user(money, "officer"), draft, date.today(), key())
        db.session.rollback()
        assert db.session.get(Grant, draft).status == GrantStatus.DRAFT
        assert _envelope(money).committed == 2_000_000
        first = db.session.get(Grant, signed).tranches[0].id
        payments.order_payment(user(money, "officer"), first, key())
        db.session.commit()
        payments.pay_tranche(user(money, "accountant"), first, key(), "VIR-1")
        db.session.commit()
        assert _envelope(money).disbursed == 1_200_000
        assert check_ledger() == []


def test_closing_from_the_pages(app, money):
    with app.app_context():
        draft = prepared_agreement(money)
    manager, officer = app.test_client(), app.test_client()
    login(manager, "manager")
    login(officer, "officer")
    path = f"/programme/enveloppes/{money['envelope']}/cloturer"
    page = manager.get(path).get_data(as_text=True)
    assert "Clôturer définitivement l'enveloppe" in page
    assert "1 convention préparée sur cette enveloppe ne pourra plus être signée." in page
    with app.app_context():
        assert _envelope(money).closed_at is None  # the confirmation page changes nothing
    assert officer.post(path).status_code == 403
    response = manager.post(path, follow_redirects=True)
    assert "aucune nouvelle convention ne peut y être signée" in response.get_data(as_text=True)
    listing = manager.get("/programme/enveloppes").get_data(as_text=True)
    assert "Clôturée" in listing
    assert "Clôturée" in manager.get(f"/finances/enveloppes/{money['envelope']}").get_data(
        as_text=True)
    assert "Clôturée" in manager.get("/finances/").get_data(as_text=True)
    again = manager.post(path, follow_redirects=True).get_data(as_text=True)
    assert "Cette enveloppe est déjà clôturée." in again
    edit = manager.get(f"/programme/enveloppes/{money['envelope']}", follow_redirects=True)
    assert "Une enveloppe clôturée ne peut plus être modifiée." in edit.get_data(as_text=True)
    signing = officer.post(f"/finances/conventions/{draft}/signer", data={
        "key": key(), "signed_on": date.today().isoformat()}, follow_redirects=True)
    assert "L'enveloppe est clôturée" in signing.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Grant, draft).status == GrantStatus.DRAFT


def test_no_new_agreement_or_call_on_a_closed_envelope(app, money):
    with app.app_context():
        envelopes.close_envelope(user(money, "manager"), _envelope(money))
        db.session.commit()

        with pytest.raises(ConflictError, match="clôturée"):
            agreements.prepare_agreement(user(money, "officer"), db.session.get(
                Application, money["applications"][0]), amount=1_000_000,
                channel=Channel.BANK, account="ML-1")
        db.session.rollback()
        with pytest.raises(ConflictError):
            envelope = _envelope(money)
            envelopes.save_envelope(user(money, "manager"), envelope, name=envelope.name,
                                fiscal_year=envelope.fiscal_year,
                                funding_source=envelope.funding_source,
                                budget_line=envelope.budget_line, total=20_000_000)
        db.session.rollback()
        assert _envelope(money).total == 10_000_000
    manager = app.test_client()
    login(manager, "manager")
    form = manager.get("/programme/appels/nouveau").get_data(as_text=True)
    assert "Enveloppe test" not in form  # a new call cannot take a closed envelope


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.ACCOUNTANT, Role.AUDITOR])
def test_only_programme_managers_see_the_closing_page(app, money, make_user, role):
    make_user(role, username="someone")
    client = app.test_client()
    login(client, "someone")
    assert client.get(f"/programme/enveloppes/{money['envelope']}/cloturer").status_code == 403
    assert "cloturer" not in client.get(f"/finances/enveloppes/{money['envelope']}").get_data(
        as_text=True)

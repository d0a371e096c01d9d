"""Money: agreements commit the envelope, two officers pay tranches, the ledger stays sound."""

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from grants.extensions import db
from grants.models import (
    Application,
    BudgetEnvelope,
    Channel,
    Grant,
    LedgerEntry,
    Payment,
    Role,
    Tranche,
    TrancheStatus,
    User,
)
from grants.services.errors import ConflictError, ForbiddenError, ValidationError
from grants.services.money import agreements, envelopes, payments
from grants.services.money.ledger_check import check_ledger
from grants.workflow import ApplicationStatus
from tests import factories
from tests.conftest import committed
from tests.factories import key, prepared_agreement, signed_agreement, user


def _paid_first_tranche(ids, reference):
    """A signed agreement whose first tranche was ordered by the officer and paid."""
    grant_id = signed_agreement(ids)
    first = db.session.get(Grant, grant_id).tranches[0].id
    payments.order_payment(user(ids, "officer"), first, key())
    db.session.commit()
    payment = payments.pay_tranche(user(ids, "accountant"), first, key(), reference)
    db.session.commit()
    return grant_id, first, payment


def test_signing_commits_the_envelope_and_splits_the_tranches(app, money):
    with app.app_context():
        grant_id = signed_agreement(money, amount=1_000_001)
        grant = db.session.get(Grant, grant_id)
        assert [t.amount for t in grant.tranches] == [600_000, 400_001]  # remainder on the last
        assert [t.status for t in grant.tranches] == [TrancheStatus.ELIGIBLE, TrancheStatus.PLANNED]
        assert db.session.get(BudgetEnvelope, money["envelope"]).committed == 1_000_001
        assert db.session.get(Application, grant.application_id).status == \
            ApplicationStatus.AGREEMENT_SIGNED
        assert grant.number.startswith("CV-")
        assert check_ledger() == []


@pytest.mark.parametrize("amount", ["12.5", "1e6", "NaN", 2**63, 12.5, -5, 0, True])
def test_malformed_amounts_are_refused(app, money, amount):
    with app.app_context():
        application = db.session.get(Application, money["applications"][0])
        with pytest.raises(ValidationError):
            agreements.prepare_agreement(user(money, "officer"), application, amount=amount,
                                         channel=Channel.BANK, account="X")


def test_signing_is_refused_when_the_envelope_cannot_cover(app, money):
    with app.app_context():
        envelopes.set_envelope_total(user(money, "manager"),
                                   db.session.get(BudgetEnvelope, money["envelope"]), 7_000_000)
        db.session.commit()
        for n in range(3):
            signed_agreement(money, n, amount=2_000_000)
        grant_id = prepared_agreement(money, 3, amount=2_000_000)
        with pytest.raises(envelopes.EnvelopeExhausted):
            agreements.sign_agreement(user(money, "officer"), grant_id, date.today(), key())
        db.session.rollback()
        assert db.session.get(BudgetEnvelope, money["envelope"]).committed == 6_000_000
        assert check_ledger() == []


def test_two_officers_order_and_pay_and_a_replay_changes_nothing(app, money):
    with app.app_context():
        grant_id = signed_agreement(money)
        first = db.session.get(Grant, grant_id).tranches[0].id
        payments.order_payment(user(money, "officer"), first, key())
        db.session.commit()
        with pytest.raises(ForbiddenError):  # maker = checker
            payments.pay_tranche(user(money, "officer"), first, key(), "OM-1")
        db.session.rollback()
        pay_key = key()
        payment = payments.pay_tranche(user(money, "accountant"), first, pay_key, "VIR-0001")
        db.session.commit()
        rows_before = db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry))
        again = payments.pay_tranche(user(money, "accountant"), first, pay_key, "VIR-0001")
        db.session.commit()
        assert again.id == payment.id
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)) == rows_before
        with pytest.raises(ConflictError):  # the same tranche with another key
            payments.pay_tranche(user(money, "accountant"), first, key(), "VIR-0002")
        db.session.rollback()
        grant = db.session.get(Grant, grant_id)
        assert grant.disbursed == 1_200_000
        assert db.session.get(BudgetEnvelope, money["envelope"]).disbursed == 1_200_000
        assert db.session.get(Application, grant.application_id).status == \
            ApplicationStatus.IN_DISBURSEMENT
        assert check_ledger() == []


def test_tranches_are_paid_in_order_and_only_when_their_condition_holds(app, money):
    with app.app_context():
        grant_id = signed_agreement(money)
        second = db.session.get(Grant, grant_id).tranches[1].id
        with pytest.raises(ConflictError):  # waits for a favourable visit
            payments.order_payment(user(money, "officer"), second, key())


def test_a_reversal_mirrors_the_payment_and_the_tranche_is_due_again(app, money):
    with app.app_context():
        grant_id, first, payment = _paid_first_tranche(money, "OM-77")
        with pytest.raises(ValidationError):
            payments.reverse_payment(user(money, "accountant"), payment.id, " ", key())
        db.session.rollback()
        payments.reverse_payment(user(money, "accountant"), payment.id, "Numéro erroné", key())
        db.session.commit()
        assert db.session.get(Tranche, first).status == TrancheStatus.ELIGIBLE
        assert db.session.get(Grant, grant_id).disbursed == 0
        with pytest.raises(ConflictError):
            payments.reverse_payment(user(money, "accountant"), payment.id, "Encore", key())
        db.session.rollback()
        assert check_ledger() == []


def test_cancelling_releases_the_unpaid_part(app, money):
    with app.app_context():
        grant_id, first, _payment = _paid_first_tranche(money, "VIR-9")
        agreements.cancel_grant(user(money, "manager"), grant_id, "Activité abandonnée", key())
        db.session.commit()
        envelope = db.session.get(BudgetEnvelope, money["envelope"])
        assert (envelope.committed, envelope.disbursed) == (1_200_000, 1_200_000)
        assert db.session.get(Grant, grant_id).tranches[1].status == TrancheStatus.CANCELLED
        assert check_ledger() == []


def test_a_wallet_cannot_receive_more_than_its_cap(app, money):
    with app.app_context():
        application = db.session.get(Application, money["applications"][0])
        application.requested_amount = 3_500_000  # test set-up: a larger grant
        with pytest.raises(ValidationError, match="virement bancaire"):
            agreements.prepare_agreement(user(money, "officer"), application, amount=3_500_000,
                                         channel=Channel.ORANGE_MONEY, account="+22376000000")


def test_ledger_and_payment_rows_cannot_be_changed(app, money):
    with app.app_context():
        grant_id, first, _payment = _paid_first_tranche(money, "VIR-3")
        for statement in ("UPDATE ledger_entry SET amount = 1", "DELETE FROM ledger_entry",
                          "UPDATE payment SET amount = 1", "DELETE FROM payment"):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                db.session.execute(sa.text(statement))
            db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.sum(Payment.amount))) == 1_200_000


def test_check_ledger_finds_a_tampered_envelope(app, money):
    with app.app_context():
        signed_agreement(money)
        db.session.execute(sa.text("UPDATE budget_envelope SET committed = committed + 5"))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["check-ledger"])
    assert result.exit_code == 1
    assert "P2 envelope" in result.output and "account committed" in result.output


def test_check_ledger_is_clean_on_a_sound_database(app, money):
    with app.app_context():
        signed_agreement(money)
    result = app.test_cli_runner().invoke(args=["check-ledger"])
    assert result.exit_code == 0, result.output


def test_sixteen_officers_signing_at_once_never_overspend(app, money, make_user):
    """16 threads sign 16 agreements of 1 000 000 on an envelope with 10 000 000: exactly ten
    succeed, on SQLite (BEGIN IMMEDIATE) as on PostgreSQL (guarded UPDATE)."""
    with committed(app):
        manager = user(money, "manager")
        call = db.session.get(Application, money["applications"][0]).call
        grant_ids = []
        for n in range(16):
            application = factories.eligible_dossier(manager, call, factories.person(
                manager, f"Racer{n}", "Test", id_number=f"R{n}"), requested=1_000_000)
            application.status = ApplicationStatus.SELECTED
            db.session.flush()
            grant_ids.append(agreements.prepare_agreement(
                user(money, "officer"), application, amount=1_000_000, channel=Channel.BANK,
                account="ML-BANK").id)
    results, barrier = [], threading.Barrier(16, timeout=30)

    def sign(grant_id):
        barrier.wait()  # before touching the database: the pool has fewer than 16 connections
        with app.app_context():
            officer = db.session.get(User, money["officer"])
            try:
                agreements.sign_agreement(officer, grant_id, date.today(), key())
                db.session.commit()
                results.append("signed")
            except envelopes.EnvelopeExhausted:
                db.session.rollback()
                results.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sign, args=(g,)) for g in grant_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["refused"] * 6 + ["signed"] * 10
    with app.app_context():
        envelope = db.session.get(BudgetEnvelope, money["envelope"])
        assert envelope.committed == 10_000_000
        assert check_ledger() == []


def test_each_money_step_needs_its_role(app, money):
    with app.app_context():
        application = db.session.get(Application, money["applications"][0])
        with pytest.raises(ForbiddenError):
            agreements.prepare_agreement(user(money, "accountant"), application, amount=1_000_000,
                                         channel=Channel.BANK, account="X")
        db.session.rollback()
        grant_id = prepared_agreement(money)
        with pytest.raises(ForbiddenError):
            agreements.sign_agreement(user(money, "accountant"), grant_id, date.today(), key())
        db.session.rollback()
        agreements.sign_agreement(user(money, "officer"), grant_id, date.today(), key())
        db.session.commit()
        first = db.session.get(Grant, grant_id).tranches[0].id
        with pytest.raises(ForbiddenError):
            payments.order_payment(user(money, "accountant"), first, key())


def _visit(tranche_id: int) -> int:
    return factories.validated_visit(db.session.get(Tranche, tranche_id))


def test_a_favourable_visit_makes_the_second_tranche_due_after_the_first_is_paid(app, money):
    with app.app_context():
        grant_id = signed_agreement(money)
        first, second = (t.id for t in db.session.get(Grant, grant_id).tranches)
        with pytest.raises(ConflictError):  # the first tranche is not paid yet
            payments.favourable_visit(user(money, "manager"), second, _visit(second))
        db.session.rollback()
        payments.order_payment(user(money, "officer"), first, key())
        db.session.commit()
        payments.pay_tranche(user(money, "accountant"), first, key(), "VIR-1")
        db.session.commit()
        payments.favourable_visit(user(money, "manager"), second, _visit(second))
        db.session.commit()
        assert db.session.get(Tranche, second).status == TrancheStatus.ELIGIBLE
        payments.order_payment(user(money, "officer"), second, key())
        db.session.commit()
        payments.pay_tranche(user(money, "accountant"), second, key(), "VIR-2")
        db.session.commit()
        assert db.session.get(Grant, grant_id).disbursed == 2_000_000
        assert check_ledger() == []


def test_eight_accountants_paying_the_same_tranche_at_once_pay_it_once(app, money, make_user):
    accountants = [make_user(Role.ACCOUNTANT, username=f"cashier{n}") for n in range(8)]
    with app.app_context():
        grant_id = signed_agreement(money)
        first = db.session.get(Grant, grant_id).tranches[0].id
        payments.order_payment(user(money, "officer"), first, key())
        db.session.commit()
    results, barrier = [], threading.Barrier(8, timeout=30)

    def pay(user_id):
        barrier.wait()
        with app.app_context():
            try:
                payments.pay_tranche(db.session.get(User, user_id), first, key(), "VIR-RACE")
                db.session.commit()
                results.append("paid")
            except ConflictError:
                db.session.rollback()
                results.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=pay, args=(u,)) for u in accountants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["paid"] + ["refused"] * 7
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1
        assert db.session.get(Grant, grant_id).disbursed == 1_200_000
        assert check_ledger() == []


def test_after_a_reversal_a_later_tranche_waits_for_the_earlier_one(app, money):
    with app.app_context():
        grant_id = signed_agreement(money)
        first, second = (t.id for t in db.session.get(Grant, grant_id).tranches)
        payments.order_payment(user(money, "officer"), first, key())
        db.session.commit()
        payment = payments.pay_tranche(user(money, "accountant"), first, key(), "VIR-1")
        db.session.commit()
        payments.favourable_visit(user(money, "manager"), second, _visit(second))
        db.session.commit()
        payments.reverse_payment(user(money, "accountant"), payment.id, "Erreur", key())
        db.session.commit()
        with pytest.raises(ConflictError):  # tranche 1 is due again: tranche 2 must wait (P6)
            payments.order_payment(user(money, "officer"), second, key())
        db.session.rollback()
        assert check_ledger() == []


def test_a_payment_date_outside_signature_and_today_is_refused(app, money):
    with app.app_context():
        grant_id = signed_agreement(money)
        first = db.session.get(Grant, grant_id).tranches[0].id
        payments.order_payment(user(money, "officer"), first, key())
        db.session.commit()
        for wrong in (date(2000, 1, 1), date(2999, 1, 1)):
            with pytest.raises(ValidationError):
                payments.pay_tranche(user(money, "accountant"), first, key(), "VIR", wrong)
            db.session.rollback()


def test_a_reversal_keeps_the_ordering_officer_as_maker_and_they_cannot_reverse(app, money,
                                                                             make_user):
    """The accountant who paid may reverse their own payment record; the officer who ordered
    the payment may not, even when they also hold the accountant's role."""
    both = make_user(Role.FINANCE_OFFICER, Role.ACCOUNTANT, username="both")
    with app.app_context():
        grant_id = signed_agreement(money)
        first = db.session.get(Grant, grant_id).tranches[0].id
        payments.order_payment(db.session.get(User, both), first, key())
        db.session.commit()
        payment = payments.pay_tranche(user(money, "accountant"), first, key(), "VIR-1")
        db.session.commit()
        with pytest.raises(ForbiddenError, match="ordonnancé"):
            payments.reverse_payment(db.session.get(User, both), payment.id, "Erreur", key())
        db.session.rollback()
        reversal = payments.reverse_payment(user(money, "accountant"), payment.id, "Erreur",
                                            key())
        db.session.commit()
        assert (reversal.maker_id, reversal.checker_id) == (both, money["accountant"])
        assert (payment.maker_id, payment.checker_id) == (both, money["accountant"])
        assert db.session.get(Grant, grant_id).disbursed == 0
        assert check_ledger() == []

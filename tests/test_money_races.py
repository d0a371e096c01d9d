"""Money races, many rounds under concurrent load, on SQLite and PostgreSQL: a reversal of a
tranche and the payment order of the next one never both succeed; sixteen accountants approving
one batch approve it once."""

import threading
import uuid
from datetime import date

import sqlalchemy as sa

from grants.extensions import db
from grants.models import (
    Application,
    AuditEvent,
    Channel,
    Grant,
    Payment,
    PaymentBatch,
    PaymentKind,
    Role,
    Tranche,
    TrancheStatus,
    User,
)
from grants.services.errors import ConflictError
from grants.services.money import agreements, batches, payments
from grants.services.money.ledger_check import check_ledger
from tests import factories
from tests.factories import signed_agreement

ROUNDS = 30


def key() -> str:
    return str(uuid.uuid4())


def _race(app, *actions) -> list:
    """Run each action in its own thread, app context and connection, all released at once;
    the outcome of each: True (done and committed), False (refused), or the unexpected error."""
    barrier = threading.Barrier(len(actions), timeout=60)
    outcomes = [None] * len(actions)

    def run(n, action):
        with app.app_context():
            try:
                barrier.wait()
                action()
                db.session.commit()
                outcomes[n] = True
            except ConflictError:
                db.session.rollback()
                outcomes[n] = False
            except Exception as error:  # noqa: BLE001 (reported by the test)
                db.session.rollback()
                outcomes[n] = repr(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n, a)) for n, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


def _last_payment(tranche_id: int) -> int:
    reversed_ = sa.select(Payment.reverses_payment_id).where(
        Payment.reverses_payment_id.is_not(None))
    return db.session.scalar(sa.select(Payment.id).where(
        Payment.tranche_id == tranche_id, Payment.kind == PaymentKind.PAYMENT,
        Payment.id.not_in(reversed_)).order_by(Payment.id.desc()))


def _pay(officer: int, accountant: int, tranche_id: int) -> None:
    payments.order_payment(_user(officer), tranche_id, key())
    db.session.commit()
    payments.pay_tranche(_user(accountant), tranche_id, key(), "VIR")
    db.session.commit()


def _next_step(ids, grant_id: int) -> None:
    """The load: one more step of another agreement's first tranche on the same envelope,
    round after round: ordered, paid, reversed (due again), ordered…"""
    tranche = db.session.get(Grant, grant_id).tranches[0]
    if tranche.status == TrancheStatus.ELIGIBLE:
        payments.order_payment(_user(ids["officer"]), tranche.id, key())
    elif tranche.status == TrancheStatus.ORDERED:
        payments.pay_tranche(_user(ids["accountant"]), tranche.id, key(), "VIR-LOAD")
    else:
        payments.reverse_payment(_user(ids["accountant"]), _last_payment(tranche.id), "Charge",
                                 key())


def test_a_reversal_and_the_order_of_the_next_tranche_never_both_succeed(app, money):
    """Each round races "reverse the payment of tranche 1" against "order tranche 2" of one
    agreement, while two other agreements on the same envelope take a payment step each at the
    same moment: exactly one of the two succeeds (a reversed tranche 1 never leaves tranche 2
    ordered), the load never fails, and the ledger stays sound."""
    with app.app_context():
        grant_id = signed_agreement(money)
        loads = [signed_agreement(money, n=1), signed_agreement(money, n=2)]
        first, second = (t.id for t in db.session.get(Grant, grant_id).tranches)
        _pay(money["officer"], money["accountant"], first)
        visit_id = factories.validated_visit(db.session.get(Tranche, second))
        payments.favourable_visit(_user(money["manager"]), second, visit_id)
        db.session.commit()
    rounds = []
    for _ in range(ROUNDS):
        with app.app_context():
            payment_id = _last_payment(first)
        reversed_, ordered, *load = _race(
            app,
            lambda payment_id=payment_id: payments.reverse_payment(
                _user(money["accountant"]), payment_id, "Erreur", key()),
            lambda: payments.order_payment(_user(money["officer"]), second, key()),
            *[lambda g=g: _next_step(money, g) for g in loads])
        rounds.append((reversed_, ordered))
        assert load == [True, True], load
        with app.app_context():
            if reversed_ is True and ordered is not True:  # tranche 1 paid again
                _pay(money["officer"], money["accountant"], first)
            elif ordered is True and reversed_ is not True:  # tranche 2 due again
                payments.pay_tranche(_user(money["accountant"]), second, key(), "VIR-2")
                db.session.commit()
                payments.reverse_payment(_user(money["accountant"]), _last_payment(second),
                                         "Retour", key())
                db.session.commit()
            else:
                break
    assert rounds == [r for r in rounds if r in ((True, False), (False, True))], rounds
    assert len(rounds) == ROUNDS
    with app.app_context():
        assert check_ledger() == []


def test_sixteen_accountants_approving_one_batch_approve_it_once(app, money, make_user):
    """Each round: sixteen accountants approve the same prepared batch at once. Exactly one
    succeeds, the others are refused; one audit row names the one who approved it."""
    accountants = [make_user(Role.ACCOUNTANT, username=f"approver{n}") for n in range(16)]
    with app.app_context():
        application = db.session.get(Application, money["applications"][0])
        grant = agreements.prepare_agreement(_user(money["officer"]), application,
                                             amount=2_000_000, channel=Channel.ORANGE_MONEY,
                                             account="+22376000000")
        db.session.commit()
        agreements.sign_agreement(_user(money["officer"]), grant.id, date.today(), key())
        db.session.commit()
        tranche_id = db.session.get(Grant, grant.id).tranches[0].id
        payments.order_payment(_user(money["officer"]), tranche_id, key())
        db.session.commit()
    for _ in range(ROUNDS):
        with app.app_context():
            batch_id = batches.create_batch(_user(money["officer"]), Channel.ORANGE_MONEY,
                                            [tranche_id]).id
            db.session.commit()
        outcomes = _race(app, *[lambda u=u, b=batch_id: batches.approve(_user(u), b)
                                for u in accountants])
        assert sorted(outcomes, key=str) == [False] * 15 + [True], outcomes
        with app.app_context():
            batch = db.session.get(PaymentBatch, batch_id)
            events = db.session.scalars(sa.select(AuditEvent).where(
                AuditEvent.action == "batch.approved",
                AuditEvent.object_id == str(batch_id))).all()
            assert [e.actor_id for e in events] == [batch.approved_by_id]
            assert batch.approved_by_id == accountants[outcomes.index(True)]
            # the tranche leaves the batch for the next round (the batch is then completed)
            batches.remove_line(_user(money["officer"]), batch_id, batch.lines[0].id, "Tour")
            db.session.commit()
            assert db.session.get(PaymentBatch, batch_id).status.value == "completed"
    with app.app_context():
        assert db.session.get(Tranche, tranche_id).status == TrancheStatus.ORDERED
        assert check_ledger() == []

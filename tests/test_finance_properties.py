"""Random sequences of money operations keep every invariant (P1–P8): hypothesis draws the
operations, the actors and the replays; check-ledger must stay clean after each sequence, and
rows written before an operation never change."""

import uuid
from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from grants.extensions import db
from grants.models import Application, Channel, Grant, LedgerEntry, Payment, Tranche, User
from grants.services.errors import DomainError
from grants.services.money import agreements, payments
from grants.services.money.ledger_check import check_ledger
from grants.workflow import ApplicationStatus
from tests import factories
from tests.conftest import committed

OPERATIONS = ["prepare", "sign", "order", "pay", "reverse", "cancel", "replay", "visit"]


@pytest.fixture
def pool(app, money):
    """Twelve more selected dossiers to draw agreements from."""
    with committed(app):
        manager = db.session.get(User, money["manager"])
        call = db.session.get(Application, money["applications"][0]).call
        for n in range(12):
            application = factories.eligible_dossier(manager, call, factories.person(
                manager, f"Pool{n}", "Test", id_number=f"P{n}"), requested=1_500_000)
            application.status = ApplicationStatus.SELECTED
            money["applications"].append(application.id)
    return money


def _snapshot():
    return [tuple(row) for row in db.session.execute(sa.select(
        LedgerEntry.id, LedgerEntry.account, LedgerEntry.side, LedgerEntry.amount,
        LedgerEntry.operation).order_by(LedgerEntry.id))] + [tuple(row) for row in
        db.session.execute(sa.select(Payment.id, Payment.amount, Payment.kind, Payment.tranche_id)
                           .order_by(Payment.id))]


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 40),
                                st.sampled_from(["officer", "accountant", "manager"]),
                                st.sampled_from([1, 999_999, 1_000_000, 1_500_000, 2_500_001,
                                                 "12.5", "1e6", 7_000_000])),
                      min_size=5, max_size=25))
def test_random_operations_keep_the_books_sound(app, pool, steps):
    used_keys: list[tuple[str, str, int]] = []
    with app.app_context():
        for operation, pick, who, amount in steps:
            actor = db.session.get(User, pool[who])
            before = _snapshot()
            try:
                _apply(operation, pick, actor, amount, pool, used_keys)
                db.session.commit()
                event(f"{operation} done")  # shown with --hypothesis-show-statistics
            except DomainError:
                db.session.rollback()
            after = _snapshot()
            # P7: what existed before the operation is unchanged after it
            assert set(before) <= set(after)
        assert check_ledger() == []


def _apply(operation, pick, actor, amount, pool, used_keys):
    grants = db.session.scalars(sa.select(Grant).order_by(Grant.id)).all()
    tranches = db.session.scalars(sa.select(Tranche).order_by(Tranche.id)).all()
    made = db.session.scalars(sa.select(Payment).order_by(Payment.id)).all()
    key = str(uuid.uuid4())
    if operation == "prepare":
        free = [a for a in db.session.scalars(sa.select(Application).where(
            Application.id.in_(pool["applications"]),
            Application.status == ApplicationStatus.SELECTED)) if not db.session.scalar(
            sa.select(Grant.id).where(Grant.application_id == a.id))]
        if free:
            agreements.prepare_agreement(actor, free[pick % len(free)], amount=amount,
                                         channel=Channel.BANK, account="BANK-1")
    elif operation == "sign" and grants:
        agreements.sign_agreement(actor, grants[pick % len(grants)].id, date.today(), key)
        used_keys.append(("sign", key, grants[pick % len(grants)].id))
    elif operation == "order" and tranches:
        payments.order_payment(actor, tranches[pick % len(tranches)].id, key)
        used_keys.append(("order", key, tranches[pick % len(tranches)].id))
    elif operation == "pay" and tranches:
        payments.pay_tranche(actor, tranches[pick % len(tranches)].id, key, "REF")
        used_keys.append(("pay", key, tranches[pick % len(tranches)].id))
    elif operation == "reverse" and made:
        payments.reverse_payment(actor, made[pick % len(made)].id, "erreur", key)
    elif operation == "cancel" and grants:
        agreements.cancel_grant(actor, grants[pick % len(grants)].id, "abandon", key)
    elif operation == "visit" and tranches:
        tranche = tranches[pick % len(tranches)]
        payments.favourable_visit(actor, tranche.id, factories.validated_visit(tranche))
    elif operation == "replay" and used_keys:
        action, old_key, object_id = used_keys[pick % len(used_keys)]
        replay = {"sign": lambda: agreements.sign_agreement(actor, object_id, date.today(), old_key),
                  "order": lambda: payments.order_payment(actor, object_id, old_key),
                  "pay": lambda: payments.pay_tranche(actor, object_id, old_key, "REF")}[action]
        rows = len(_snapshot())
        replay()
        assert len(_snapshot()) == rows  # a replay writes nothing

"""Demo money: the 40 agreements of the 2024 call signed (100 000 000 F CFA committed), most first
tranches ordered and paid, a couple of reversals; second tranches wait for the follow-up visits."""

import random
import uuid
from datetime import date, timedelta

from grants.demo.intake import CALL_2024
from grants.extensions import db
from grants.models import Application, Call, Channel, Grant, SessionDossier, User
from grants.services.money import agreements, batches, payments
from grants.workflow import ApplicationStatus


def _key() -> str:
    return str(uuid.uuid4())


def seed() -> list[str]:
    call = db.session.scalar(db.select(Call).where(Call.title == CALL_2024))
    if call is None or db.session.scalar(db.select(Grant.id).limit(1)):
        return ["Money demo data: already loaded."]
    users = {u.username: u for u in db.session.scalars(db.select(User))}
    officer, accountant = users["ordonnateur"], users["comptable"]
    selected = list(db.session.scalars(
        db.select(SessionDossier).join(Application)
        .where(Application.call_id == call.id, Application.status == ApplicationStatus.SELECTED)
        .order_by(SessionDossier.rank)))
    rng = random.Random(5)
    channels = [Channel.ORANGE_MONEY, Channel.MOOV_MONEY, Channel.BANK, Channel.SUPPLIER]
    grant_ids = []
    for n, dossier in enumerate(selected):
        application = dossier.application
        channel = channels[n % len(channels)]
        account = application.lead.phone if channel.is_wallet else (
            f"BDM-ML{rng.randint(10**9, 10**10 - 1)}" if channel == Channel.BANK
            else "Quincaillerie Sahel, Bamako")
        grant = agreements.prepare_agreement(officer, application, amount=dossier.amount,
                                             channel=channel, account=account)
        grant_ids.append(grant.id)
        db.session.commit()
    for n, grant_id in enumerate(grant_ids):
        agreements.sign_agreement(officer, grant_id, date(2024, 7, 1) + timedelta(days=n % 20),
                                  _key())
        db.session.commit()
    paid, reversed_, by_batch = 0, 0, []
    for n, grant_id in enumerate(grant_ids[:34]):
        first = db.session.get(Grant, grant_id).tranches[0]
        payments.order_payment(officer, first.id, _key())
        db.session.commit()
        if n >= 31:
            continue  # ordered, waiting for the accountant
        if n in (8, 12, 16, 20):  # Orange Money wallets: paid through a batch below
            by_batch.append(first.id)
            continue
        payment = payments.pay_tranche(accountant, first.id, _key(), f"TX{rng.randint(10**7, 10**8)}",
                                       paid_on=date(2024, 7, 15) + timedelta(days=n % 10))
        db.session.commit()
        paid += 1
        if n in (4, 17):  # a wrong number: reversed, then paid again to the right one
            payments.reverse_payment(accountant, payment.id, "Numéro de portefeuille erroné",
                                     _key())
            db.session.commit()
            payments.order_payment(officer, first.id, _key())
            db.session.commit()
            payments.pay_tranche(accountant, first.id, _key(), f"TX{rng.randint(10**7, 10**8)}")
            db.session.commit()
            reversed_ += 1
    paid += _pay_by_batch(officer, accountant, by_batch)
    return [f"Money demo data: {len(grant_ids)} agreements signed, {paid} first tranches paid "
            f"({len(by_batch)} through an Orange Money batch, {reversed_} after a reversal), "
            f"3 ordered and waiting for payment."]


def _pay_by_batch(officer: User, accountant: User, tranche_ids: list[int]) -> int:
    """A mobile-money batch: prepared, approved, and the operator's results imported."""
    batch = batches.create_batch(officer, Channel.ORANGE_MONEY, tranche_ids)
    db.session.commit()
    batch_id, references = batch.id, [line.reference for line in batch.lines]
    batches.approve(accountant, batch_id)
    db.session.commit()
    for number, reference in enumerate(references, start=1):
        batches.apply_result(accountant, batch_id, batches.ResultRow(
            number, reference, True, f"OM-BULK-{number:04d}"))
        db.session.commit()
    return len(references)

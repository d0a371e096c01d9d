"""National money: the agreements of the selected dossiers (split into tranches by
services/agreements.split()), signed on their envelope, first tranches ordered and paid (a few
reversed and paid again), each movement with the ledger legs the finance services post. The
follow-up pays second tranches through the same Books, then everything is written at once."""

import uuid
from datetime import date, timedelta

from grants.demo.national.bulk import at
from grants.models import (
    Account,
    Application,
    BatchLine,
    BatchStatus,
    BudgetEnvelope,
    Channel,
    Grant,
    GrantStatus,
    LedgerEntry,
    LineResult,
    MoneyAction,
    Payment,
    PaymentBatch,
    PaymentKind,
    Tranche,
    TrancheCondition,
    TrancheStatus,
)
from grants.services.money.agreements import check_channel, split
from grants.workflow import ApplicationAction, ApplicationStatus

CHANNELS = [Channel.ORANGE_MONEY, Channel.MOOV_MONEY, Channel.BANK, Channel.SUPPLIER]
CONDITIONS = [TrancheCondition.SIGNATURE, TrancheCondition.FAVOURABLE_VISIT]


def _key() -> str:
    return str(uuid.uuid4())


class Books:
    """Grants, tranches, payments and ledger legs kept in memory, moved by the rules of
    services/agreements.py and services/payments.py, and written by `write()`."""

    def __init__(self, ctx):
        self.ctx, self.loader = ctx, ctx.loader
        self.officer, self.accountant = ctx.users["ordonnateur"], ctx.users["comptable"]
        self.grants, self.tranches, self.payments = [], [], []
        self.ledger, self.actions = [], []
        self.envelopes: dict[int, dict] = {}
        self.batch: dict | None = None

    def _post(self, kind: str, envelope_id: int, actor: int, legs, when, grant_id,
              payment_id=None) -> None:
        assert sum(a for _acc, side, a in legs if side == "D") == \
            sum(a for _acc, side, a in legs if side == "C")
        operation = _key()
        for account, side, amount in legs:
            self.ledger.append(dict(
                id=self.loader.new_id(LedgerEntry.__table__), operation=operation, kind=kind,
                envelope_id=envelope_id, grant_id=grant_id, payment_id=payment_id,
                account=account, side=side, amount=amount, actor_id=actor, created_at=when))

    def sign(self, call, dossier, amount: int, channel: Channel, signed_on: date) -> dict:
        parts = split(amount, call.tranche_plan)
        check_channel(channel, parts)
        grant_id = self.loader.new_id(Grant.__table__)
        prepared = at(signed_on - timedelta(days=5))
        account = dossier.phone if channel.is_wallet else (
            f"BDM-ML{1_000_000_000 + grant_id:010d}" if channel == Channel.BANK
            else "Quincaillerie Sahel, Bamako")
        grant = dict(id=grant_id, number=self.loader.reference("CV", call.opens_on.year),
                     application_id=dossier.id, envelope_id=call.envelope_id, amount=amount,
                     disbursed=0, status=GrantStatus.SIGNED, channel=channel, account=account,
                     signed_on=signed_on, signed_by_id=self.officer, created_by_id=self.officer,
                     created_at=prepared, cancelled_at=None, cancel_reason=None,
                     tranches=[], dossier=dossier)
        for seq, part in enumerate(parts, start=1):
            grant["tranches"].append(dict(
                id=self.loader.new_id(Tranche.__table__), grant_id=grant_id, seq=seq,
                amount=part, condition=CONDITIONS[seq - 1] if seq <= 2
                else TrancheCondition.PREVIOUS_PAID,
                status=TrancheStatus.ELIGIBLE if seq == 1 else TrancheStatus.PLANNED,
                order_number=None, ordered_by_id=None, ordered_at=None, channel=None))
        self.grants.append(grant)
        self.tranches += grant["tranches"]
        envelope = self.envelopes.setdefault(call.envelope_id, {"committed": 0, "disbursed": 0})
        envelope["committed"] += amount
        signed = at(signed_on, 10)
        self._post("commitment", call.envelope_id, self.officer,
                   [(Account.COMMITTED, "D", amount), (Account.AVAILABLE, "C", amount)],
                   signed, grant_id)
        self.actions.append(dict(key=_key(), action="sign", object_id=grant_id,
                                 actor_id=self.officer, created_at=signed))
        self.loader.audit("grant.prepared", self.officer, "grant_agreement", grant_id, prepared,
                          {"amount": amount})
        self.loader.audit("grant.signed", self.officer, "grant_agreement", grant_id, signed,
                          {"amount": amount})
        self.ctx.event(dossier.id, ApplicationAction.SIGN_AGREEMENT, ApplicationStatus.SELECTED,
                       ApplicationStatus.AGREEMENT_SIGNED, self.officer, signed, grant["number"])
        dossier.state = ApplicationStatus.AGREEMENT_SIGNED
        return grant

    def order(self, grant: dict, tranche: dict, day: date) -> None:
        assert tranche["status"] == TrancheStatus.ELIGIBLE
        when = at(day, 10)
        number = self.loader.reference("OP", day.year)
        tranche.update(status=TrancheStatus.ORDERED, order_number=number,
                       ordered_by_id=self.officer, ordered_at=when, channel=grant["channel"])
        self.actions.append(dict(key=_key(), action="order", object_id=tranche["id"],
                                 actor_id=self.officer, created_at=when))
        self.loader.audit("tranche.ordered", self.officer, "tranche", tranche["id"], when,
                          {"amount": tranche["amount"], "order": number})

    def pay(self, grant: dict, tranche: dict, day: date) -> dict:
        assert tranche["status"] == TrancheStatus.ORDERED
        assert all(t["status"] == TrancheStatus.PAID for t in grant["tranches"]
                   if t["seq"] < tranche["seq"])
        when, amount = at(day, 14), tranche["amount"]
        payment = self._payment(tranche, PaymentKind.PAYMENT, amount, day,
                                f"TX{tranche['seq']}-{tranche['id']:06d}")
        self._move(grant, tranche, amount, TrancheStatus.PAID)
        self._post("payment", grant["envelope_id"], self.accountant,
                   [(Account.SPENT, "D", amount), (Account.COMMITTED, "C", amount),
                    (Account.ADVANCES, "D", amount), (Account.TREASURY, "C", amount)],
                   when, grant["id"], payment["id"])
        following = next((t for t in grant["tranches"] if t["seq"] == tranche["seq"] + 1), None)
        if following and following["condition"] == TrancheCondition.PREVIOUS_PAID:
            following["status"] = TrancheStatus.ELIGIBLE
        dossier = grant["dossier"]
        if dossier.state == ApplicationStatus.AGREEMENT_SIGNED:
            self.ctx.event(dossier.id, ApplicationAction.START_DISBURSEMENT,
                           ApplicationStatus.AGREEMENT_SIGNED, ApplicationStatus.IN_DISBURSEMENT,
                           self.accountant, when, grant["number"])
            dossier.state = ApplicationStatus.IN_DISBURSEMENT
        self.loader.audit("tranche.paid", self.accountant, "tranche", tranche["id"], when,
                          {"amount": amount, "payment": payment["id"]})
        return payment

    def pay_by_batch(self, grants: list[dict], day: date) -> None:
        """Orange Money first tranches ordered, sent in one bulk file (services/batches.py),
        approved by the accountant, and paid by the operator's result file."""
        when = at(day, 11)
        batch_id = self.loader.new_id(PaymentBatch.__table__)
        self.batch = dict(id=batch_id, reference=self.loader.reference("LP", day.year),
                          operator=Channel.ORANGE_MONEY, status=BatchStatus.COMPLETED,
                          created_by_id=self.officer, approved_by_id=self.accountant,
                          created_at=when, approved_at=when, lines=[])
        self.loader.audit("batch.created", self.officer, "payment_batch", batch_id, when,
                          {"lines": len(grants), "operator": Channel.ORANGE_MONEY.value})
        self.loader.audit("batch.approved", self.accountant, "payment_batch", batch_id, when)
        for number, grant in enumerate(grants, start=1):
            tranche = grant["tranches"][0]
            self.order(grant, tranche, day - timedelta(days=2))
            payment = self.pay(grant, tranche, day)
            payment["reference"] = f"OM-BULK-{number:04d}"
            line_id = self.loader.new_id(BatchLine.__table__)
            payment["idempotency_key"] = f"batch-line-{line_id}"
            self.batch["lines"].append(dict(
                id=line_id, batch_id=batch_id, tranche_id=tranche["id"],
                msisdn=grant["account"], name=grant["dossier"].name, amount=tranche["amount"],
                reference=tranche["order_number"], result=LineResult.PAID,
                operator_reference=payment["reference"], payment_id=payment["id"]))
            self.loader.audit("batch.line", self.accountant, "payment_batch", batch_id, when,
                              {"line": line_id, "paid": True})
            grant["first_paid_on"] = day

    def reverse(self, grant: dict, tranche: dict, original: dict, day: date) -> None:
        """A wrong wallet number: mirror legs, and the tranche is due again."""
        amount = original["amount"]
        reversal = self._payment(tranche, PaymentKind.REVERSAL, amount, day,
                                 "Numéro de portefeuille erroné", reverses=original["id"])
        self._move(grant, tranche, -amount, TrancheStatus.ELIGIBLE)
        self._post("reversal", grant["envelope_id"], self.accountant,
                   [(Account.COMMITTED, "D", amount), (Account.SPENT, "C", amount),
                    (Account.TREASURY, "D", amount), (Account.ADVANCES, "C", amount)],
                   at(day, 15), grant["id"], reversal["id"])
        self.loader.audit("payment.reversed", self.accountant, "tranche", tranche["id"],
                          at(day, 15), {"payment": original["id"]})

    def _payment(self, tranche: dict, kind: PaymentKind, amount: int, day: date, reference: str,
                 reverses: int | None = None) -> dict:
        payment = dict(id=self.loader.new_id(Payment.__table__), tranche_id=tranche["id"],
                       kind=kind, amount=amount, idempotency_key=_key(),
                       maker_id=tranche["ordered_by_id"], checker_id=self.accountant,
                       reverses_payment_id=reverses, channel=tranche["channel"],
                       reference=reference, paid_on=day, created_at=at(day, 14))
        self.payments.append(payment)
        return payment

    def _move(self, grant: dict, tranche: dict, amount: int, target: TrancheStatus) -> None:
        tranche["status"] = target
        grant["disbursed"] += amount
        self.envelopes[grant["envelope_id"]]["disbursed"] += amount
        assert 0 <= grant["disbursed"] <= grant["amount"]

    def write(self) -> None:
        loader = self.loader
        loader.insert(Grant.__table__, [{k: v for k, v in g.items()
                                         if k not in ("tranches", "dossier", "first_paid_on")}
                                        for g in self.grants])
        loader.insert(Tranche.__table__, self.tranches)
        self.payments.sort(key=lambda p: p["reverses_payment_id"] is not None)
        loader.insert(Payment.__table__, self.payments)
        loader.insert(LedgerEntry.__table__, self.ledger)
        loader.insert(MoneyAction.__table__, self.actions)
        if self.batch:
            loader.insert(PaymentBatch.__table__, [{k: v for k, v in self.batch.items()
                                                    if k != "lines"}])
            loader.insert(BatchLine.__table__, self.batch["lines"])
        loader.update(BudgetEnvelope.__table__, [dict(id=envelope_id, **sums)
                                                 for envelope_id, sums in self.envelopes.items()])
        loader.update(Application.__table__, [dict(id=g["dossier"].id, status=g["dossier"].state)
                                              for g in self.grants])


def seed(ctx) -> None:
    """Agreements in the committees' order; the first tranche of most is paid some weeks after
    the signature; for the latest deliberated call a part is paid only this year, and a few
    wait for their payment order or for the accountant."""
    books = ctx.books = Books(ctx)
    rng = ctx.rng
    latest = max(index for index, *_rest in ctx.selected) if ctx.selected else 0
    by_batch = []
    for n, (index, dossier, amount, _rank) in enumerate(ctx.selected):
        call = ctx.calls[index]
        signed_on = date(call.opens_on.year, 7, 1) + timedelta(days=rng.randint(0, 30))
        grant = books.sign(call, dossier, amount, CHANNELS[n % len(CHANNELS)], signed_on)
        first = grant["tranches"][0]
        draw = rng.random()
        if dossier.id == ctx.showcase:
            paid_on = ctx.today - timedelta(days=100)
        elif index == latest and grant["channel"] == Channel.ORANGE_MONEY and draw < 0.15:
            by_batch.append(grant)  # paid through a mobile-money batch, below
            continue
        elif index == latest and draw < 0.05:
            if draw < 0.03:
                books.order(grant, first, ctx.today - timedelta(days=rng.randint(1, 20)))
            continue  # waiting for the accountant, or for its payment order
        elif index == latest and draw < 0.35:
            paid_on = ctx.today - timedelta(days=rng.randint(5, 330))
        else:
            paid_on = signed_on + timedelta(days=rng.randint(5, 40))
        books.order(grant, first, paid_on - timedelta(days=3))
        payment = books.pay(grant, first, paid_on)
        grant["first_paid_on"] = paid_on
        if rng.random() < 0.02 and paid_on + timedelta(days=8) <= ctx.today:
            books.reverse(grant, first, payment, paid_on + timedelta(days=3))
            books.order(grant, first, paid_on + timedelta(days=5))
            books.pay(grant, first, paid_on + timedelta(days=8))
    if by_batch:
        books.pay_by_batch(by_batch, ctx.today - timedelta(days=30))

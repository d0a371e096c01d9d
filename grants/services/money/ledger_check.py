"""check-ledger: every money invariant (ARCHITECTURE.md, "Money": P1–P8) checked over the whole database.
Each query returns the rows that break a rule; an empty list means the books are sound."""

import sqlalchemy as sa

from grants.extensions import db
from grants.models import (
    Account,
    BudgetEnvelope,
    Grant,
    GrantStatus,
    LedgerEntry,
    Payment,
    PaymentKind,
    Tranche,
    TrancheStatus,
)


def _signed(side_column, amount_column):
    return sa.case((side_column == "D", amount_column), else_=-amount_column)


def check_ledger() -> list[str]:
    problems: list[str] = []
    session = db.session
    e, g, t, p, entry = BudgetEnvelope, Grant, Tranche, Payment, LedgerEntry

    # P1: 0 <= disbursed <= committed <= total
    for row in session.execute(sa.select(e.id, e.disbursed, e.committed, e.total).where(
            sa.not_(sa.and_(e.disbursed >= 0, e.disbursed <= e.committed,
                            e.committed <= e.total)))):
        problems.append(f"P1 envelope {row.id}: disbursed {row.disbursed}, committed "
                        f"{row.committed}, total {row.total}")

    # P2: committed = Σ signed grants + Σ disbursed of cancelled grants
    held = (sa.select(g.envelope_id, sa.func.sum(sa.case(
        (g.status == GrantStatus.SIGNED, g.amount),
        (g.status == GrantStatus.CANCELLED, g.disbursed), else_=0)).label("held"))
        .group_by(g.envelope_id).subquery())
    for row in session.execute(
            sa.select(e.id, e.committed, sa.func.coalesce(held.c.held, 0))
            .outerjoin(held, held.c.envelope_id == e.id)
            .where(e.committed != sa.func.coalesce(held.c.held, 0))):
        problems.append(f"P2 envelope {row[0]}: committed {row[1]} but agreements hold {row[2]}")

    # P3: Σ tranches = grant amount, every tranche > 0
    tranche_sum = (sa.select(t.grant_id, sa.func.sum(t.amount).label("total"),
                             sa.func.min(t.amount).label("smallest"))
                   .group_by(t.grant_id).subquery())
    for row in session.execute(
            sa.select(g.id, g.amount, tranche_sum.c.total, tranche_sum.c.smallest)
            .outerjoin(tranche_sum, tranche_sum.c.grant_id == g.id)
            .where(sa.or_(tranche_sum.c.total.is_(None), tranche_sum.c.total != g.amount,
                          tranche_sum.c.smallest <= 0))):
        problems.append(f"P3 agreement {row[0]}: amount {row[1]}, tranches add up to {row[2]}")

    # P4: 0 <= grant.disbursed <= amount, and it equals payments minus reversals
    net = (sa.select(t.grant_id, sa.func.sum(sa.case(
        (p.kind == PaymentKind.PAYMENT, p.amount), else_=-p.amount)).label("net"))
        .join(t, t.id == p.tranche_id).group_by(t.grant_id).subquery())
    for row in session.execute(
            sa.select(g.id, g.disbursed, g.amount, sa.func.coalesce(net.c.net, 0))
            .outerjoin(net, net.c.grant_id == g.id)
            .where(sa.or_(g.disbursed != sa.func.coalesce(net.c.net, 0), g.disbursed < 0,
                          g.disbursed > g.amount))):
        problems.append(f"P4 agreement {row[0]}: disbursed {row[1]} of {row[2]}, payments net "
                        f"{row[3]}")

    # P5: every operation balances, and so does the whole ledger
    for row in session.execute(
            sa.select(entry.operation, sa.func.sum(_signed(entry.side, entry.amount)))
            .group_by(entry.operation)
            .having(sa.func.sum(_signed(entry.side, entry.amount)) != 0)):
        problems.append(f"P5 operation {row[0]} does not balance ({row[1]})")

    # The ledger's balances match the envelopes' columns.
    balances = {(row[0], row[1]): row[2] for row in session.execute(
        sa.select(entry.envelope_id, entry.account, sa.func.sum(_signed(entry.side, entry.amount)))
        .group_by(entry.envelope_id, entry.account))}
    for env in session.scalars(sa.select(e).order_by(e.id)):
        expected = {Account.APPROPRIATION: -env.total, Account.AVAILABLE: env.total - env.committed,
                    Account.COMMITTED: env.committed - env.disbursed, Account.SPENT: env.disbursed,
                    Account.ADVANCES: env.disbursed, Account.TREASURY: -env.disbursed}
        for account, value in expected.items():
            found = balances.get((env.id, account), 0)
            if found != value:
                problems.append(f"ledger envelope {env.id} account {account.value}: {found}, "
                                f"expected {value}")

    # P6: a tranche is paid only after the tranches before it
    earlier = sa.orm.aliased(t)
    for grant_id, seq in session.execute(
            sa.select(t.grant_id, t.seq).join(earlier, sa.and_(
                earlier.grant_id == t.grant_id, earlier.seq < t.seq))
            .where(t.status == TrancheStatus.PAID, earlier.status != TrancheStatus.PAID)
            .distinct()):
        problems.append(f"P6 agreement {grant_id}: tranche {seq} paid before an earlier one")

    # A paid tranche has exactly one payment not reversed; another tranche has none.
    live = (sa.select(p.tranche_id, sa.func.sum(sa.case(
        (p.kind == PaymentKind.PAYMENT, 1), else_=-1)).label("live"))
        .group_by(p.tranche_id).subquery())
    for tranche_id, status, live_payments in session.execute(
            sa.select(t.id, t.status, sa.func.coalesce(live.c.live, 0))
            .outerjoin(live, live.c.tranche_id == t.id)
            .where(sa.func.coalesce(live.c.live, 0) != sa.case(
                (t.status == TrancheStatus.PAID, 1), else_=0))):
        problems.append(f"tranche {tranche_id} ({status.value}) has {live_payments} live payments")

    # P8: amounts are integers (SQLite would store anything in any column)
    if db.engine.dialect.name == "sqlite":
        for table, column in (("budget_envelope", "total"), ("budget_envelope", "committed"),
                              ("budget_envelope", "disbursed"), ("grant_agreement", "amount"),
                              ("grant_agreement", "disbursed"), ("tranche", "amount"),
                              ("payment", "amount"), ("ledger_entry", "amount")):
            count = session.scalar(sa.text(
                f"SELECT count(*) FROM {table} WHERE typeof({column}) != 'integer'"))  # noqa: S608
            if count:
                problems.append(f"P8 {table}.{column}: {count} values are not integers")
    return problems

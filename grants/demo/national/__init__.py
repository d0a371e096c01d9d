"""A national-size data set for `flask seed-national [--scale N]`: at scale 1 about 20 000
returnees, 18 000 dossiers over five calls, four committee sessions of 3 000 dossiers (three
deliberated, one still scoring), 49 000 score sheets, 2 000 agreements, 3 400 payments,
8 000 visits and 200 000 audit rows, with the demo's accounts so every page can be opened.

Rows are inserted in bulk (grants/demo/national/bulk.py) but follow the domain's own rules: the
references, the dossier workflow, the committee's ranking and selection (services/selection.py
on the inserted scores), the tranche split, the ledger's legs and the visit plan. The result
passes check-ledger."""

import random
import time
from datetime import date

import sqlalchemy as sa

from grants.demo import accounts as demo_accounts
from grants.demo.national import committee, follow_up, intake, money, setup
from grants.demo.national.bulk import Loader
from grants.extensions import db
from grants.models import ApplicationEvent, Call, Region, User


class National:
    """What the steps share: the loader, the random source, ids of people and objects."""

    def __init__(self, scale: float, today: date):
        self.scale, self.today = scale, today
        self.start = date(today.year - 4, 1, 2)
        self.rng = random.Random(20_000)
        self.loader = Loader()
        self.password = demo_accounts.DEMO_PASSWORD
        self.users = {u.username: u.id for u in db.session.scalars(db.select(User))}
        self.region_objects = {r.code: r for r in db.session.scalars(db.select(Region))}
        self.regions = {code: r.id for code, r in self.region_objects.items()}
        self.field_officers: dict[int, list[int]] = {}
        self.agents: dict[int, list[int]] = {}
        self.calls: list[Call] = []
        self.dossiers: list[intake.Dossier] = []
        self.events: list[dict] = []
        self.showcase_done, self.showcase = False, None
        self.selected: list = []  # (call index, dossier, amount, rank) in the committees' order
        # What each of the three deliberated committees can fund: about 2 000 agreements in all.
        self.envelope_total = max(10_000_000,
                                  self.scaled(2000) * 2_300_000 // 3 // 1_000_000 * 1_000_000)

    def scaled(self, count: int) -> int:
        return max(1, round(count * self.scale))

    def event(self, application_id: int, action, source, target, actor: int, when,
              comment: str | None = None) -> None:
        """A dossier's status change as services/applications.transition() records it."""
        self.events.append(dict(id=self.loader.new_id(ApplicationEvent.__table__),
                                application_id=application_id, action=action,
                                from_status=source, to_status=target, actor_id=actor, at=when,
                                comment=comment))
        self.loader.audit("application." + action.value, actor, "application", application_id,
                          when, {"from": source.value, "to": target.value})


def holds_data() -> bool:
    """Anything beyond what the migrations load (regions, the shipped weight set)."""
    return db.session.scalar(db.select(User.id).limit(1)) is not None


def build(scale: float = 1.0, today: date | None = None, echo=print) -> dict[str, int]:
    """Build the data set in the current database (committed at the end); returns the number
    of rows written per table."""
    started = time.perf_counter()

    def step(text: str) -> None:
        echo(f"  {time.perf_counter() - started:5.1f} s  {text}")

    ctx = National(scale, today or date.today())
    setup.seed_staff(ctx)
    setup.seed_calls(ctx)
    step("accounts, staff and calls")
    intake.seed_people_and_dossiers(ctx)
    step(f"{ctx.loader.counted.get('beneficiary', 0)} returnees, "
         f"{len(ctx.dossiers)} dossiers")
    committee.seed(ctx)
    step(f"{ctx.loader.counted.get('score_sheet', 0)} score sheets, sessions deliberated")
    money.seed(ctx)
    follow_up.seed(ctx)
    step(f"{ctx.loader.counted.get('grant_agreement', 0)} agreements, "
         f"{ctx.loader.counted.get('payment', 0)} payments, "
         f"{ctx.loader.counted.get('visit', 0)} visits")
    ctx.loader.insert(ApplicationEvent.__table__, ctx.events)
    ctx.loader.finish()
    db.session.commit()
    step(f"{ctx.loader.counted.get('audit_event', 0)} audit rows; committed")
    if db.engine.dialect.name == "postgresql":
        # The planner's statistics, as autovacuum gathers them on a live server: measured
        # right after a bulk load without them, PostgreSQL plans for tables of a few rows.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))
        step("statistics gathered (ANALYZE)")
    return dict(ctx.loader.counted)

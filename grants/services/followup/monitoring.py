"""What the follow-up pages read: field worklists, officers' load, survival of the activities,
a project's timeline. Each list is one query whatever the number of rows (no N+1)."""

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import aliased, joinedload, lazyload, selectinload

from grants.extensions import db
from grants.models import (
    Application,
    Call,
    Grant,
    GrantStatus,
    Payment,
    PaymentKind,
    Region,
    Role,
    Tranche,
    User,
    UserRole,
    Visit,
)
from grants.permissions import Permission, region_scope
from grants.vocabulary import ActivityStatus, Sector
from grants.workflow import VisitStatus

UPCOMING_DAYS = 60  # how far ahead the worklist looks


def _scoped(query, actor: User, permission: Permission = Permission.VISIT_VIEW):
    regions = region_scope(actor, permission)
    return query if regions is None else query.where(Visit.region_id.in_(regions))


def _with_people(query):
    return query.options(joinedload(Visit.assigned_to), joinedload(Visit.submitted_by))


# The worklist's sections, in the order shown; a visit's section is computed in SQL (to count
# and to order a page) and again in Python on the page's rows (to group them).
SECTIONS = ("to_validate", "overdue", "due", "upcoming")
WORKLIST_PAGE_ROWS = 50


def _for_cards(query):
    """What a visit card shows (the dossier, its lead and region, the officer) and nothing more:
    the people's roles and regions, the lead's consents and the call's regions, eagerly loaded
    by default, would each add a statement once such a row is on the page."""
    return query.options(
        joinedload(Visit.assigned_to).lazyload("*"), joinedload(Visit.submitted_by).lazyload("*"),
        joinedload(Visit.application).options(lazyload(Application.call),
                                              joinedload(Application.lead).lazyload("*")))


@dataclass
class Worklist:
    """One page of the worklist, its rows grouped by section, and each section's whole count."""

    page: Pagination
    counts: dict[str, int]
    sections: dict[str, list[Visit]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any(self.counts.values())

    @property
    def open_visits(self) -> list[Visit]:
        """The planned visits of this page (what a supervisor may assign)."""
        return [v for name in SECTIONS[1:] for v in self.sections.get(name, [])]


def _section_of(today: date, soon: date):
    return sa.case((Visit.status == VisitStatus.SUBMITTED, 0), (Visit.due_on < today, 1),
                   (Visit.due_on <= soon, 2), else_=3)


def _worklist_query(actor: User, today: date, *, mine: bool, region_id: int | None,
                    officer_id: int | None, open_only: bool):
    planned = sa.and_(Visit.status == VisitStatus.PLANNED,
                      Visit.due_on <= today + timedelta(days=UPCOMING_DAYS))
    query = _scoped(sa.select(Visit), actor).where(
        planned if open_only else sa.or_(planned, Visit.status == VisitStatus.SUBMITTED))
    if mine:
        query = query.where(sa.or_(Visit.assigned_to_id == actor.id,
                                   Visit.assigned_to_id.is_(None)))
    if officer_id:
        query = query.where(Visit.assigned_to_id == officer_id)
    if region_id:
        query = query.where(Visit.region_id == region_id)
    return query


def _soon(today: date) -> date:
    return today + timedelta(days=current_app.config["VISIT_DUE_SOON_DAYS"])


def _counts(query, today: date) -> dict[str, int]:
    sections = query.with_only_columns(_section_of(today, _soon(today)).label("section")
                                       ).subquery()
    counts = dict.fromkeys(SECTIONS, 0)
    for number, count in db.session.execute(
            sa.select(sections.c.section, sa.func.count()).group_by(sections.c.section)):
        counts[SECTIONS[number]] = count
    return counts


def section_counts(actor: User, today: date, *, mine: bool = False) -> dict[str, int]:
    """The worklist's count per section (one GROUP BY), as the worklist shows them."""
    return _counts(_worklist_query(actor, today, mine=mine, region_id=None, officer_id=None,
                                   open_only=False), today)


def worklist(actor: User, today: date, *, mine: bool = False, region_id: int | None = None,
             officer_id: int | None = None, open_only: bool = False,
             page: int = 1, section: str | None = None) -> Worklist:
    """Open visits in the actor's regions by date: overdue, due soon, upcoming; and the
    submitted visits waiting for a supervisor (unless `open_only`). One page of
    WORKLIST_PAGE_ROWS rows in that order, and the count of each section: three statements
    whatever the number of visits. `section` (one of SECTIONS) lists that section only."""
    soon = _soon(today)
    query = _worklist_query(actor, today, mine=mine, region_id=region_id,
                            officer_id=officer_id, open_only=open_only)
    counts = _counts(query, today)
    section_expression = _section_of(today, soon)
    if section in SECTIONS:
        query = query.where(section_expression == SECTIONS.index(section))
    rows = db.paginate(_for_cards(query).order_by(section_expression, Visit.due_on, Visit.id),
                       page=page, per_page=WORKLIST_PAGE_ROWS, error_out=False, count=False)
    rows.total = counts[section] if section in SECTIONS else sum(counts.values())
    result = Worklist(rows, counts)
    for visit in rows.items:
        if visit.status == VisitStatus.SUBMITTED:
            name = "to_validate"
        elif visit.due_on < today:
            name = "overdue"
        elif visit.due_on <= soon:
            name = "due"
        else:
            name = "upcoming"
        result.sections.setdefault(name, []).append(visit)
    return result


@dataclass
class OfficerLoad:
    officer: User | None  # None: the visits nobody was given yet
    open: int
    overdue: int
    submitted: int
    validated_30_days: int


def officer_load(actor: User, today: date) -> list[OfficerLoad]:
    """Every field officer's open, overdue, submitted and recently validated visits."""
    open_ = Visit.status == VisitStatus.PLANNED
    counts = _scoped(sa.select(
        Visit.assigned_to_id,
        sa.func.count(Visit.id).filter(open_),
        sa.func.count(Visit.id).filter(open_, Visit.due_on < today),
        sa.func.count(Visit.id).filter(Visit.status == VisitStatus.SUBMITTED),
        sa.func.count(Visit.id).filter(Visit.status == VisitStatus.VALIDATED,
                                       Visit.visited_on >= today - timedelta(days=30)),
    ), actor).group_by(Visit.assigned_to_id)
    by_officer = {row[0]: row[1:] for row in db.session.execute(counts)}
    officers = db.session.scalars(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.FIELD_OFFICER, User.active.is_(True))
        .order_by(User.full_name, User.id)).unique().all()
    regions = region_scope(actor, Permission.VISIT_VIEW)
    if regions is not None:
        officers = [o for o in officers if o.region_ids & regions]
    rows = [OfficerLoad(o, *by_officer.get(o.id, (0, 0, 0, 0))) for o in officers]
    unassigned = by_officer.get(None)
    if unassigned and unassigned[0]:
        rows.append(OfficerLoad(None, *unassigned))
    return rows


# --- survival of the activities ---------------------------------------------------------------

GROUPINGS = ("region", "sector", "call")


@dataclass
class SurvivalRow:
    label: str
    funded: int  # projects whose milestone visit was planned
    due: int  # … and whose milestone date has come
    observed: int  # … whose fate at the milestone is known
    operating: int

    @property
    def rate(self) -> float | None:
        return self.operating / self.observed if self.observed else None


# A status that ends the activity for good: found at an earlier visit, it counts at the milestone.
DEFINITIVE_STOPS = {ActivityStatus.ABANDONED, ActivityStatus.REMIGRATED, ActivityStatus.MOVED_AWAY}


@dataclass(frozen=True)
class MilestoneFate:
    """What the survival figures need to know of a milestone visit (of `months`): the
    agreements stopped at an earlier visit (to outer-join on Visit.grant_id, with Grant joined),
    whether the activity's fate is known, and whether it is running."""

    stopped_before: sa.Subquery
    known: sa.ColumnElement
    running: sa.ColumnElement


def milestone_fate(months: int) -> MilestoneFate:
    """The fate at the milestone is the milestone visit's validated finding; an activity
    already found abandoned, re-migrated or moved away at an earlier visit, or whose agreement
    was cancelled, counts as stopped; an unreachable beneficiary or a visit not yet validated
    is not observed. One definition, for this page and the programme's figures."""
    earlier = aliased(Visit)
    # The agreements stopped at an earlier visit, joined once (not a subquery per project: on
    # PostgreSQL that plan read the visits again for every row).
    stopped_before = (
        sa.select(earlier.grant_id).where(
            earlier.seq.is_not(None), earlier.months < months,
            earlier.status == VisitStatus.VALIDATED,
            earlier.activity_status.in_(DEFINITIVE_STOPS))
        .group_by(earlier.grant_id).subquery("stopped_before"))
    stopped = sa.or_(Grant.status == GrantStatus.CANCELLED,
                     stopped_before.c.grant_id.is_not(None))
    validated = Visit.status == VisitStatus.VALIDATED
    known = sa.or_(stopped, sa.and_(validated, Visit.activity_status.in_(
        [s for s in ActivityStatus if s.operating is not None])))
    running = sa.and_(sa.not_(stopped), validated, Visit.activity_status.in_(
        [s for s in ActivityStatus if s.operating]))
    return MilestoneFate(stopped_before, known, running)


def survival(actor: User, months: int, by: str, today: date,
             call_id: int | None = None) -> list[SurvivalRow]:
    """Share of the activities still running `months` after the first payment, by region,
    sector or call, over the projects whose milestone visit was planned (see milestone_fate).
    Counted by the database (one GROUP BY over the milestone visits), whatever their number."""
    group = {"region": Region.name, "sector": Application.sector, "call": Call.title}[by]
    fate = milestone_fate(months)
    stopped_before, known, running = fate.stopped_before, fate.known, fate.running

    def count_of(condition):
        return sa.func.sum(sa.case((condition, 1), else_=0))

    query = _scoped(
        sa.select(group, sa.func.count(), count_of(Visit.due_on <= today), count_of(known),
                  count_of(running))
        .join(Grant, Grant.id == Visit.grant_id)
        .join(Application, Application.id == Visit.application_id)
        .join(Region, Region.id == Visit.region_id)
        .join(Call, Call.id == Application.call_id)
        .outerjoin(stopped_before, stopped_before.c.grant_id == Visit.grant_id)
        .where(Visit.seq.is_not(None), Visit.months == months).group_by(group), actor)
    if call_id:
        query = query.where(Application.call_id == call_id)
    figures: dict[str, list[int]] = {}
    for label, *numbers in db.session.execute(query):
        row = figures.setdefault(_group_label(by, label), [0, 0, 0, 0])
        for index, number in enumerate(numbers):
            row[index] += int(number or 0)
    return [SurvivalRow(label, *numbers) for label, numbers in sorted(figures.items())]


def _group_label(by: str, value) -> str:
    if by == "sector":
        return Sector(value).label if value else "—"
    return str(value)


def total_of(rows: list[SurvivalRow], label: str) -> SurvivalRow:
    return SurvivalRow(label, *(sum(getattr(r, name) for r in rows)
                                for name in ("funded", "due", "observed", "operating")))


# --- a project's timeline ---------------------------------------------------------------------

@dataclass(frozen=True)
class Event:
    day: date | None
    kind: str  # "tranche", "payment", "reversal", "visit"
    obj: object


def timeline(grant: Grant, visits: list[Visit]) -> list[Event]:
    """The agreement's signature, payments and `visits` in date order (planned visits by their
    due date)."""
    payments = db.session.scalars(
        sa.select(Payment).options(joinedload(Payment.tranche))
        .join(Tranche, Tranche.id == Payment.tranche_id)
        .where(Tranche.grant_id == grant.id).order_by(Payment.id)).all()
    events = [Event(grant.signed_on, "signature", grant)] if grant.signed_on else []
    events += [Event(p.paid_on, "payment" if p.kind == PaymentKind.PAYMENT else "reversal", p)
               for p in payments]
    events += [Event(v.visited_on or v.due_on, "visit", v) for v in visits]
    return sorted(events, key=lambda e: (e.day or date.max, e.kind != "signature"))


def visits_of(grant: Grant) -> list[Visit]:
    return list(db.session.scalars(
        _with_people(sa.select(Visit)).options(selectinload(Visit.items),
                                               selectinload(Visit.photos),
                                               selectinload(Visit.score))
        .where(Visit.grant_id == grant.id).order_by(Visit.due_on, Visit.id)).unique())


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    day: date
    amount: int


def revenue_chart(visits: list[Visit], width: int = 600, height: int = 200,
                  margin: int = 30) -> list[ChartPoint]:
    """Points of the monthly revenue reported at each visit, scaled to an SVG box (drawn
    server-side: no script, no external library)."""
    data = sorted((v.visited_on, v.monthly_revenue) for v in visits
                  if v.visited_on and v.monthly_revenue is not None
                  and v.status != VisitStatus.PLANNED)
    if not data:
        return []
    first, last = data[0][0], data[-1][0]
    span = max((last - first).days, 1)
    top = max(amount for _day, amount in data) or 1
    inner_w, inner_h = width - 2 * margin, height - 2 * margin
    return [ChartPoint(x=round(margin + inner_w * ((day - first).days / span if len(data) > 1
                                                    else 0.5), 1),
                       y=round(height - margin - inner_h * amount / top, 1), day=day,
                       amount=amount) for day, amount in data]

"""The home page's figures for each role, built on the reporting layer: each a chart, its
table and the address of the list behind it, in the viewer's regions (ReportFilter.for_viewer).

Which figures: the programme's steering roles (programme manager, auditor, administrator)
see them all; finance the envelope and the disbursements; a field officer the overdue visits
and survival; an intake agent the funnel of their regions. A user with several roles sees
the union, in one order.

Kept DASHBOARD_CACHE_SECONDS in a small dict of this process (Flask-Caching is not
installed, and one dict per process is enough for figures that may be minutes old), keyed by
the figures shown, the scope, the language and the day: two officers of the same regions
share one drawing."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd
from flask import current_app, g, url_for
from flask_babel import gettext as _

from grants.models import Role, User
from grants.permissions import Permission, can
from grants.reporting import charts, facts, money_facts, regions_map
from grants.reporting.breakdowns import BREAKDOWNS, period_label, regions
from grants.reporting.filters import ReportFilter
from grants.reporting.frames import label

MONTHS_SHOWN = 12  # disbursements per month: the last year
ENVELOPE_MONTHS = 24  # the envelope's line: two years


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    svg: str
    headers: list[str]
    rows: list[list[str]]
    link: str | None


FIGURES_BY_ROLE: dict[Role, tuple[str, ...]] = {
    Role.PROGRAMME_MANAGER: ("envelope", "funnel", "disbursements", "overdue", "survival",
                             "scores", "jobs", "map"),
    Role.AUDITOR: ("envelope", "funnel", "disbursements", "overdue", "survival", "scores",
                   "jobs", "map"),
    Role.ADMIN: ("envelope", "funnel", "disbursements", "overdue", "survival", "scores",
                 "jobs", "map"),
    Role.FINANCE_OFFICER: ("envelope", "disbursements"),
    Role.ACCOUNTANT: ("envelope", "disbursements"),
    Role.FIELD_OFFICER: ("overdue", "survival"),
    Role.INTAKE_AGENT: ("funnel",),
}
ORDER = ("envelope", "funnel", "disbursements", "overdue", "survival", "scores", "jobs", "map")


def figure_names(user: User) -> tuple[str, ...]:
    wanted = {name for role in user.roles for name in FIGURES_BY_ROLE.get(role, ())}
    return tuple(name for name in ORDER if name in wanted) if can(
        user, Permission.REPORT_VIEW) else ()


def _link(user: User, permission: Permission, endpoint: str, **args) -> str | None:
    return url_for(endpoint, **args) if can(user, permission) else None


# The measures each fact is read with, whichever figure reads it first: the figures share a
# read (the funnel and the map the dossiers by region, the funnel and survival the
# milestones), and no other measure is computed (the returnees' consents, duplicates and
# vulnerabilities are subqueries per person the funnel does not show).
MEASURES = {"registrations": ("registered",),
            "dossiers": ("submitted", "eligible", "selected", "funded"),
            "money": ("committed", "disbursed"), "appropriations": ("appropriated",),
            "survival_m6": ("observed", "operating"), "survival_m12": ("observed", "operating"),
            "scores": tuple(f"{dimension}_{part}" for dimension in facts.SCORE_DIMENSIONS
                            for part in ("sum", "count"))}


def _read(fact, flt: ReportFilter, by: tuple[str, ...] = (),
          measures: tuple[str, ...] | None = None) -> pd.DataFrame:
    """A fact's frame, read once per request with the measures the figures show."""
    measures = measures or MEASURES[fact.name]
    reads = g.setdefault("dashboard_reads", {})
    key = (fact.name, flt, by, measures)
    if key not in reads:
        reads[key] = fact.read(flt, list(by), measures)
    return reads[key]


def _months(end: date, count: int) -> list[str]:
    year, month = end.year, end.month
    months = []
    for _step in range(count):
        months.append(f"{year}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def _monthly(frame: pd.DataFrame, measures: list[str], first: str | None) -> pd.DataFrame:
    """Months in order from `first` (or the data's first) to this month, gaps at 0."""
    frame = frame.assign(period=frame["period"].astype("object")).set_index("period")[measures]
    known = sorted(str(p) for p in frame.index if str(p)[:1].isdigit())
    start = first or (known[0] if known else _months(date.today(), 1)[0])
    months = [m for m in _months(date.today(), 600) if m >= min(start, *(known or [start]))]
    return frame.reindex(months, fill_value=0).astype("Int64")


def _envelope(flt: ReportFilter, user: User, today: date) -> Figure:
    money = _read(money_facts.MONEY, flt, ("period",))
    series = _monthly(money, ["committed", "disbursed"], None).cumsum()
    columns = {"committed": _("Committed"), "disbursed": _("Disbursed")}
    if flt.scope is None:  # appropriations belong to no region: only a national view has them
        credits = _monthly(_read(money_facts.APPROPRIATIONS, flt, ("period",)), ["appropriated"],
                           None).cumsum()
        months = sorted(set(series.index) | set(credits.index))
        series = series.reindex(months).ffill().fillna(0).astype("Int64")
        credits = credits.reindex(months).ffill().fillna(0).astype("Int64")
        series["available"] = credits["appropriated"] - series["committed"]
        columns["available"] = _("Available")
    series = series.tail(ENVELOPE_MONTHS).rename(columns=columns)
    series.index = [period_label(code) for code in series.index]
    title = _("Envelope: committed, disbursed, available (F CFA)") if flt.scope is None else (
        _("Committed and disbursed in your regions (F CFA)"))
    headers, rows = charts.table(series, "money", _("Month"))
    return Figure("envelope", title, charts.line_chart(series, title, "money"), headers, rows,
                  _link(user, Permission.FINANCE_VIEW, "finance.register"))


def _funnel(flt: ReportFilter, user: User, today: date) -> Figure:
    registered = _read(facts.REGISTRATIONS, flt).iloc[0]
    dossiers = _read(facts.DOSSIERS, flt, ("region",)).sum(numeric_only=True)  # with the map
    running = {months: _read(facts.survival(months, today), flt).iloc[0]["operating"]
               for months in (6, 12)}
    stages = [(_("Registered"), registered["registered"]),
              (_("Submitted"), dossiers["submitted"]), (_("Eligible"), dossiers["eligible"]),
              (_("Selected"), dossiers["selected"]), (_("Funded"), dossiers["funded"]),
              (_("Running at M+6"), running[6]), (_("Running at M+12"), running[12])]
    title = _("From registration to a running activity")
    headers, rows = charts.table(stages, "count", _("Stage"))
    return Figure("funnel", title, charts.funnel_chart(stages, title), headers, rows,
                  _link(user, Permission.APPLICATION_VIEW, "applications.index"))


def _disbursements(flt: ReportFilter, user: User, today: date) -> Figure:
    months = _months(today, MONTHS_SHOWN)
    money = _read(money_facts.MONEY, flt, ("period",))
    series = _monthly(money, ["disbursed"], months[0]).reindex(months, fill_value=0)[
        "disbursed"].astype("Int64")
    series.index = [period_label(code) for code in series.index]
    series.name = _("Disbursed")
    title = _("Disbursements per month (F CFA)")
    headers, rows = charts.table(series, "money", _("Month"))
    return Figure("disbursements", title, charts.bar_chart(series, title, "money"), headers,
                  rows, _link(user, Permission.FINANCE_VIEW, "finance.register"))


def _overdue(flt: ReportFilter, user: User, today: date) -> Figure:
    frame = _read(facts.visits(today), flt, ("region",), ("overdue",))
    frame = frame[frame["overdue"] > 0] if (frame["overdue"] > 0).any() else frame.head(0)
    table = label(frame.set_index("region")[["overdue"]], "region", None, flt.context())
    series = table["overdue"].rename(_("Overdue visits"))
    title = _("Overdue visits per region")
    headers, rows = charts.table(series, "count", _("Region"))
    return Figure("overdue", title, charts.bar_chart(series, title, horizontal=True), headers,
                  rows, _link(user, Permission.VISIT_VIEW, "visits.worklist", section="overdue"))


def _survival(flt: ReportFilter, user: User, today: date) -> Figure:
    rows_ = []
    for months in (6, 12):
        row = _read(facts.survival(months, today), flt).iloc[0]
        observed = int(row["observed"])
        rows_.append((_("At M+%(months)d", months=months),
                      int(row["operating"]) / observed if observed else None))
    title = _("Activities still running (share of those visited)")
    headers, rows = charts.table(rows_, "percent", _("Milestone"))
    return Figure("survival", title, charts.bar_chart(rows_, title, "percent"), headers, rows,
                  _link(user, Permission.VISIT_VIEW, "visits.survival"))


def _scores(flt: ReportFilter, user: User, today: date) -> Figure:
    means = facts.means(_read(facts.SCORES, flt))
    names = {"economic": _("Economic"), "social": _("Social"),
             "psychosocial": _("Psychosocial"), "composite": _("Composite")}
    pairs = [(names[d], None if pd.isna(means.iloc[0][d]) else round(float(means.iloc[0][d]), 2))
             for d in facts.SCORE_DIMENSIONS]
    title = _("Sustainability scores (mean of validated visits)")
    headers, rows = charts.table(pairs, "score", _("Dimension"))
    return Figure("scores", title, charts.bar_chart(pairs, title, "score"), headers, rows,
                  _link(user, Permission.VISIT_VIEW, "visits.survival"))


def _jobs(flt: ReportFilter, user: User, today: date) -> Figure:
    frame = _read(facts.visits(today), flt, ("age_band", "sex"), ("jobs_found",))
    table = frame.pivot_table(index="age_band", columns="sex", values="jobs_found",
                              aggfunc="sum", observed=False, fill_value=0).astype("Int64")
    table = table.loc[table.sum(axis=1) > 0] if table.to_numpy().sum() else table.head(0)
    table = label(table, "age_band", "sex", flt.context())
    title = _("Jobs found at visits, by age and sex of the lead")
    headers, rows = charts.table(table, "count", _("Age"))
    return Figure("jobs", title, charts.bar_chart(table, title, stacked=True), headers, rows,
                  _link(user, Permission.VISIT_VIEW, "visits.survival"))


def _map(flt: ReportFilter, user: User, today: date) -> Figure:
    frame = _read(facts.DOSSIERS, flt, ("region",)).set_index("region")["funded"]
    values = {str(code): int(value) for code, value in frame.items()}
    ids = {code: region_id for region_id, (code, _name) in regions(flt.context()).items()}
    title = _("Funded projects per region")
    link = None
    if can(user, Permission.APPLICATION_VIEW):
        def link(code: str) -> str:
            return url_for("applications.index", region_id=ids[code]) if code in ids else (
                url_for("applications.index"))
    names = dict(BREAKDOWNS["region"].categories(flt.context()))
    headers, rows = charts.table([(names.get(c, c), v) for c, v in values.items()], "count",
                                 _("Region"))
    return Figure("map", title, regions_map.tile_map(values, title, link=link), headers, rows,
                  _link(user, Permission.APPLICATION_VIEW, "applications.index"))


BUILDERS: dict[str, Callable[[ReportFilter, User, date], Figure]] = {
    "envelope": _envelope, "funnel": _funnel, "disbursements": _disbursements,
    "overdue": _overdue, "survival": _survival, "scores": _scores, "jobs": _jobs, "map": _map}

CACHE_ENTRIES = 256


def figures(user: User, today: date | None = None) -> list[Figure]:
    """The viewer's figures, drawn at most once per DASHBOARD_CACHE_SECONDS for the same
    figures, scope and language."""
    today = today or date.today()
    names = figure_names(user)
    if not names:
        return []
    flt = ReportFilter.for_viewer(user)
    ttl = current_app.config["DASHBOARD_CACHE_SECONDS"]
    key = (names, flt.scope, charts.language(), today,
           frozenset(user.roles))  # links depend on the permissions, hence the roles
    cache: dict[tuple, tuple[float, list[Figure]]] = current_app.extensions.setdefault(
        "dashboard_cache", {})
    hit = cache.get(key)
    if ttl and hit is not None and hit[0] > time.monotonic():
        return hit[1]
    built = [BUILDERS[name](flt, user, today) for name in names]
    if ttl:
        if len(cache) >= CACHE_ENTRIES:
            cache.clear()
        cache[key] = (time.monotonic() + ttl, built)
    return built

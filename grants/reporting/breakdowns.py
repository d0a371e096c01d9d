"""The breakdowns: ONE definition of each way a figure is cut, reused by every figure.

A fact query (`facts.py`) groups in SQL by the raw value behind a breakdown (a region id, a
birth year, a year and a month, an enum code); the breakdown then turns those raw values into
its codes (region "07", age band "25-35", quarter "2026-Q2") and says their order and their
labels in the reader's language. Codes stay ASCII and stable (what tests, links and exports
compare); labels are for people. Every category is listed even when empty, so that a table
of women by region shows the regions with none."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd
from flask import current_app, g, has_request_context
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from grants.extensions import db
from grants.models import BudgetEnvelope, Call, Channel, Region
from grants.vocabulary import (
    FundingSource,
    LabelledEnum,
    ProjectType,
    ReferralService,
    Sector,
    Sex,
)
from grants.workflow import ReferralStatus

UNKNOWN = "unknown"
TOTAL = "total"
GRANULARITIES = ("month", "quarter", "semester", "year")


@dataclass
class Context:
    """What a breakdown needs beyond the raw values: the period asked for (its end dates
    ages) and the granularity of periods. Lookup tables are read once per context."""

    start: date | None = None
    end: date | None = None
    granularity: str = "month"

    def __post_init__(self):
        self._lookups: dict[str, dict] = {}

    @property
    def reference_year(self) -> int:
        """Ages are counted in whole years at the end of the period, from the year of birth."""
        return (self.end or date.today()).year

    def lookup(self, name: str, read: Callable[[], dict]) -> dict:
        # Within a request the tables are read once for all its contexts (a dashboard makes
        # one per figure): the regions, calls and envelopes do not change meanwhile.
        lookups = g.setdefault("report_lookups", {}) if has_request_context() else self._lookups
        if name not in lookups:
            lookups[name] = read()
        return lookups[name]


@dataclass(frozen=True)
class Breakdown:
    name: str  # the column's name in every frame
    title: object  # a lazy string: the breakdown's name for people
    categories: Callable[[Context], list[tuple[str, str]]]  # ordered (code, label)
    code: Callable[[pd.Series, Context], pd.Series]  # raw values (from SQL) -> codes
    label_of: Callable[[str], str] | None = None  # for codes the categories do not list

    def label(self, code: str, ctx: Context) -> str:
        if code == UNKNOWN:
            return str(_l("Not recorded"))
        if code == TOTAL:
            return str(_l("Total"))
        known = dict(self.categories(ctx))
        if code in known:
            return known[code]
        return self.label_of(code) if self.label_of else code

    def apply(self, raw: pd.Series, ctx: Context) -> pd.Categorical:
        """The raw values as an ordered categorical of codes: every category, then codes the
        categories do not list (periods when the filter has no dates), then unknown."""
        codes = self.code(raw, ctx).astype("object")
        codes = codes.where(codes.notna(), UNKNOWN)
        order = [code for code, _label in self.categories(ctx)]
        order += sorted(set(codes) - set(order) - {UNKNOWN}) + [UNKNOWN]
        return pd.Categorical(codes, categories=order, ordered=True)


def _enum(enum: type[LabelledEnum]) -> tuple[Callable, Callable]:
    def categories(_ctx: Context) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in enum]

    def code(raw: pd.Series, _ctx: Context) -> pd.Series:
        known = {member.value for member in enum}
        return raw.map(lambda value: value if value in known else None)

    return categories, code


def _regions(ctx: Context) -> dict[int, tuple[str, str]]:
    return ctx.lookup("regions", lambda: {
        row.id: (row.code, row.name)
        for row in db.session.execute(db.select(Region.id, Region.code, Region.name)
                                      .order_by(Region.code))})


def regions(ctx: Context) -> dict[int, tuple[str, str]]:
    """Region id -> (code, name), read once per context (links to a region's list)."""
    return _regions(ctx)


def _region_categories(ctx: Context) -> list[tuple[str, str]]:
    return list(_regions(ctx).values())


def _region_code(raw: pd.Series, ctx: Context) -> pd.Series:
    codes = {region_id: code for region_id, (code, _name) in _regions(ctx).items()}
    return raw.map(codes)


def age_bands() -> list[tuple[str, int, int | None]]:
    """(code, first age, last age) of each band, from the lower bounds in REPORT_AGE_BANDS:
    [18, 25, 36] gives 18-24, 25-35 and 36+ (and "under 18" below the first)."""
    bounds = list(current_app.config["REPORT_AGE_BANDS"])
    bands = [(f"0-{bounds[0] - 1}", 0, bounds[0] - 1)]
    for low, high in zip(bounds, bounds[1:] + [None], strict=True):
        bands.append((f"{low}-{high - 1}" if high else f"{low}+", low, high - 1 if high else None))
    return bands


def _age_categories(_ctx: Context) -> list[tuple[str, str]]:
    labels = []
    for code, low, high in age_bands():
        if high is None:
            labels.append((code, str(_l("%(age)d and over", age=low))))
        elif low == 0:
            labels.append((code, str(_l("Under %(age)d", age=high + 1))))
        else:
            labels.append((code, str(_l("%(low)d–%(high)d", low=low, high=high))))
    return labels


def age_of(birth_year: pd.Series, ctx: Context) -> pd.Series:
    return ctx.reference_year - pd.to_numeric(birth_year, errors="coerce").astype("Int64")


def _age_code(raw: pd.Series, ctx: Context) -> pd.Series:
    ages = age_of(raw, ctx)
    result = pd.Series([None] * len(raw), index=raw.index, dtype="object")
    for code, low, high in age_bands():
        inside = (ages >= low) & ((ages <= high) if high is not None else True)
        result[inside.fillna(False).astype(bool)] = code
    return result


def _youth_categories(_ctx: Context) -> list[tuple[str, str]]:
    low, high = current_app.config["REPORT_YOUTH_AGES"]
    return [("youth", str(_l("Youth (%(low)d–%(high)d)", low=low, high=high))),
            ("not_youth", str(_l("Other ages")))]


def _youth_code(raw: pd.Series, ctx: Context) -> pd.Series:
    low, high = current_app.config["REPORT_YOUTH_AGES"]
    ages = age_of(raw, ctx)
    inside = (ages >= low) & (ages <= high)
    return inside.map({True: "youth", False: "not_youth"}).astype("object")


# Periods: SQL groups by year and month (the "period" raw value is a "YYYY-MM" string);
# the granularity rolls months up.
def period_code(month: str, granularity: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    if granularity == "year":
        return f"{year}"
    if granularity == "semester":
        return f"{year}-S{1 if number <= 6 else 2}"
    if granularity == "quarter":
        return f"{year}-Q{(number - 1) // 3 + 1}"
    return f"{year}-{number:02d}"


def _months_between(start: date, end: date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def period_label(code: str) -> str:
    if len(code) == 4:
        return code
    year, part = code[:4], code[5:]
    if part.startswith("Q"):
        return str(_l("Q%(number)s %(year)s", number=part[1:], year=year))
    if part.startswith("S"):
        return str(_l("H%(number)s %(year)s", number=part[1:], year=year))
    return format_date(date(int(year), int(part), 1), "MMM y")


def _period_categories(ctx: Context) -> list[tuple[str, str]]:
    if ctx.start is None or ctx.end is None:
        return []  # the data's own periods, in order (see _period_code)
    codes = dict.fromkeys(period_code(month, ctx.granularity)
                          for month in _months_between(ctx.start, ctx.end))
    return [(code, period_label(code)) for code in codes]


def _period_code(raw: pd.Series, ctx: Context) -> pd.Series:
    return raw.map(lambda month: period_code(month, ctx.granularity)
                   if isinstance(month, str) else None)


def _lookup_categories(name: str, statement) -> Callable[[Context], list[tuple[str, str]]]:
    def categories(ctx: Context) -> list[tuple[str, str]]:
        rows = ctx.lookup(name, lambda: {str(row[0]): row[1]
                                         for row in db.session.execute(statement)})
        return list(rows.items())

    return categories


def _as_text(raw: pd.Series, _ctx: Context) -> pd.Series:
    return raw.map(lambda value: None if pd.isna(value) else str(value))


def _visit_code(raw: pd.Series, _ctx: Context) -> pd.Series:
    return raw.map(lambda seq: None if pd.isna(seq) else f"V{int(seq)}")


BREAKDOWNS: dict[str, Breakdown] = {b.name: b for b in [
    Breakdown("period", _l("Period"), _period_categories, _period_code, period_label),
    Breakdown("region", _l("Region"), _region_categories, _region_code),
    Breakdown("sex", _l("Sex"), *_enum(Sex)),
    Breakdown("age_band", _l("Age"), _age_categories, _age_code),
    Breakdown("youth", _l("Youth"), _youth_categories, _youth_code),
    Breakdown("sector", _l("Sector"), *_enum(Sector)),
    Breakdown("project_type", _l("Project type"), *_enum(ProjectType)),
    Breakdown("funding_source", _l("Funding source"), *_enum(FundingSource)),
    Breakdown("envelope", _l("Budget envelope"), _lookup_categories(
        "envelopes", db.select(BudgetEnvelope.id, BudgetEnvelope.name)
        .order_by(BudgetEnvelope.fiscal_year, BudgetEnvelope.id)), _as_text),
    Breakdown("call", _l("Call for proposals"), _lookup_categories(
        "calls", db.select(Call.id, Call.title).order_by(Call.opens_on, Call.id)), _as_text),
    Breakdown("channel", _l("Payment channel"), *_enum(Channel)),
    # The visits of a call's plan (V1 at M+1 … V4 at M+12); the data says which exist.
    Breakdown("visit", _l("Visit"), lambda _ctx: [], _visit_code),
    Breakdown("referral_service", _l("Service"), *_enum(ReferralService)),
    Breakdown("referral_status", _l("Outcome"), *_enum(ReferralStatus)),
]}


def breakdown(name: str) -> Breakdown:
    return BREAKDOWNS[name]

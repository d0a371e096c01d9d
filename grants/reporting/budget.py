"""Budget execution for the finance office: per envelope (its budget line, imputation) and
month, the appropriation, commitments, payment orders, payments, reversals, what is available
and the execution rate; disbursements by region × month and by channel × month.

Movements come from the ledger (money_facts.MONEY, read as the disbursement register reads
them) and the payment orders from the tranches (money_facts.ORDERS), so the totals equal the
register's for the same filter. What is available and the rate are running figures: they are computed from the
envelope's first movement, whatever start the filter asks for, and appropriations count from
the start of the envelope's fiscal year. Within a region (or a viewer's scope) there is no
appropriation: those columns are left empty."""

import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa
from flask import current_app
from flask_babel import get_locale

from grants.extensions import db
from grants.models import BudgetEnvelope
from grants.reporting import money_facts
from grants.reporting.breakdowns import TOTAL
from grants.reporting.filters import ReportFilter
from grants.reporting.frames import CACHE_ENTRIES, label, pivot

# Movements in the period, summed; then the running figures at the end of the period.
MOVEMENTS = ("appropriated", "commitments", "releases", "orders", "payments", "reversals")
RUNNING = ("committed_to_date", "disbursed_to_date", "available")
COLUMNS = (*MOVEMENTS, *RUNNING)


@dataclass(frozen=True)
class Execution:
    lines: pd.DataFrame  # one row per envelope, then a TOTAL row; COLUMNS and "rate"
    months: pd.DataFrame  # one row per envelope and month with a movement
    by_region: pd.DataFrame  # disbursed, regions down and months across (labelled), totals
    by_channel: pd.DataFrame  # disbursed, channels down and months across (labelled), totals
    with_appropriations: bool  # False within a region: no appropriation, available nor rate
    as_of: datetime


def envelopes(flt: ReportFilter) -> pd.DataFrame:
    """The envelopes the filter is about: id (as the breakdown's code), name, fiscal year,
    budget line (imputation), funding source."""
    query = (sa.select(BudgetEnvelope.id, BudgetEnvelope.name, BudgetEnvelope.fiscal_year,
                       BudgetEnvelope.budget_line, BudgetEnvelope.funding_source)
             .where(*flt.money_source(BudgetEnvelope.id, BudgetEnvelope.funding_source))
             .order_by(BudgetEnvelope.fiscal_year, BudgetEnvelope.id))
    rows = db.session.execute(query).all()
    frame = pd.DataFrame(rows, columns=["envelope", "name", "fiscal_year", "budget_line",
                                        "funding_source"])
    frame["envelope"] = frame["envelope"].astype(str)
    frame["fiscal_year"] = frame["fiscal_year"].astype("Int64")
    return frame


def _monthly(flt: ReportFilter, with_appropriations: bool) -> pd.DataFrame:
    """Every envelope × month up to the filter's end (from the first movement), movements
    and running figures."""
    upto = flt.but(start=None, granularity="month")
    by = ["envelope", "period"]
    movements = ["commitments", "releases", "payments", "reversals", "committed", "disbursed"]
    frames = [money_facts.MONEY.read(upto, by, movements),
              money_facts.ORDERS.read(upto, by, ["orders"])]
    if with_appropriations:
        frames.append(money_facts.APPROPRIATIONS.read(upto, by, ["appropriated"]))
    merged = None
    for frame in frames:
        frame = frame.assign(envelope=frame.envelope.astype(str),
                             period=frame.period.astype(str))
        merged = frame if merged is None else merged.merge(frame, on=by, how="outer")
    assert merged is not None
    merged = merged.fillna(0)
    if "appropriated" not in merged:
        merged["appropriated"] = pd.array([pd.NA] * len(merged), dtype="Int64")
    amounts = ["appropriated", "commitments", "releases", "orders", "payments", "reversals",
               "committed", "disbursed"]
    merged[amounts] = merged[amounts].astype("Int64")
    merged = merged.sort_values(by).reset_index(drop=True)
    running = merged.groupby("envelope", sort=False)
    merged["committed_to_date"] = running["committed"].cumsum().astype("Int64")
    merged["disbursed_to_date"] = running["disbursed"].cumsum().astype("Int64")
    merged["appropriation_to_date"] = running["appropriated"].cumsum().astype("Int64")
    merged["available"] = (merged["appropriation_to_date"] - merged["committed_to_date"]
                           ).astype("Int64")
    return merged


def rate(disbursed, appropriated) -> float | None:
    """The execution rate: what was paid (net of reversals) over the appropriation, in %."""
    if appropriated is None or pd.isna(appropriated) or not appropriated:
        return None
    return round(100 * int(disbursed) / int(appropriated), 1)


def execution(flt: ReportFilter) -> Execution:
    """The figures for `flt`, kept REPORT_CACHE_SECONDS per process and language like the
    facts they are made of (shaping them costs more than reading them)."""
    ttl = current_app.config["REPORT_CACHE_SECONDS"]
    key = ("budget_execution", flt, date.today(), str(get_locale()))
    cache = current_app.extensions.setdefault("report_cache", OrderedDict())
    hit = cache.get(key)
    if ttl and hit is not None and hit[0] > time.monotonic():
        return hit[1]
    result = _execution(flt)
    if ttl:
        cache[key] = (time.monotonic() + ttl, result)
        while len(cache) > CACHE_ENTRIES:
            cache.popitem(last=False)
    return result


def _execution(flt: ReportFilter) -> Execution:
    with_appropriations = flt.region_id is None and flt.scope is None and flt.call_id is None
    known = envelopes(flt)
    monthly = _monthly(flt, with_appropriations)
    monthly = monthly[monthly.envelope.isin(known.envelope)]
    in_period = (monthly[monthly.period >= f"{flt.start:%Y-%m}"] if flt.start is not None
                 else monthly)
    moved = in_period[list(MOVEMENTS)].fillna(0).ne(0).any(axis=1)
    months = in_period[moved].merge(known[["envelope", "name", "budget_line"]], on="envelope")
    months["rate"] = pd.Series([rate(d, a) for d, a in zip(
        months.disbursed_to_date, months.appropriation_to_date, strict=True)], dtype="object",
        index=months.index)

    sums = in_period.groupby("envelope")[list(MOVEMENTS)].sum(min_count=1)
    last = monthly.groupby("envelope")[list(RUNNING)].last()
    lines = known.set_index("envelope").join(sums).join(last)
    for column in COLUMNS:
        if column not in lines:
            lines[column] = pd.NA
        lines[column] = lines[column].astype("Int64")
        if with_appropriations or column not in ("appropriated", "available"):
            lines[column] = lines[column].fillna(0)
    if not with_appropriations:
        lines["appropriated"] = lines["available"] = pd.NA
    lines = lines.reset_index()
    total = {column: lines[column].sum(min_count=1) if with_appropriations
             or column not in ("appropriated", "available") else pd.NA for column in COLUMNS}
    lines.loc[len(lines)] = {"envelope": TOTAL, "name": "", "budget_line": "", **total}
    for column in COLUMNS:
        lines[column] = lines[column].astype("Int64")
    lines["rate"] = pd.Series([rate(d, a) for d, a in zip(
        lines.disbursed_to_date, lines.appropriated, strict=True)], dtype="object",
        index=lines.index)

    ctx = flt.context()
    region = money_facts.MONEY.read(flt.but(granularity="month"), ["region", "period"],
                                    ["disbursed"])
    channel = money_facts.MONEY.read(flt.but(granularity="month"), ["channel", "period"],
                                     ["disbursed"])
    by_region = label(pivot(region, "region", "period", "disbursed"), "region", "period", ctx)
    by_channel = label(pivot(channel, "channel", "period", "disbursed"), "channel", "period", ctx)
    return Execution(lines=lines, months=months.reset_index(drop=True), by_region=by_region,
                     by_channel=by_channel, with_appropriations=with_appropriations,
                     as_of=region.attrs.get("as_of") or datetime.now())



def records(frame: pd.DataFrame, columns) -> list[dict]:
    """The frame's rows as plain Python values (int, str, None for what is not shown): for
    the page's |money filter and the workbook's integer cells."""
    data = {column: frame[column].tolist() for column in columns}
    return [{column: None if _missing(data[column][n]) else data[column][n]
             for column in columns} for n in range(len(frame))]


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def pivot_rows(table: pd.DataFrame) -> tuple[list[str], list[list]]:
    """A labelled pivot's headers (its columns) and rows (label, then whole francs)."""
    values = table.astype("int64").to_numpy().tolist()  # one conversion, not one per row
    rows = [[str(index), *cells] for index, cells in zip(table.index, values, strict=True)]
    return [str(column) for column in table.columns], rows


def period_text(code: str) -> str:
    """A month's code ("2026-03") as the reader says it."""
    from grants.reporting.breakdowns import period_label

    return period_label(code)

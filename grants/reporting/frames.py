"""From SQL to pandas: a fact's GROUP BY read into a frame, then cut by the breakdowns.

Counts and amounts are read as pandas' nullable Int64 (an integer column with gaps would
otherwise become floats, and a franc would become 1.0e6); means (scores) stay floats."""

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pandas as pd
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.sql import visitors

from grants.extensions import db
from grants.reporting.breakdowns import BREAKDOWNS, TOTAL, UNKNOWN, Context
from grants.reporting.filters import ReportFilter

CACHE_ENTRIES = 512
RAW_PERIOD = ("period_year", "period_month")
RAW_BIRTH_YEAR = "birth_year"


def whole(expression):
    """SUM() of integers is NUMERIC on PostgreSQL: amounts stay whole francs."""
    return sa.cast(sa.func.coalesce(expression, 0), sa.BigInteger)


def count_if(condition):
    return whole(sa.func.sum(sa.case((condition, 1), else_=0)))


def sum_if(condition, amount):
    return whole(sa.func.sum(sa.case((condition, amount), else_=0)))


def tables_of(expressions: Iterable) -> frozenset[str]:
    """The names of the tables (and named subqueries) the expressions read a column of."""
    names = set()
    for expression in expressions:
        for element in visitors.iterate(expression):
            table = getattr(element, "table", None)
            if isinstance(element, sa.ColumnClause) and table is not None:
                names.add(table.name)
    return frozenset(names)


def uses(used: frozenset[str] | None, *tables: str) -> bool:
    """Whether a fact's source must join one of `tables`: the columns read name it (or the
    caller did not say which columns it reads: `used` None)."""
    return used is None or any(table in used for table in tables)


@dataclass(frozen=True)
class Fact:
    """A set of rows the figures count (returnees, dossiers, money movements, visits…): its
    SELECT with joins and the filter's clauses, the raw SQL value behind each breakdown it
    can be cut by, and its measures (SQL aggregates, integers unless listed in `means`)."""

    name: str
    # FROM, joins and the filter's WHERE; given the tables the columns read (frames.tables_of),
    # it leaves out a join that neither they nor the filter need (one that keeps every row:
    # to a parent by a foreign key that is never null, or an outer join to a unique key).
    source: Callable[[ReportFilter, frozenset[str] | None], sa.Select]
    dimensions: Callable[[], dict]  # {breakdown name: SQL expression of its raw value}
    measures: Callable[[], dict]  # {measure name: SQL aggregate (a SUM or a COUNT)}
    # Measures that are sums of real numbers (scores); a mean is such a sum divided by a count,
    # in pandas, after the breakdowns have merged their groups.
    reals: frozenset[str] = field(default_factory=frozenset)

    def read(self, flt: ReportFilter, by: Sequence[str] = (),
             measures: Sequence[str] | None = None) -> pd.DataFrame:
        """One row per combination of the breakdowns' categories (empty ones included, at 0),
        the measures as columns (all, or those named: a figure that shows two of them does
        not pay for the others' subqueries). Breakdowns are columns of codes (ordered
        categoricals). Kept REPORT_CACHE_SECONDS per process: a national GROUP BY costs
        50-250 ms, and a dashboard shows several; `frame.attrs["as_of"]` says when it was read."""
        ttl = current_app.config["REPORT_CACHE_SECONDS"]
        measures = tuple(measures) if measures is not None else None
        key = (self.name, flt, tuple(by), measures, date.today())
        cache = current_app.extensions.setdefault("report_cache", OrderedDict())
        hit = cache.get(key)
        if ttl and hit is not None and hit[0] > time.monotonic():
            return hit[1].copy()
        frame = self._read(flt, by, measures)
        frame.attrs["as_of"] = datetime.now(UTC)
        if ttl:
            cache[key] = (time.monotonic() + ttl, frame)
            while len(cache) > CACHE_ENTRIES:
                cache.popitem(last=False)
        return frame.copy()

    def _read(self, flt: ReportFilter, by: Sequence[str], only: Sequence[str] | None
              ) -> pd.DataFrame:
        ctx = flt.context()
        dims = self.dimensions()
        unknown = [name for name in by if name not in dims]
        if unknown:
            raise ValueError(f"{self.name} cannot be cut by {unknown}")
        measures = self.measures()
        if only is not None:
            unknown = [name for name in only if name not in measures]
            if unknown:
                raise ValueError(f"{self.name} has no measure {unknown}")
            measures = {name: measures[name] for name in only}
        raw_columns, labelled = [], []
        for name in by:
            if name == "period":
                raw_columns += [sa.extract("year", dims[name]).label(RAW_PERIOD[0]),
                                sa.extract("month", dims[name]).label(RAW_PERIOD[1])]
            elif name in ("age_band", "youth"):
                if RAW_BIRTH_YEAR not in labelled:
                    raw_columns.append(sa.extract("year", dims[name]).label(RAW_BIRTH_YEAR))
                    labelled.append(RAW_BIRTH_YEAR)
            else:
                raw_columns.append(dims[name].label(name))
        used = tables_of([*raw_columns, *measures.values()])
        statement = self.source(flt, used).with_only_columns(
            *raw_columns, *(aggregate.label(measure) for measure, aggregate in measures.items()),
            maintain_column_froms=True)
        if raw_columns:
            statement = statement.group_by(*raw_columns)
        if flt.sees_nothing:
            statement = statement.where(sa.false())
        result = db.session.execute(statement)
        frame = pd.DataFrame(result.all(), columns=list(result.keys()))
        return shape(frame, by, list(measures), self.reals, ctx)


def shape(frame: pd.DataFrame, by: Sequence[str], measures: list[str], reals, ctx: Context
          ) -> pd.DataFrame:
    """Raw values to codes, every category listed, measures summed per combination."""
    dtypes: dict[str, pd.api.extensions.ExtensionDtype] = {
        m: pd.Float64Dtype() if m in reals else pd.Int64Dtype() for m in measures}
    for measure in measures:
        frame[measure] = frame[measure].astype(dtypes[measure])
    if RAW_PERIOD[0] in frame:
        frame["period"] = [f"{int(y):04d}-{int(m):02d}" if pd.notna(y) else None
                           for y, m in zip(frame.pop(RAW_PERIOD[0]), frame.pop(RAW_PERIOD[1]),
                                           strict=True)]
    for name in by:
        source = frame[RAW_BIRTH_YEAR] if name in ("age_band", "youth") else frame[name]
        frame[name] = BREAKDOWNS[name].apply(source, ctx)
    frame = frame.drop(columns=[RAW_BIRTH_YEAR], errors="ignore")
    if not by:
        return pd.DataFrame([{m: frame[m].sum() for m in measures}]).astype(dtypes)
    grouped = frame.groupby(list(by), observed=False, sort=True)[measures]
    result = grouped.sum().astype(dtypes).reset_index()
    for name in by:  # "not recorded" is listed only when something is not recorded
        unrecorded = result[name] == UNKNOWN
        if not result.loc[unrecorded, measures].any(axis=None):
            result = result[~unrecorded]
            result[name] = result[name].cat.remove_categories([UNKNOWN])
    return result.reset_index(drop=True)


def with_totals(table: pd.DataFrame) -> pd.DataFrame:
    """A pivoted table (index and columns of codes, integer cells) with a total row and a
    total column, labelled TOTAL."""
    table = table.copy()
    if isinstance(table.columns, pd.CategoricalIndex):
        table.columns = table.columns.astype("object")
    if isinstance(table.index, pd.CategoricalIndex):
        table.index = table.index.astype("object")
    table[TOTAL] = table.sum(axis=1)
    table.loc[TOTAL] = table.sum(axis=0)
    return table.astype("Int64")


def pivot(frame: pd.DataFrame, rows: str, columns: str, measure: str) -> pd.DataFrame:
    """`measure` with `rows` down and `columns` across, every category, totals added."""
    table = frame.pivot_table(index=rows, columns=columns, values=measure, aggfunc="sum",
                              observed=False, fill_value=0)
    return with_totals(table.astype("Int64"))


def label(table: pd.DataFrame, rows: str | None, columns: str | None, ctx: Context
          ) -> pd.DataFrame:
    """The same table with codes replaced by labels in the reader's language."""
    table = table.copy()
    if rows:
        table.index = [BREAKDOWNS[rows].label(str(code), ctx) for code in table.index]
    if columns:
        table.columns = [BREAKDOWNS[columns].label(str(code), ctx) for code in table.columns]
    return table


def hide_small_cells(table: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Counts of people from 1 to `threshold` - 1 become "< threshold", for anything that
    leaves the office. So that a hidden cell cannot be worked out from its line's total, a
    line with a single hidden cell hides its smallest other non-zero cell too (secondary
    suppression); totals under the threshold are hidden as well."""
    shown = table.astype("object")
    small = (table > 0) & (table < threshold)
    cells = table.drop(index=TOTAL, columns=TOTAL, errors="ignore")
    hidden = small.loc[cells.index, cells.columns].copy()
    for _ in range(2):  # rows then columns, twice: a second pass settles what the first moved
        for frame_axis in (1, 0):
            counts = hidden.sum(axis=frame_axis)
            for line in counts[counts == 1].index:
                values = cells.loc[line] if frame_axis == 1 else cells[line]
                line_hidden = hidden.loc[line] if frame_axis == 1 else hidden[line]
                candidates = values[(~line_hidden) & (values > 0)]
                if candidates.empty:
                    continue
                other = candidates.idxmin()
                if frame_axis == 1:
                    hidden.loc[line, other] = True
                else:
                    hidden.loc[other, line] = True
    marker = f"< {threshold}"
    for row in hidden.index:
        for column in hidden.columns:
            if hidden.loc[row, column]:
                shown.loc[row, column] = marker
    for total in (TOTAL,):  # a total under the threshold is hidden too
        if total in shown.index:
            for column in shown.columns:
                if bool(small.loc[total, column]):
                    shown.loc[total, column] = marker
        if total in shown.columns:
            for row in shown.index:
                if bool(small.loc[row, total]):
                    shown.loc[row, total] = marker
    return shown

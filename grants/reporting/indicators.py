"""The donor and CNRM indicator report: its sections for a period and a filter, each a list of
tables built from the facts (grants/reporting/facts.py) and shaped with pandas.

Every table has its raw figures (codes, nullable Int64 for counts and francs) and what is
shown outside the office: labels in French, people counted from 1 to REPORT_SMALL_CELL - 1
hidden as "< 5" (with a second cell on the line, see frames.hide_small_cells), and the
amounts, jobs and scores of a hidden group hidden with it. The sections themselves are in
`grants/reporting/indicator_sections.py`; the writers in `grants/exports/indicators.py`."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from flask import current_app
from flask_babel import lazy_gettext as _l

from grants.reporting.breakdowns import BREAKDOWNS, TOTAL, Context
from grants.reporting.filters import ReportFilter
from grants.reporting.frames import hide_small_cells, pivot, with_totals

PEOPLE, MONEY, NUMBER, SCORE = "people", "money", "number", "score"
CROSS = ["region", "sex", "age_band"]  # every section is cut by sex x age band x region


@dataclass
class Table:
    key: str  # ASCII, stable: the CSV's table column
    title: str
    raw: pd.DataFrame  # codes; counts and francs Int64, scores Float64; totals included
    shown: pd.DataFrame  # labels; small cells hidden (object: ints, "< 5", floats, None)
    kind: str = PEOPLE  # PEOPLE, MONEY, NUMBER (jobs) or SCORE
    chart: bool = False  # the section's chart draws this table (rows as categories)


@dataclass
class Section:
    key: str  # ASCII: the sheet's and the CSV's name
    title: str
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def chart_table(self) -> Table | None:
        return next((table for table in self.tables if table.chart), None)


@dataclass
class Report:
    flt: ReportFilter
    today: date
    sections: list[Section]
    method: list[tuple[str, str, str]]  # (section, figure, definition)


class Shaper:
    """What every section needs: the filter, its context, the threshold, the day."""

    def __init__(self, flt: ReportFilter, today: date):
        self.flt, self.today = flt, today
        self.ctx: Context = flt.context()
        self.threshold: int = current_app.config["REPORT_SMALL_CELL"]
        self.marker = f"< {self.threshold}"

    # --- hiding ------------------------------------------------------------------------------
    def hide(self, table: pd.DataFrame, people: pd.DataFrame | None = None) -> pd.DataFrame:
        """`table` counts people: hide its small cells. Otherwise `people` (same shape)
        counts the people behind each cell: hide the cells whose people are hidden."""
        if people is None:
            return hide_small_cells(table, self.threshold)
        hidden = hide_small_cells(people.reindex_like(table).fillna(0).astype("Int64"),
                                  self.threshold) == self.marker
        shown = table.astype("object")
        return shown.mask(hidden, self.marker)

    # --- labels ------------------------------------------------------------------------------
    def label_code(self, breakdown: str, code) -> str:
        if isinstance(code, str) and "|" in code:
            sex, band = code.split("|", 1)
            return f"{self.label_code('sex', sex)} {self.label_code('age_band', band)}"
        return BREAKDOWNS[breakdown].label(str(code), self.ctx)

    def labelled(self, table: pd.DataFrame, rows: str | None, columns: str | None,
                 names: dict | None = None) -> pd.DataFrame:
        """Codes to labels; `names` labels measures (rows or columns that are measures)."""
        names = {key: str(value) for key, value in (names or {}).items()}
        table = table.copy()

        def one(axis_breakdown: str | None, code) -> str:
            if code in names:
                return names[code]
            if code == TOTAL:
                return str(_l("Total"))
            if isinstance(code, str) and "|" in code:
                return self.label_code("sex", code)
            return self.label_code(axis_breakdown, code) if axis_breakdown else str(code)

        table.index = [one(rows, code) for code in table.index]
        table.columns = [one(columns, code) for code in table.columns]
        return table

    # --- shapes ------------------------------------------------------------------------------
    def cross(self, frame: pd.DataFrame, measure: str) -> pd.DataFrame:
        """Region down, sex x age band across ("F|18-24"…), with totals (Int64)."""
        frame = frame.copy()
        order = [f"{sex}|{band}" for sex in frame["sex"].cat.categories
                 for band in frame["age_band"].cat.categories]
        frame["group"] = pd.Categorical(frame["sex"].astype(str) + "|"
                                        + frame["age_band"].astype(str),
                                        categories=order, ordered=True)
        table = pivot(frame, "region", "group", measure)
        # A sex x band pair nobody in the data has (an age band "under 18"…) is left out.
        empty = [column for column in table.columns
                 if column != TOTAL and not table[column].any()]
        return table.drop(columns=empty)

    def cross_table(self, key: str, title, frame: pd.DataFrame, measure: str, *,
                    people: str | None = None, kind: str = PEOPLE) -> Table:
        """A measure by region x sex x age band, hidden by itself (people) or by `people`."""
        raw = self.cross(frame, measure)
        shown = self.hide(raw, self.cross(frame, people).reindex_like(raw).fillna(0)
                          if people else None)
        return Table(key, str(title), raw, self.labelled(shown, "region", None), kind)

    def measures_by(self, key: str, title, frame: pd.DataFrame, by: str,
                    measures: dict, *, kind: str = PEOPLE,
                    people: str | None = None, chart: bool = False) -> Table:
        """Rows: the categories of `by` (then Total); columns: the measures."""
        raw = frame.set_index(by)[list(measures)].astype("Int64")
        raw.index = raw.index.astype("object")
        raw.loc[TOTAL] = raw.sum(axis=0)
        raw = raw.astype("Int64")
        if people:
            counts = frame.set_index(by)[people].astype("Int64")
            counts.index = counts.index.astype("object")
            counts.loc[TOTAL] = counts.sum()
            shown = self.hide(raw, pd.DataFrame({m: counts for m in measures}).astype("Int64"))
        else:
            shown = self.hide(raw)
        return Table(key, str(title), raw, self.labelled(shown, by, None, measures), kind,
                     chart)

    def totals_by_sex(self, key: str, title, frame: pd.DataFrame, measures: dict,
                      *, kind: str = PEOPLE, people: str | None = None) -> Table:
        """Rows: the measures; columns: each sex and Total. The section's chart."""
        raw = frame.set_index("sex")[list(measures)].astype("Int64").T
        raw.columns = raw.columns.astype("object")
        raw = with_totals(raw).drop(index=TOTAL)
        if people:
            counts = frame.set_index("sex")[people].astype("Int64")
            counts.index = counts.index.astype("object")
            counts[TOTAL] = counts.sum()
            grid = pd.DataFrame([counts] * len(raw), index=raw.index).astype("Int64")
            shown = self.hide(raw, grid)
        else:
            shown = self.hide(raw)
        return Table(key, str(title), raw, self.labelled(shown, None, "sex", measures), kind,
                     chart=True)


def build(flt: ReportFilter, today: date,
          progress: Callable[[int, int], None] | None = None) -> Report:
    """Every section of the report, in order; `progress(done, total)` after each."""
    from grants.reporting import indicator_sections as sections
    from grants.reporting.indicator_method import METHOD

    shaper = Shaper(flt, today)
    builders = sections.SECTIONS
    built = []
    for done, builder in enumerate(builders, start=1):
        built.append(builder(shaper))
        if progress:
            progress(done, len(builders))
    return Report(flt, today, built, [(str(s), str(f), str(d)) for s, f, d in METHOD])

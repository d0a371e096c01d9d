"""The figures of the public transparency page: per call for proposals and per region, the
dossiers received, the projects funded, the amounts committed and disbursed, the share of
women and of youth among the funded projects' leads, and survival at one year.

Nothing personal leaves: counts of people from 1 to 4 are shown as "< 5" (with a second cell
of the same column hidden when one alone would be, see frames.hide_small_cells), and the
amounts, shares and rates of a line whose projects are hidden are not shown either (an amount
of one project is one person's grant). Draft calls are left out entirely."""

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa
from babel.numbers import format_decimal
from flask import current_app

from grants.extensions import db
from grants.formatting import babel_locale, money
from grants.models import Call
from grants.reporting import facts, money_facts
from grants.reporting.breakdowns import BREAKDOWNS, TOTAL
from grants.reporting.filters import ReportFilter
from grants.reporting.frames import hide_small_cells
from grants.vocabulary import CallStatus, Sex

SURVIVAL_MONTHS = 12
NOT_SHOWN = "—"


@dataclass(frozen=True)
class Line:
    label: str
    received: str
    funded: str
    committed: str
    disbursed: str
    women: str
    youth: str
    survival: str


@dataclass(frozen=True)
class Figures:
    calls: list[Line]
    regions: list[Line]
    as_of: datetime
    threshold: int


def _percent(part: int, whole: int) -> str:
    return format_decimal(100 * part / whole, format="#,##0", locale=babel_locale()) + "\u00a0%"


def _lines(by: str, dossiers: pd.DataFrame, money_: pd.DataFrame, survival: pd.DataFrame,
           threshold: int) -> list[Line]:
    flt = ReportFilter()
    counts = dossiers.groupby(by, observed=True)[["submitted", "funded"]].sum()
    women = dossiers[dossiers.sex == Sex.FEMALE.value].groupby(by, observed=True).funded.sum()
    youth = dossiers[dossiers.youth == "youth"].groupby(by, observed=True).funded.sum()
    amounts = money_.groupby(by, observed=True)[["committed", "disbursed"]].sum()
    fates = survival.groupby(by, observed=True)[["observed", "operating"]].sum()
    table = counts.join(amounts, how="outer").join(fates, how="outer")
    table["women"], table["youth"] = women, youth
    table = table.fillna(0).astype("Int64")
    table.index = table.index.astype("object")
    table.loc[TOTAL] = table.sum()
    shown = {column: hide_small_cells(table[[column]], threshold)[column]
             for column in ("submitted", "funded", "observed")}
    ctx = flt.context()
    lines = []
    for code in table.index:
        row = table.loc[code]
        funded_shown = not isinstance(shown["funded"][code], str) and row.funded > 0
        survival_shown = not isinstance(shown["observed"][code], str) and row.observed > 0
        lines.append(Line(
            label=BREAKDOWNS[by].label(str(code), ctx),
            received=_count(shown["submitted"][code]), funded=_count(shown["funded"][code]),
            committed=money(int(row.committed)) if funded_shown or not row.funded else NOT_SHOWN,
            disbursed=money(int(row.disbursed)) if funded_shown or not row.funded else NOT_SHOWN,
            women=_percent(int(row.women), int(row.funded)) if funded_shown else NOT_SHOWN,
            youth=_percent(int(row.youth), int(row.funded)) if funded_shown else NOT_SHOWN,
            survival=(_percent(int(row.operating), int(row.observed)) if survival_shown
                      else NOT_SHOWN)))
    return lines


def _count(value) -> str:
    return value if isinstance(value, str) else format_decimal(int(value), locale=babel_locale())


def figures(today: date) -> Figures:
    """The page's two tables (a total line last in each), read from the reporting layer."""
    threshold = current_app.config["REPORT_SMALL_CELL"]
    flt = ReportFilter()
    drafts = {str(call_id) for call_id in db.session.scalars(
        sa.select(Call.id).where(Call.status == CallStatus.DRAFT))}
    # Only the measures the page shows: the dossiers' stages and the returnees' other counts
    # would cost subqueries it does not publish.
    dossiers = facts.DOSSIERS.read(flt, ["call", "region", "sex", "youth"],
                                   ["submitted", "funded"])
    money_ = money_facts.MONEY.read(flt, ["call", "region"], ["committed", "disbursed"])
    survival = facts.survival(SURVIVAL_MONTHS, today).read(flt, ["call", "region"],
                                                           ["observed", "operating"])
    frames = []
    for frame in (dossiers, money_, survival):
        frame = frame[~frame.call.astype(str).isin(drafts)]
        frame = frame.assign(call=frame.call.cat.remove_categories(
            sorted(drafts & set(frame.call.cat.categories))))
        frames.append(frame)
    dossiers, money_, survival = frames
    return Figures(calls=_lines("call", dossiers, money_, survival, threshold),
                   regions=_lines("region", dossiers, money_, survival, threshold),
                   as_of=dossiers.attrs.get("as_of") or datetime.now(), threshold=threshold)

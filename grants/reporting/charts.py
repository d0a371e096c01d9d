"""The programme's charts, drawn on the server as small SVG that a page inlines.

Why matplotlib: a chart is then a few kilobytes of SVG in the page, with no script (the
pages have none to speak of, and the CSP forbids inline script), nothing from another host
and nothing more for a slow connection to download. A JavaScript library would add script
and weight to every page; Altair needs vl-convert, a binary of about 100 MB, to write SVG.

Each function takes plain data whose labels are already translated (a pandas Series or
DataFrame: the index gives the bars or periods, the columns the series; or a list of
(label, value) pairs) and returns the SVG as text, without XML prolog: `role="img"` and a
<title> name the chart for screen readers, the page shows the table beside it
(templates/reporting/_figure.html). Text stays text (`svg.fonttype: none`), output is the
same for the same input (a fixed `svg.hashsalt`, no date) and is cached on that input, since
dashboards redraw the same figures on every request. Money stays whole F CFA: an `Int64`
column with gaps is read as integers and missing values, never as floats.

matplotlib is imported inside the functions: the app starts without it, and only the
pages that draw pay its import once."""

import io
import math
import textwrap
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache

from babel.numbers import format_decimal, format_percent
from flask_babel import get_locale
from flask_babel import gettext as _

from grants.formatting import babel_locale, money
from grants.reporting import svg
from grants.reporting.svg import GREEN, GRID, MUTED, SERIES_COLOURS, TEXT

Value = int | float | None
Table = tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[Value, ...], ...]]
FORMATS = ("count", "money", "percent", "score")
WIDTH = 5.0  # inches: 360 units of the viewBox, about the width of a phone's screen
FONT_SIZE = 12
LABEL_SIZE = 11  # the values on the bars
NARROW_SPACE = "\u202f"
LINE_STYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "D", "^", "v", "P", "X")

# rcParams are global to the process: the lock keeps two requests' drawings apart.
_drawing = threading.Lock()
STYLE = {
    "svg.fonttype": "none", "svg.hashsalt": "grants-charts", "font.family": "DejaVu Sans",
    "font.size": FONT_SIZE, "text.color": TEXT, "axes.edgecolor": GRID,
    "axes.labelcolor": TEXT, "axes.spines.top": False, "axes.spines.right": False,
    "xtick.color": MUTED, "ytick.color": MUTED, "xtick.labelcolor": TEXT,
    "ytick.labelcolor": TEXT, "xtick.major.size": 0, "ytick.major.size": 0,
    "legend.frameon": False, "legend.fontsize": LABEL_SIZE, "axes.grid": False, "grid.color": GRID,
    "grid.linewidth": 0.8, "lines.linewidth": 2, "hatch.color": "white",
    "text.parse_math": False}  # a "$" in a call's name is a dollar sign, not TeX


# ---- numbers -------------------------------------------------------------------------------

def short_number(value: float) -> str:
    """An axis's figure: 950, "250 k", "1,5 M", "2 Md" (French) or "2 bn"."""
    size = abs(value)
    for threshold, unit in ((1e9, _("bn")), (1e6, "M"), (1e3, "k")):
        if size >= threshold:
            figure = format_decimal(value / threshold, format="#,##0.#", locale=babel_locale())
            return f"{figure}{NARROW_SPACE}{unit}"
    return format_decimal(round(value), locale=babel_locale())


def label_text(value: Value, value_format: str) -> str:
    """A value as its bar or tile shows it; an amount of a million or more is shortened
    ("12,5 M F CFA"): the table beside the chart has every franc."""
    if value is None:
        return "—"
    locale = babel_locale()
    if value_format == "money":
        if abs(value) >= 1_000_000:
            return short_number(value) + money(0).removeprefix("0")
        return money(int(value))
    if value_format == "percent":
        return format_percent(value, locale=locale)
    if value_format == "score":
        return format_decimal(value, format="#,##0.0", locale=locale)
    return format_decimal(value, locale=locale)


def axis_text(value: float, value_format: str) -> str:
    if value_format == "percent":
        return format_percent(value, locale=babel_locale())
    return short_number(value) if value_format in ("count", "money") else (
        format_decimal(value, format="#,##0.#", locale=babel_locale()))


# ---- input ---------------------------------------------------------------------------------

def plain_value(value, value_format: str) -> Value:
    """One cell as a Python number: integers stay integers (Int64, numpy ints), gaps None."""
    import pandas as pd

    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    number = float(value)
    if number.is_integer() and value_format in ("count", "money"):
        return int(value)
    if value_format == "money":
        raise TypeError("money amounts are whole F CFA integers")
    return int(value) if isinstance(value, int) else number


def as_table(data, value_format: str) -> Table:
    """(row labels, series names, rows of values) from a Series, a DataFrame or pairs: plain
    and hashable, the key of the cache."""
    import pandas as pd

    if value_format not in FORMATS:
        raise ValueError(f"value_format is one of {FORMATS}")
    if isinstance(data, dict):
        data = list(data.items())
    if not isinstance(data, pd.Series | pd.DataFrame):
        pairs = list(data)
        data = pd.Series([v for _label, v in pairs], index=[label for label, _v in pairs],
                         dtype="object")
    frame = data.to_frame(name=str(data.name) if data.name is not None else "") if (
        isinstance(data, pd.Series)) else data
    rows = tuple(tuple(plain_value(v, value_format) for v in row)
                 for row in frame.itertuples(index=False, name=None))
    return (tuple(str(label) for label in frame.index),
            tuple(str(name) for name in frame.columns), rows)


def table(data, value_format: str = "count", first_header: str = "") -> tuple[list[str],
                                                                           list[list[str]]]:
    """(headers, rows) of the table beside a chart, every figure in full: amounts to the
    franc ("1 500 000 F CFA"), where the chart's labels shorten them."""
    labels, names, rows = as_table(data, value_format)

    def full(value: Value) -> str:
        if value_format == "money" and value is not None:
            return money(int(value))
        return label_text(value, value_format)

    headers = [first_header] + [name or _("Value") for name in names]
    return headers, [[label, *(full(v) for v in row)] for label, row in zip(labels, rows,
                                                                             strict=True)]


def _empty(table: Table) -> bool:
    return all(v is None for row in table[2] for v in row) or not table[1]


def _cached(kind: str, draw: Callable) -> Callable:
    """The chart's SVG, drawn once per input, title, options and language."""
    @lru_cache(maxsize=256)
    def render(table: Table, title: str, options: tuple, locale: str) -> str:
        prefix = svg.chart_prefix((kind, table, title, options, locale))
        if _empty(table):
            return svg.no_data(title, prefix)
        import matplotlib

        with _drawing, matplotlib.rc_context(STYLE):  # type: ignore[arg-type]
            figure = draw(table, **dict(options))
            out = io.StringIO()
            figure.savefig(out, format="svg", metadata={"Date": None})
        return svg.tidy(out.getvalue(), title, prefix)

    return render


def _figure(height: float):
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    figure = Figure(figsize=(WIDTH, height), facecolor="none",
                    layout=ConstrainedLayoutEngine(w_pad=0.04, h_pad=0.04))
    return figure, figure.add_subplot(facecolor="none")


def _legend(figure, names: Iterable[str], line: bool = False) -> None:
    names = list(names)
    if len(names) > 1:
        figure.legend(loc="outside upper center", ncols=min(len(names), 3),
                      handlelength=2.4 if line else 0.9, handleheight=0.9, columnspacing=1.2)


def _wrap(label: str, width: int) -> str:
    return textwrap.fill(label, width, break_long_words=False) or label


def _on_colour(fill: str) -> str:
    """Dark or white text, whichever reads better on a bar's colour."""
    r, g, b = (int(fill[i:i + 2], 16) / 255 for i in (1, 3, 5))
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "white" if (1.05 / (luminance + 0.05)) >= ((luminance + 0.05) / 0.066) else TEXT


def _value_axis(axis, value_format: str) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(4, integer=value_format in ("count", "money")))
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: axis_text(v, value_format)))


# ---- bars ----------------------------------------------------------------------------------

def _bar_text(value: Value, value_format: str, horizontal: bool) -> str:
    """A bar's figure; standing bars are narrow on a phone: their amounts without "F CFA"
    (the title says the unit)."""
    if value_format == "money" and not horizontal and value is not None:
        return short_number(value)
    return label_text(value, value_format)


def _draw_bars(table: Table, value_format: str, horizontal: bool, stacked: bool):
    import numpy as np

    labels, names, rows = table
    grouped = len(names) > 1 and not stacked
    per_row = 0.24 * len(names) + 0.12 if grouped else 0.34
    height = 0.75 + (per_row * len(labels) if horizontal else 2.4) + 0.25 * (len(names) > 1)
    figure, ax = _figure(height)
    positions = np.arange(len(labels))
    width = 0.8 / len(names) if grouped else 0.7
    base = np.zeros(len(labels))
    largest = max(sum(v or 0 for v in row) if stacked else max(v or 0 for v in row)
                  for row in rows) or 1
    draw = ax.barh if horizontal else ax.bar
    container = None
    for i, name in enumerate(names):
        values = [row[i] for row in rows]
        sizes = np.array([v or 0 for v in values], dtype=float)
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        offset = (i - (len(names) - 1) / 2) * width if grouped else 0
        extra = ({"left": base} if horizontal else {"bottom": base}) if stacked else {}
        container = draw(positions + offset, sizes, width, color=colour, label=name, **extra)
        texts = [_bar_text(v, value_format, horizontal) for v in values]
        if stacked:  # inside the segments wide enough to hold their figure
            texts = [t if (v or 0) >= 0.12 * largest else "" for t, v in zip(texts, values,
                                                                                strict=True)]
            ax.bar_label(container, labels=texts, label_type="center", fontsize=LABEL_SIZE,
                         color=_on_colour(colour))
        else:
            ax.bar_label(container, labels=texts, padding=3, fontsize=LABEL_SIZE, color=TEXT)
        base = base + sizes
    if stacked and len(names) > 1 and container is not None:
        totals = [_bar_text(int(t) if value_format in ("count", "money") else t, value_format,
                            horizontal) for t in base]
        ax.bar_label(container, labels=totals, padding=3, fontsize=LABEL_SIZE, color=TEXT,
                     fontweight="bold")
    category_axis, value_axis = (ax.yaxis, ax.xaxis) if horizontal else (ax.xaxis, ax.yaxis)
    wrap = 22 if horizontal else max(6, 48 // max(len(labels), 1))
    category_axis.set_ticks(positions, [_wrap(label, wrap) for label in labels])
    _value_axis(value_axis, value_format)
    ax.grid(True, axis="x" if horizontal else "y")
    ax.set_axisbelow(True)
    if horizontal:
        ax.invert_yaxis()  # the first row on top, as in the table
        ax.margins(x=0.3 if value_format == "money" else 0.16, y=0.04)
        ax.spines["bottom"].set_visible(False)
    else:
        ax.margins(y=0.14)
        ax.spines["left"].set_visible(False)
    _legend(figure, names)
    return figure


_render_bars = _cached("bar", _draw_bars)


def bar_chart(data, title: str, value_format: str = "count", *, horizontal: bool = False,
              stacked: bool = False) -> str:
    """Bars with their values: one per row of a Series, or per row and column of a DataFrame
    (grouped side by side, or stacked with each row's total); horizontal bars suit long labels
    and many rows (regions) on a phone. value_format: count, money, percent (shares 0-1) or
    score."""
    return _render_bars(as_table(data, value_format), str(title),
                        (("value_format", value_format), ("horizontal", horizontal),
                         ("stacked", stacked)), language())


# ---- lines ---------------------------------------------------------------------------------

def _lines(table: Table, value_format: str):
    labels, names, rows = table
    figure, ax = _figure(2.9 + 0.25 * (len(names) > 1))
    positions = list(range(len(labels)))
    for i, name in enumerate(names):
        values = [math.nan if row[i] is None else row[i] for row in rows]
        ax.plot(positions, values, color=SERIES_COLOURS[i % len(SERIES_COLOURS)],
                linestyle=LINE_STYLES[i % len(LINE_STYLES)], marker=MARKERS[i % len(MARKERS)],
                markersize=4 if len(labels) > 1 else 7, label=name,
                # past a year of months, a marker on the last point only: lighter, and the
                # dashes still tell the lines apart
                markevery=[len(labels) - 1] if len(labels) > 12 else None)
    step = max(1, math.ceil(len(labels) / 4))  # four period labels fit on a phone
    ax.set_xticks(positions[::step], [_wrap(label, 10) for label in labels[::step]])
    ax.set_xlim(-0.5, len(labels) - 0.5)
    ax.tick_params(axis="x", pad=7)  # clear of the value axis's 0
    _value_axis(ax.yaxis, value_format)
    if all(v is None or v >= 0 for row in rows for v in row):
        ax.set_ylim(bottom=0)
    ax.margins(y=0.1)
    ax.grid(True, axis="y")
    ax.spines["left"].set_visible(False)
    _legend(figure, names, line=True)
    return figure


_render_lines = _cached("line", _lines)


def line_chart(frame, title: str, value_format: str = "money") -> str:
    """Several series over periods: the index gives the periods in order (labels already
    written, "janv. 2026"), each column a line, told apart by colour, dash and marker."""
    return _render_lines(as_table(frame, value_format), str(title),
                         (("value_format", value_format),), language())


# ---- funnel --------------------------------------------------------------------------------

def _funnel(table: Table):
    labels, _names, rows = table
    values = [row[0] or 0 for row in rows]
    first, largest = values[0], max(values) or 1
    figure, ax = _figure(0.2 + 0.5 * len(labels))
    for y, (label, value) in enumerate(zip(labels, values, strict=True)):
        ax.barh(y, value, 0.42, color=GREEN)
        ax.text(0, y - 0.3, label, va="bottom", ha="left", fontsize=FONT_SIZE, color=TEXT)
        share = f" ({format_percent(value / first, locale=babel_locale())})" if first else ""
        text = label_text(value, "count") + share
        inside = value >= 0.6 * largest
        ax.text(value - 0.015 * largest if inside else value + 0.015 * largest, y, text,
                va="center", ha="right" if inside else "left", fontsize=LABEL_SIZE,
                color="white" if inside else TEXT, fontweight="bold" if inside else "normal")
    ax.set_xlim(0, largest)
    ax.set_ylim(len(labels) - 0.6, -0.75)
    ax.set_axis_off()
    return figure


_render_funnel = _cached("funnel", _funnel)


def funnel_chart(series, title: str) -> str:
    """The stages of a pipeline in order (registered, submitted, eligible, selected...): one
    bar each, with its count and its share of the first stage."""
    return _render_funnel(as_table(series, "count"), str(title), (), language())


def language() -> str:
    """The reader's language, part of every cache key (labels and numbers depend on it)."""
    return str(get_locale() or "fr")


def clear_cache() -> None:
    for render in (_render_bars, _render_lines, _render_funnel):
        render.cache_clear()  # type: ignore[attr-defined]  # an lru_cache wrapper

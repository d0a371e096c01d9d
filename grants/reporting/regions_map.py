"""Mali's 20 regions as a tile map: one square per region, placed roughly as on the map
(Taoudénit and Kidal north, Kayes and Nioro west, Bougouni and Sikasso south, Ménaka east),
shaded by a value, each with its name, its value and a link to the list behind it.

Why tiles and not the regions' outlines: boundaries of the 2023 regions (Bamako district and
19 regions, among them Nioro, Kita, Dioïla, Nara, Bougouni, Koutiala, San, Douentza and
Bandiagara, carved out of the old 8) are not published under an open licence in a form that
matches the 20 regions, and drawing them from the old ones would be wrong. A tile map is
exact about what it claims (which region, how much), gives the small regions (Bamako) as much
room as the vast ones (Tombouctou, Taoudénit), whose area would otherwise outweigh where the
programme works, and weighs about 6 kB."""

import math
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from functools import lru_cache

from flask_babel import gettext as _

from grants.reporting import charts, svg
from grants.reporting.svg import EMPTY_TILE, GRID, MUTED, SEQUENTIAL, TEXT

# code: (name, name on the tile, column, row). Columns west to east, rows north to south;
# codes and names as in docs/DOMAIN.md and the Region table.
REGIONS: dict[str, tuple[str, str, int, int]] = {
    "09": ("Taoudénit", "Taoud.", 4, 0),
    "08": ("Kidal", "Kidal", 5, 0),
    "06": ("Tombouctou", "Tomb.", 4, 1),
    "07": ("Gao", "Gao", 5, 1),
    "10": ("Ménaka", "Ménaka", 6, 1),
    "11": ("Nioro", "Nioro", 1, 2),
    "14": ("Nara", "Nara", 2, 2),
    "05": ("Mopti", "Mopti", 4, 2),
    "18": ("Douentza", "Douentza", 5, 2),
    "01": ("Kayes", "Kayes", 0, 3),
    "12": ("Kita", "Kita", 1, 3),
    "02": ("Koulikoro", "Koulik.", 2, 3),
    "04": ("Ségou", "Ségou", 3, 3),
    "17": ("San", "San", 4, 3),
    "19": ("Bandiagara", "Bandiag.", 5, 3),
    "00": ("District de Bamako", "Bamako", 2, 4),
    "13": ("Dioïla", "Dioïla", 3, 4),
    "16": ("Koutiala", "Koutiala", 4, 4),
    "15": ("Bougouni", "Bougouni", 3, 5),
    "03": ("Sikasso", "Sikasso", 4, 5),
}
TILE, STEP = 46, 48  # units of the viewBox; 7 columns fill a phone's 336 pixels at scale 1
COLUMNS, ROWS = 7, 6
LIGHT_TEXT = svg.SEQUENTIAL_LIGHT_TEXT


def classes(largest: int) -> list[tuple[int, int]]:
    """Up to four equal classes of positive values, (low, high) inclusive: 14 gives 1-4,
    5-7, 8-11, 12-14; 2 gives 1-1, 2-2. Zero has a class of its own."""
    if largest <= 0:
        return []
    bounds = sorted({math.ceil(largest * k / 4) for k in range(1, 5)})
    lows = [1] + [b + 1 for b in bounds[:-1]]
    return list(zip(lows, bounds, strict=True))


def _class_text(low: int, high: int, value_format: str) -> str:
    def figure(value: int) -> str:
        return charts.short_number(value) if value_format == "money" else (
            charts.label_text(value, "count"))
    return figure(low) if low == high else f"{figure(low)}–{figure(high)}"


def _shade(value: int | None, bins: list[tuple[int, int]]) -> str:
    if not value:
        return EMPTY_TILE if value == 0 else "white"
    for index, (_low, high) in enumerate(bins):
        if value <= high:
            return SEQUENTIAL[index + (len(SEQUENTIAL) - len(bins))]
    return SEQUENTIAL[-1]


def _legend(root: ET.Element, title: str, bins, value_format: str) -> None:
    """In the empty north-west corner (Mauritania's side): the scale, lightest first."""
    svg.element(root, "text", title, x=0, y=11, font_size=10, font_weight="bold", fill=TEXT)
    entries = [(EMPTY_TILE, charts.label_text(0, "count"))]
    entries += [(_shade(high, bins), _class_text(low, high, value_format)) for low, high in bins]
    for index, (fill, text) in enumerate(entries):
        y = 19 + index * 15
        svg.element(root, "rect", x=0, y=y, width=12, height=12, rx=2, fill=fill, stroke=GRID)
        svg.element(root, "text", text, x=17, y=y + 10, font_size=10, fill=TEXT)


@lru_cache(maxsize=64)
def _draw(values: tuple[tuple[str, int | None], ...], title: str, legend_title: str,
          value_format: str, links: tuple[tuple[str, str], ...], language: str) -> str:
    prefix = svg.chart_prefix(("tiles", values, title, legend_title, value_format, links,
                               language))
    figures = dict(values)
    hrefs = dict(links)
    bins = classes(max((v for v in figures.values() if v is not None), default=0))
    root = ET.Element(f"{{{svg.SVG_NS}}}svg",
                      {"viewBox": f"-1 -1 {COLUMNS * STEP} {ROWS * STEP}"})  # room for strokes
    _legend(root, legend_title, bins, value_format)
    for code, (name, short, column, row) in REGIONS.items():
        value = figures.get(code)
        shown = charts.label_text(value, value_format)
        parent = svg.element(root, "a", href=hrefs[code]) if code in hrefs else root
        tile = svg.element(parent, "g", class_="tile", data_region=code)
        svg.element(tile, "title", _("%(region)s: %(value)s", region=name, value=shown))
        x, y = column * STEP, row * STEP
        fill = _shade(value, bins)
        colour = "white" if fill in LIGHT_TEXT else TEXT
        svg.element(tile, "rect", x=x, y=y, width=TILE, height=TILE, rx=4, fill=fill,
                    stroke=GRID if fill in (EMPTY_TILE, "white") else None)
        svg.element(tile, "text", short, x=x + TILE / 2, y=y + 16, font_size=9.5,
                    text_anchor="middle", fill=colour if value else MUTED,
                    # the longest names are squeezed into the tile whatever the font
                    textLength=TILE - 4 if len(short) >= 8 else None,
                    lengthAdjust="spacingAndGlyphs" if len(short) >= 8 else None)
        svg.element(tile, "text", charts.short_number(value) if (
            value_format == "money" and value) else shown, x=x + TILE / 2, y=y + 36,
            font_size=14, font_weight="bold", text_anchor="middle", fill=colour)
    return svg.finish(root, title, prefix, role="group" if links else "img")


def tile_map(values: Mapping[str, int | None], title: str, *, legend_title: str = "",
             value_format: str = "count", link: Callable[[str], str] | None = None) -> str:
    """The regions shaded by `values` (region code -> whole number, e.g. funded projects, or
    an amount with value_format="money"; a region without a value shows "—"). `link` gives a
    region's filtered list (code -> address): each tile then links to it, and the map is a
    group of links rather than one image for screen readers."""
    if value_format not in ("count", "money"):
        raise ValueError("a tile map shows counts or amounts")
    plain: dict[str, int | None] = {}
    for code, value in dict(values).items():
        if code not in REGIONS:
            raise ValueError(f"unknown region code {code!r}")
        number = charts.plain_value(value, value_format)
        if number is not None and not isinstance(number, int):
            raise TypeError("a tile map shows whole numbers")
        plain[code] = number
    links = tuple((code, link(code)) for code in REGIONS) if link else ()
    return _draw(tuple(sorted(plain.items())), str(title), str(legend_title or title),
                 value_format, links, charts.language())

"""The charts' SVG made fit to inline in a page: our palette, and matplotlib's output tidied.

matplotlib writes its colours and fonts in `style="..."` attributes and a `<style>` element;
our CSP (`style-src 'self'`, grants/security.py) refuses both in a page, so the charts would
lose every colour. `tidy()` turns them into presentation attributes (`fill="#198754"`), which
no CSP governs, and drops what a page does not need: the XML prolog, the metadata (it names
matplotlib's web site), clip paths (our charts draw inside their axes), invisible background
patches and unused ids. It gives every id left a prefix of its own, so that two charts on
one page do not share ids, and a <title> that names the chart to screen readers."""

import hashlib
import re
import xml.etree.ElementTree as ET

from flask_babel import gettext as _

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

# Bootstrap's colours as the app uses them (its green is the app's, see grants/static/favicon.svg)
# then Okabe & Ito's colour-blind safe set: series stay distinct for the colour-blind, and
# lines also differ by dash and marker.
GREEN = "#198754"
SERIES_COLOURS = ("#198754", "#E69F00", "#0072B2", "#D55E00", "#56B4E9", "#CC79A7", "#6C757D")
TEXT = "#212529"
MUTED = "#6C757D"  # 4.7:1 on white
GRID = "#DEE2E6"
# A sequential scale: Bootstrap's green 100 to 700 (one hue, lightness alone tells the order).
# White text is readable on the last two (4.5:1 and more), dark text on the others.
SEQUENTIAL = ("#D1E7DD", "#75B798", "#198754", "#0F5132")
SEQUENTIAL_LIGHT_TEXT = frozenset(SEQUENTIAL[2:])
EMPTY_TILE = "#F1F3F5"
# The page's own fonts (Bootstrap's system stack); matplotlib measured with DejaVu Sans, which
# is wider, so the text only gets a little more room.
FONT_FAMILY = "system-ui,-apple-system,Segoe UI,Roboto,Arial,sans-serif"

PRESENTATION = frozenset({
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
    "stroke-linecap", "stroke-linejoin", "stroke-dasharray", "stroke-dashoffset",
    "stroke-miterlimit", "opacity", "font-size", "font-weight", "font-style", "text-anchor",
    "dominant-baseline"})
NUMBER = re.compile(r"-?\d+\.\d+")
REFERENCE = re.compile(r"url\(#([^)]+)\)")
NO_ROTATION = re.compile(r"^rotate\(-?0(?:\.0+)? [^)]*\)$")

ET.register_namespace("", SVG_NS)


def chart_prefix(key: object) -> str:
    """A short prefix for a chart's ids, the same for the same input (output is deterministic)."""
    return "c" + hashlib.sha256(repr(key).encode()).hexdigest()[:8]


def _tag(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _round(text: str) -> str:
    """Coordinates to a hundredth of a unit: matplotlib writes six decimals."""
    return NUMBER.sub(lambda m: f"{float(m.group()):.2f}".rstrip("0").rstrip("."), text)


def _style_to_attributes(element: ET.Element) -> None:
    style = element.attrib.pop("style", "")
    for declaration in style.split(";"):
        name, _colon, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name in PRESENTATION and value:
            element.set(name, value.removesuffix("px") if name == "font-size" else value)


def _invisible(element: ET.Element) -> bool:
    return (_tag(element) == "path" and element.get("fill", "none") == "none"
            and element.get("stroke", "none") == "none")


def _referenced_ids(root: ET.Element) -> set[str]:
    found = set()
    for element in root.iter():
        for name, value in element.attrib.items():
            if name in ("href", f"{{{XLINK_NS}}}href") and value.startswith("#"):
                found.add(value[1:])
            found.update(REFERENCE.findall(value))
    return found


def _prune(parent: ET.Element) -> None:
    """Drops clip paths, metadata, style sheets, invisible patches and empty groups; unwraps
    groups that carry no attribute."""
    for child in list(parent):
        tag = _tag(child)
        if tag in ("metadata", "style", "clipPath") or _invisible(child):
            parent.remove(child)
            continue
        _prune(child)
        if tag in ("g", "defs") and len(child) == 0:
            parent.remove(child)
        elif tag == "g" and not child.attrib:
            index = list(parent).index(child)
            parent.remove(child)
            for offset, grandchild in enumerate(list(child)):
                parent.insert(index + offset, grandchild)


def tidy(svg_text: str, title: str, prefix: str) -> str:
    """matplotlib's SVG as an inline one: see the module's docstring."""
    root = ET.fromstring(svg_text)  # noqa: S314 (matplotlib's own output, which escapes our text)
    for element in root.iter():
        _style_to_attributes(element)
        element.attrib.pop("clip-path", None)
        element.attrib.pop("font-family", None)  # the root's, inherited
        transform = element.get("transform")
        if transform and NO_ROTATION.match(_round(transform)):
            del element.attrib["transform"]
    kept = _referenced_ids(root)
    for element in root.iter():
        if element.get("id") not in kept:
            element.attrib.pop("id", None)
    _prune(root)
    for element in root.iter():
        element_id = element.get("id")
        if element_id is not None:
            element.set("id", prefix + element_id)
        for name in list(element.attrib):
            value = element.attrib[name]
            if name == f"{{{XLINK_NS}}}href":  # SVG 2's plain href: no second namespace
                del element.attrib[name]
                name = "href"
            if name == "href" and value.startswith("#"):
                value = f"#{prefix}{value[1:]}"
            value = REFERENCE.sub(lambda m: f"url(#{prefix}{m.group(1)})", value)
            if name == "d":
                value = " ".join(value.split())
            element.set(name, _round(value))
    return finish(root, title, prefix)


def finish(root: ET.Element, title: str, prefix: str, role: str = "img") -> str:
    """The root's attributes for a page (scales to its container's width, names itself to
    screen readers) and the text to inline: no XML prolog. A chart of links is a "group": the
    children of an "img" are hidden from screen readers."""
    view_box = root.get("viewBox")
    root.attrib.clear()
    root.attrib.update({
        "viewBox": view_box or "0 0 360 240", "width": "100%", "class": "chart", "role": role,
        "aria-labelledby": f"{prefix}t", "font-family": FONT_FAMILY,
        "stroke-linejoin": "round", "stroke-linecap": "butt"})
    heading = ET.Element(f"{{{SVG_NS}}}title", {"id": f"{prefix}t"})
    heading.text = title
    root.insert(0, heading)
    ET.indent(root, space="")
    # Registered again at each use, not only at import: ElementTree's prefixes are global and
    # WeasyPrint registers its own (PDF metadata), after which <svg> came out as <ns0:svg>,
    # which a browser does not draw.
    ET.register_namespace("", SVG_NS)
    return ET.tostring(root, encoding="unicode")


def element(parent: ET.Element, tag: str, text: str | None = None, **attributes) -> ET.Element:
    """A child element; attribute names with "_" become "-" (font_size -> font-size)."""
    child = ET.SubElement(parent, f"{{{SVG_NS}}}{tag}",
                          {name.rstrip("_").replace("_", "-"): str(value)
                           for name, value in attributes.items() if value is not None})
    if text is not None:
        child.text = text
    return child


def no_data(title: str, prefix: str) -> str:
    """The chart of empty data: a short band that says so."""
    root = ET.Element(f"{{{SVG_NS}}}svg", {"viewBox": "0 0 360 60"})
    element(root, "rect", x=0.5, y=0.5, width=359, height=59, rx=6, fill="none", stroke=GRID)
    element(root, "text", _("No data"), x=180, y=35, text_anchor="middle", font_size=14,
            fill=MUTED)
    return finish(root, title, prefix)

"""The charts (grants/reporting/charts.py, regions_map.py) and their figure macro: SVG that a page
can inline under our CSP, that says what it shows to screen readers, the same bytes for the
same figures, whole francs, and the 20 regions of the 2023 reform on the tile map."""

import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from flask import render_template_string
from flask_babel import force_locale

from grants.extensions import db
from grants.models import Region
from grants.reporting import charts, regions_map

SVG = "{http://www.w3.org/2000/svg}"
NAMESPACES = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink")
LIMIT = 15_000  # bytes of a typical chart, uncompressed
MONTHS = [f"{m:02d}/2026" for m in range(1, 13)]
REGION_NAMES = [name for name, *_rest in regions_map.REGIONS.values()]


@pytest.fixture
def french(app):
    charts.clear_cache()
    with app.test_request_context(), force_locale("fr"):
        yield


def parsed(svg: str) -> ET.Element:
    assert not svg.startswith("<?xml"), "inlined in a page: no XML prolog"
    root = ET.fromstring(svg)  # noqa: S314 (our own output)
    assert root.tag == f"{SVG}svg"
    return root


def texts(svg: str) -> list[str]:
    return ["".join(e.itertext()) for e in parsed(svg).iter(f"{SVG}text")]


def assert_safe(svg: str) -> None:
    """Nothing a page under our CSP would refuse or fetch: no script, no style attribute or
    sheet, no image, no outside address (the namespaces are names, never fetched)."""
    root = parsed(svg)
    for address in re.findall(r"https?://[^\s\"'<>)]+", svg):
        assert address in NAMESPACES, address
    for element in root.iter():
        tag = element.tag.removeprefix(SVG)
        assert tag not in ("script", "style", "image", "foreignObject", "iframe"), tag
        assert "style" not in element.attrib
        assert not any(name.lower().startswith("on") for name in element.attrib)
        for name, value in element.attrib.items():
            if name.endswith("href") and tag != "a":
                assert value.startswith("#"), value


def assert_named(svg: str, title: str) -> None:
    root = parsed(svg)
    assert root.get("role") in ("img", "group")
    heading = root.find(f"{SVG}title")
    assert heading is not None and heading.text == title
    assert root.get("aria-labelledby") == heading.get("id")
    assert root.get("width") == "100%" and root.get("viewBox")


def envelope() -> pd.DataFrame:
    committed = [12_000_000 * (m + 1) for m in range(12)]
    return pd.DataFrame({"Engagé": committed, "Décaissé": [c // 2 for c in committed],
                         "Disponible": [150_000_000 - c for c in committed]},
                        index=MONTHS, dtype="Int64")


def jobs() -> pd.DataFrame:
    return pd.DataFrame({"Femmes": [34, 51, 12], "Hommes": [40, 66, pd.NA]},
                        index=["18–24 ans", "25–35 ans", "36 ans et plus"], dtype="Int64")


FUNNEL = pd.Series([1240, 1010, 730, 212, 40], dtype="Int64",
                   index=["Inscrits", "Déposés", "Éligibles", "Sélectionnés", "Financés"])


def every_chart() -> dict[str, tuple[str, str]]:
    regions = pd.Series(range(20), index=REGION_NAMES, dtype="Int64")
    funded = {code: i % 6 for i, code in enumerate(regions_map.REGIONS)}
    return {
        "lines": ("Enveloppe", charts.line_chart(envelope(), "Enveloppe")),
        "stacked": ("Emplois", charts.bar_chart(jobs(), "Emplois", stacked=True, horizontal=True)),
        "grouped": ("Emplois groupés", charts.bar_chart(jobs(), "Emplois groupés")),
        "regions": ("Visites", charts.bar_chart(regions, "Visites", horizontal=True)),
        "funnel": ("Parcours", charts.funnel_chart(FUNNEL, "Parcours")),
        "map": ("Carte", regions_map.tile_map(funded, "Carte", link=lambda c: f"/p?r={c}")),
    }


def test_every_chart_is_safe_named_and_small(french):
    for name, (title, svg) in every_chart().items():
        assert_safe(svg)
        assert_named(svg, title)
        assert len(svg.encode()) < LIMIT, (name, len(svg.encode()))


def test_charts_show_their_labels_and_values(french):
    drawn = {name: texts(svg) for name, (_title, svg) in every_chart().items()}
    assert {"Engagé", "Décaissé", "Disponible", "01/2026"} <= set(drawn["lines"])
    assert "40\u202fM" in drawn["lines"]  # the value axis, shortened
    assert {"Femmes", "Hommes", "18–24 ans", "34", "66", "74", "117"} <= set(drawn["stacked"])
    assert {"34", "40", "51", "66", "12", "—"} <= set(drawn["grouped"])  # a gap says so
    assert set(REGION_NAMES) <= set(drawn["regions"])
    assert {"Inscrits", "Financés", "1\u202f240 (100\u00a0%)", "40 (3\u00a0%)"} <= set(
        drawn["funnel"])


def test_same_figures_same_bytes(french):
    first = charts.line_chart(envelope(), "Enveloppe")
    assert charts.line_chart(envelope(), "Enveloppe") is first  # drawn once
    charts.clear_cache()
    assert charts.line_chart(envelope(), "Enveloppe") == first  # and the same when redrawn
    other = charts.line_chart(envelope().head(6), "Enveloppe")
    first_ids = set(re.findall(r'id="([^"]+)"', first))
    assert first_ids and not first_ids & set(re.findall(r'id="([^"]+)"', other))


@pytest.mark.parametrize("data", [pd.Series([], dtype="Int64"), [],
                                  pd.Series([pd.NA, pd.NA], index=["a", "b"], dtype="Int64"),
                                  pd.DataFrame(index=["a", "b"])])
def test_empty_data_says_so(french, data):
    for svg in (charts.bar_chart(data, "Rien"), charts.line_chart(data, "Rien", "count"),
                charts.funnel_chart(data, "Rien")):
        assert_safe(svg)
        assert_named(svg, "Rien")
        assert texts(svg) == ["Aucune donnée"]


def test_a_namespace_prefix_registered_elsewhere_does_not_change_the_svg(french, monkeypatch):
    """WeasyPrint (PDF metadata) registers ElementTree prefixes, which are global: a chart drawn
    after a PDF must still be a plain <svg> that browsers draw."""
    monkeypatch.setattr(ET, "_namespace_map", dict(ET._namespace_map))  # type: ignore[attr-defined]
    ET.register_namespace("other", "http://www.w3.org/2000/svg")
    charts.clear_cache()
    for svg in (charts.bar_chart(pd.Series([3, 5], index=["a", "b"], dtype="Int64"), "Deux"),
                charts.bar_chart([], "Rien")):
        assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and "other:" not in svg


def test_no_data_in_english(app):
    with app.test_request_context(), force_locale("en"):
        assert texts(charts.bar_chart([], "Nothing")) == ["No data"]
        assert charts.short_number(1_500_000) == "1.5\u202fM"
        assert charts.short_number(2_000_000_000) == "2\u202fbn"


def test_labels_are_text_whatever_they_hold(french):
    odd = ["<script>alert(1)</script>", "Prix $x^2$ & co", "Appel \"2026\" 'Kayes'"]
    data = pd.Series([3, 2, 1], index=odd, dtype="Int64")
    for svg in (charts.bar_chart(data, "<b>Titre</b> & $"), charts.funnel_chart(data, "F")):
        assert_safe(svg)
        shown = " ".join(texts(svg))  # a long label is wrapped on two lines
        assert all(label in shown for label in odd)
    two = pd.DataFrame({"$a$": data, "$b": data})  # a legend: two lines
    assert {"$a$", "$b"} <= set(texts(charts.line_chart(two, "L", "count")))
    assert parsed(charts.bar_chart(data, "<b>Titre</b> & $")).find(f"{SVG}title").text == (
        "<b>Titre</b> & $")


def test_a_single_point(french):
    one = pd.DataFrame({"Engagé": [1_500_000]}, index=["01/2026"], dtype="Int64")
    svg = charts.line_chart(one, "Un mois")
    assert_safe(svg)
    assert "01/2026" in texts(svg)
    assert "1,5\u202fM" in texts(charts.bar_chart(one, "Un mois", "money"))
    assert "1\u202f240 (100\u00a0%)" in texts(charts.funnel_chart(FUNNEL.head(1), "Un"))


def test_amounts_stay_whole_francs(french):
    amounts = pd.Series([750_000, pd.NA, 1_500_000, 0], index=["Kayes", "Gao", "Mopti", "San"],
                        dtype="Int64")
    labels = texts(charts.bar_chart(amounts, "Décaissé", "money", horizontal=True))
    assert {"750\u202f000\u00a0F\u202fCFA", "—", "1,5\u202fM\u00a0F\u202fCFA",
            "0\u00a0F\u202fCFA"} <= set(labels)
    headers, rows = charts.table(amounts, "money", "Région")
    assert headers == ["Région", "Valeur"]
    assert rows[1] == ["Gao", "—"]
    assert rows[2] == ["Mopti", "1\u202f500\u202f000\u00a0F\u202fCFA"]  # the table has every franc
    assert charts.as_table(amounts, "money")[2] == ((750_000,), (None,), (1_500_000,), (0,))
    assert all(type(row[0]) is int for row in charts.as_table(amounts, "money")[2] if row[0])
    with pytest.raises(TypeError):
        charts.bar_chart(pd.Series([1.5], index=["a"]), "Demi-franc", "money")
    with pytest.raises(ValueError):
        charts.bar_chart(amounts, "?", "euros")


def test_short_numbers_on_axes(french):
    assert [charts.short_number(v) for v in (0, 950, 250_000, 1_500_000, 100_000_000,
                                             2_500_000_000)] == [
        "0", "950", "250\u202fk", "1,5\u202fM", "100\u202fM", "2,5\u202fMd"]


def test_tile_map_has_the_20_regions_of_the_table(app, french):
    codes_and_names = dict(db.session.execute(db.select(Region.code, Region.name)).all())
    assert len(codes_and_names) == 20
    assert {code: name for code, (name, *_rest) in regions_map.REGIONS.items()} == codes_and_names
    places = [(column, row) for _name, _short, column, row in regions_map.REGIONS.values()]
    assert len(set(places)) == 20  # one tile per place
    svg = regions_map.tile_map({"00": 14, "01": 6, "08": 0}, "Projets", legend_title="Projets")
    tiles = [g for g in parsed(svg).iter(f"{SVG}g") if g.get("class") == "tile"]
    assert sorted(tile.get("data-region") for tile in tiles) == sorted(codes_and_names)
    titles = {tile.get("data-region"): tile.find(f"{SVG}title").text for tile in tiles}
    assert titles["00"] == "District de Bamako\u202f: 14"
    assert titles["08"] == "Kidal\u202f: 0" and titles["07"] == "Gao\u202f: —"
    assert parsed(svg).get("role") == "img" and "<a " not in svg


def test_tiles_link_to_their_lists(french):
    svg = regions_map.tile_map({"03": 4}, "Projets", link=lambda code: f"/projects?region={code}")
    assert_safe(svg)
    links = {a.get("href"): a.find(f"{SVG}g").get("data-region")
             for a in parsed(svg).iter(f"{SVG}a")}
    assert links == {f"/projects?region={code}": code for code in regions_map.REGIONS}
    assert parsed(svg).get("role") == "group"  # the links stay reachable to screen readers
    with pytest.raises(ValueError):
        regions_map.tile_map({"20": 1}, "Pas une région")


def test_tile_shades_follow_the_value(french):
    assert regions_map.classes(14) == [(1, 4), (5, 7), (8, 11), (12, 14)]
    assert regions_map.classes(2) == [(1, 1), (2, 2)]
    assert regions_map.classes(0) == []
    svg = regions_map.tile_map({"00": 14, "01": 1, "02": 0}, "Projets")
    fills = {tile.get("data-region"): tile.find(f"{SVG}rect").get("fill")
             for tile in parsed(svg).iter(f"{SVG}g") if tile.get("class") == "tile"}
    assert fills["00"] != fills["01"] != fills["02"]
    money = regions_map.tile_map({"00": 12_500_000}, "Montants", value_format="money")
    assert "12,5\u202fM" in texts(money)


def test_figure_macro_gives_the_table_and_the_list(french):
    svg = charts.bar_chart(jobs(), "Emplois", stacked=True)
    headers, rows = charts.table(jobs(), "count", "Âge")
    page = render_template_string(
        '{% from "reporting/_figure.html" import figure %}'
        '{{ figure("Emplois créés", svg, rows, headers, link="/jobs?sex=f", caption="2026") }}',
        svg=svg, rows=rows, headers=headers)
    assert svg in page  # inline, not escaped
    assert "<figcaption" in page and "2026" in page
    assert '<a class="chart-link" href="/jobs?sex=f">Voir la liste</a>' in page
    assert "<summary>Tableau</summary>" in page and "<caption>Emplois créés</caption>" in page
    assert '<th scope="row">36 ans et plus</th>' in page and "—" in page
    assert "style=" not in page and "<script" not in page
    no_link = render_template_string(
        '{% from "reporting/_figure.html" import figure %}{{ figure("T", svg, [], ["a"]) }}',
        svg=svg)
    assert "chart-link" not in no_link

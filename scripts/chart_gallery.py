"""Writes every kind of chart, drawn from made-up figures, to a folder: one SVG each and a
gallery.html that shows them as a page would, to look at them at a phone's width and a
desktop's (`chromium --headless --screenshot=x.png --window-size=360,2400 gallery.html`).

    PYTHONPATH=. .venv/bin/python scripts/chart_gallery.py FOLDER [fr|en]"""

import sys
from pathlib import Path

import flask_bootstrap
import pandas as pd
from flask import render_template_string

from grants import create_app
from grants.reporting import charts, regions_map

REGIONS = ["District de Bamako", "Kayes", "Koulikoro", "Sikasso", "Ségou", "Mopti",
           "Tombouctou", "Gao", "Kidal", "Taoudénit", "Ménaka", "Nioro", "Kita", "Dioïla",
           "Nara", "Bougouni", "Koutiala", "San", "Douentza", "Bandiagara"]


def gallery() -> dict[str, str]:
    months = ["janv. 2026", "févr. 2026", "mars 2026", "avr. 2026", "mai 2026", "juin 2026",
              "juil. 2026", "août 2026", "sept. 2026", "oct. 2026", "nov. 2026", "déc. 2026"]
    committed = [0, 12_000_000, 30_000_000, 45_500_000, 60_000_000, 72_000_000, 80_000_000,
                 88_500_000, 92_000_000, 97_000_000, 99_000_000, 100_000_000]
    disbursed = [0, 7_200_000, 18_000_000, 27_000_000, 40_000_000, 51_000_000, 58_000_000,
                 66_000_000, 70_500_000, 78_000_000, 85_000_000, 90_000_000]
    envelope = pd.DataFrame({"Engagé": committed, "Décaissé": disbursed,
                             "Disponible": [100_000_000 - c for c in committed]},
                            index=months, dtype="Int64")
    jobs = pd.DataFrame({"Femmes": [34, 51, 12], "Hommes": [40, 66, pd.NA]},
                        index=["18–24 ans", "25–35 ans", "36 ans et plus"], dtype="Int64")
    funnel = pd.Series([1240, 1010, 730, 212, 40, 36, 31],
                       index=["Inscrits", "Déposés", "Éligibles", "Sélectionnés", "Financés",
                              "En activité à M+6", "En activité à M+12"], dtype="Int64")
    monthly = pd.Series([2_400_000, 0, 9_000_000, 13_500_000, 1_500_000, pd.NA],
                        index=months[:6], dtype="Int64", name="Décaissé")
    overdue = pd.Series([7, 3, 0, 12, 1, 5, 2, 9], index=REGIONS[:8], dtype="Int64")
    funded = dict(zip([f"{i:02d}" for i in range(20)],
                      [14, 6, 5, 4, 3, 2, 1, 2, 0, 0, 1, 2, 0, 1, 0, 3, 2, 1, 0, 1], strict=True))
    empty = pd.Series([], dtype="Int64")
    return {  # name: (svg, data, value format of its table)
        "envelope_lines": (charts.line_chart(envelope, "Enveloppe par mois"), envelope, "money"),
        "jobs_stacked": (charts.bar_chart(jobs, "Emplois créés par sexe et âge", stacked=True,
                                          horizontal=True), jobs, "count"),
        "jobs_grouped": (charts.bar_chart(jobs, "Emplois créés par sexe et âge"), jobs, "count"),
        "funnel": (charts.funnel_chart(funnel, "Parcours des dossiers"), funnel, "count"),
        "disbursed_month": (charts.bar_chart(monthly, "Décaissements par mois", "money"),
                            monthly, "money"),
        "overdue_regions": (charts.bar_chart(overdue, "Visites en retard par région",
                                             horizontal=True), overdue, "count"),
        "single_point": (charts.line_chart(envelope.head(1), "Un seul mois"), envelope.head(1),
                         "money"),
        "empty": (charts.bar_chart(empty, "Rien"), empty, "count"),
        "regions_map": (regions_map.tile_map(funded, "Projets financés par région",
                                             legend_title="Projets financés",
                                             link=lambda code: f"/projects?region={code}"),
                        pd.Series(funded, dtype="Int64"), "count"),
    }


PAGE = """{% from "reporting/_figure.html" import figure %}
<!doctype html><html lang="{{ language }}"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{{ css|safe }}</style><title>Charts</title>
<main class="container py-3"><div class="row">
{% for name, (svg, headers, rows) in drawn.items() %}
  <div class="col-lg-6">{{ figure(name ~ " (" ~ svg|length ~ " B)", svg, rows, headers,
                                   link="#" ~ name, caption="Caption of " ~ name) }}</div>
{% endfor %}</div></main></html>"""


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    folder = Path(sys.argv[1])
    language = sys.argv[2] if len(sys.argv) > 2 else "fr"
    folder.mkdir(parents=True, exist_ok=True)
    app = create_app({"TESTING": True})
    root = Path(__file__).resolve().parent.parent
    css = "\n".join(path.read_text() for path in (
        Path(flask_bootstrap.__file__).parent / "static/bootstrap5/css/bootstrap.min.css",
        root / "grants/static/css/app.css"))
    with app.test_request_context(headers={"Accept-Language": language}):
        drawn = {}
        for name, (svg, data, value_format) in gallery().items():
            (folder / f"{name}.svg").write_text(svg)
            print(f"{name}: {len(svg.encode())} bytes")
            drawn[name] = (svg, *charts.table(data, value_format))
        page = render_template_string(PAGE, drawn=drawn, css=css, language=language)
    (folder / "gallery.html").write_text(page)


if __name__ == "__main__":
    main()

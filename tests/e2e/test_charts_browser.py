"""The charts in a real page under the app's headers: the CSP refuses matplotlib's own `style`
attributes (every bar would turn black), so this checks that ours keep their colours, load
nothing from elsewhere, fit a 360-pixel screen, and that printing opens their tables."""

import pandas as pd
from flask import render_template_string

from grants.reporting import charts, regions_map
from tests.e2e.conftest import phone_screen

PAGE = """{% from "reporting/_figure.html" import figure %}<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<link rel="stylesheet" href="{{ asset_url('bootstrap/bootstrap.min.css') }}">
<link rel="stylesheet" href="{{ asset_url('css/app.css') }}"></head>
<body><main class="container">
{{ figure("Emplois", bars, rows, headers, link="/jobs") }}
{{ figure("Projets financés", tiles, [], ["Région"]) }}
</main><script src="{{ asset_url('js/chart-tables.js') }}"></script></body></html>"""


def _charts_page():
    jobs = pd.DataFrame({"Femmes": [34, 51], "Hommes": [40, pd.NA]},
                        index=["18–24 ans", "25–35 ans"], dtype="Int64")
    headers, rows = charts.table(jobs, "count", "Âge")
    return render_template_string(
        PAGE, bars=charts.bar_chart(jobs, "Emplois", stacked=True, horizontal=True),
        tiles=regions_map.tile_map({"00": 3, "03": 1}, "Projets financés",
                                   link=lambda code: f"/projects?region={code}"),
        headers=headers, rows=rows)


def test_charts_keep_their_colours_under_the_csp(app, browser, live_server):
    app.add_url_rule("/charts-check", "charts_check", _charts_page)
    with phone_screen(browser, live_server, width=360, height=800) as page:
        refused = []
        page.on("console", lambda message: refused.append(message.text)
                if "Content Security Policy" in message.text else None)
        page.goto("/charts-check")
        assert refused == []
        assert page.requested_hosts == {live_server.removeprefix("http://")}
        fills = page.eval_on_selector_all(
            "svg.chart path, svg.chart rect", "els => els.map(e => getComputedStyle(e).fill)")
        assert "rgb(25, 135, 84)" in fills  # the app's green, not black
        widths = page.eval_on_selector_all(
            "svg.chart", "els => els.map(e => e.getBoundingClientRect().width)")
        assert len(widths) == 2 and all(300 <= width <= 360 for width in widths)
        assert page.locator("svg.chart a").count() == 20
        assert not page.is_visible("details.chart-table table")
        page.emulate_media(media="print")
        assert page.is_visible("details.chart-table table")

"""The home dashboards in a real browser, for a programme manager, a field officer and a
finance officer: on a 360-pixel phone and a desktop screen, nothing scrolls sideways, nothing
is loaded from another host, the charts are drawn and visible, the to-dos lead to their
lists."""

import pytest

from tests.e2e.conftest import log_in

SCREENS = [(360, 800, True), (1280, 900, False)]


def _no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("width,height,mobile", SCREENS)
@pytest.mark.parametrize("username,figures", [("manager", 8), ("field", 2), ("officer", 2)])
def test_dashboard_fits_and_loads_nothing_from_elsewhere(browser, live_server, followed, width,
                                                         height, mobile, username, figures):
    from urllib.parse import urlsplit

    context = browser.new_context(base_url=live_server, locale="fr-FR",
                                  viewport={"width": width, "height": height},
                                  is_mobile=mobile, has_touch=mobile)
    page = context.new_page()
    page.set_default_timeout(8000)
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    log_in(page, live_server, username)
    assert hosts == {live_server.removeprefix("http://")}
    assert refused == []
    assert page.locator("[data-figure]").count() == figures
    charts = page.locator("[data-figure] svg.chart")
    assert charts.count() == figures
    for index in range(figures):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        assert chart.is_visible() and box and box["width"] > 200 and box["height"] > 50
    assert _no_sideways_scroll(page)
    if username == "field":  # the overdue visits lead to the worklist's overdue section
        page.locator('[data-todo="overdue"]').click()
        page.wait_for_url("**/suivi/?section=overdue")
        assert page.locator(".list-group-item").count() == 2
        assert _no_sideways_scroll(page)
    context.close()

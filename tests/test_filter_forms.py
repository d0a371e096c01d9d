"""A list's filter form drawn once per combination of filters, choices and language
(grants/filter_forms.py): the kept drawing is the one the form would give, in the request's
language, with the choices of this request, and a refused value filters nothing."""

from flask import render_template, request
from flask_babel import force_locale

from grants.blueprints.applications.forms import ApplicationFilterForm
from grants.filter_forms import drawn_filters
from grants.forms import choices, filtered

TEMPLATE = "applications/_filters.html"
CALLS = [("", "All"), (7, "Appel 2026"), (9, "Appel 2027")]


def _drawn(app, query: str, calls=CALLS, locale="fr"):
    with app.test_request_context("/dossiers/?" + query), force_locale(locale):
        return drawn_filters(ApplicationFilterForm, TEMPLATE, call_id=calls, region_id=[("", "All")])


def _uncached(app, query: str, locale="fr"):
    with app.test_request_context("/dossiers/?" + query), force_locale(locale):
        form = ApplicationFilterForm(request.args)
        form.call_id.choices = choices(CALLS)
        form.region_id.choices = choices([("", "All")])
        filtered(form)
        return render_template(TEMPLATE, form=form), {field.name: field.data for field in form}


def test_the_kept_drawing_is_the_forms_own(app):
    for query in ("", "call_id=9&status=submitted&q=Awa", "status=nothing&call_id=x", "sort=name"):
        for locale in ("fr", "en"):
            first, again = _drawn(app, query, locale=locale), _drawn(app, query, locale=locale)
            html, values = _uncached(app, query, locale)
            assert first.html == again.html == html
            assert dict(first.values) == values


def test_each_language_and_each_set_of_choices_has_its_own_drawing(app):
    french, english = _drawn(app, ""), _drawn(app, "", locale="en")
    assert "Trier par" in french.html
    assert "Sort by" in english.html
    later = _drawn(app, "", calls=[*CALLS, (11, "Appel spécial")])
    assert "Appel spécial" in later.html
    assert "Appel spécial" not in french.html


def test_a_refused_value_filters_nothing_and_says_why_at_its_field(app):
    drawn = _drawn(app, "call_id=12345&status=nothing&q=Awa")
    assert drawn.refused
    assert drawn.values["call_id"] is None
    assert drawn.values["status"] is None
    assert drawn.values["q"] == "Awa"
    assert drawn.html.count("invalid-feedback") == 2
    assert not _drawn(app, "call_id=9").refused

"""Numbers and words as people read them: scores with the language's decimal sign, phone numbers
grouped, dates typed dd/mm/yyyy whatever the browser, messages that agree with the person."""

from datetime import date

import pytest
from flask_babel import force_locale, gettext, pgettext
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms.validators import InputRequired, Optional

from grants.formatting import phone, score
from grants.forms import DayField
from grants.i18n import agreeing
from grants.models import TrancheStatus
from grants.vocabulary import Sex


def test_scores_take_a_decimal_comma_in_french(app):
    with app.test_request_context(), force_locale("fr"):
        assert score(88) == "88,0"
        assert score(72.25) == "72,2" or score(72.25) == "72,3"
        assert score(0.456, 2) == "0,46"
        assert score(None) == "—"
    with app.test_request_context(), force_locale("en"):
        assert score(88) == "88.0"


def test_the_score_filter_is_the_one_pages_use(app):
    with app.test_request_context(), force_locale("fr"):
        render = app.jinja_env.from_string("{{ 88|score }} {{ 0.5|score(2) }}").render
        assert render() == "88,0 0,50"


@pytest.mark.parametrize("typed", ["+22365528452", "65528452", "0022365528452",
                                   "+223 65.52.84.52"])
def test_phone_numbers_are_grouped(typed):
    assert phone(typed) == "+223 65 52 84 52"


def test_what_is_not_a_phone_number_is_shown_as_typed():
    assert phone("12") == "12" and phone("standard") == "standard"
    assert phone(None) == "" and phone("") == ""


def test_pages_group_the_phone_numbers(app):
    with app.test_request_context():
        render = app.jinja_env.from_string("{{ '+22365528452'|phone }}").render
        assert render() == "+223 65 52 84 52"


class _Form(FlaskForm):
    class Meta:
        csrf = False

    on = DayField("Le", validators=[InputRequired("Enter a date.")], default=date(2026, 3, 5))
    maybe = DayField("Peut-être", validators=[Optional()])


def _posted(app, **values):
    with app.test_request_context(method="POST"), force_locale("fr"):
        form = _Form(formdata=MultiDict(values))
        valid = form.validate()
        return (valid, form.on.data, [str(e) for e in form.on.errors],
                [str(e) for e in form.maybe.errors])


@pytest.mark.parametrize("typed, day", [("05/03/2026", date(2026, 3, 5)),
                                        ("5/3/2026", date(2026, 3, 5)),
                                        ("31.12.2025", date(2025, 12, 31)),
                                        (" 2026-03-05 ", date(2026, 3, 5))])
def test_a_date_is_typed_day_first(app, typed, day):
    assert _posted(app, on=typed)[:2] == (True, day)


@pytest.mark.parametrize("garbage", ["03/05", "31/02/2026", "00/01/2026", "2026/03/05",
                                     "05/13/2026", "demain", "1e6", "05/03/0001", "05/03/0999", "05/03/99999",
                                     "٠٥/٠٣/٢٠٢٦", "05/03/2026; DROP TABLE"])
def test_a_garbage_date_is_refused_at_the_field(app, garbage):
    valid, data, errors, _ = _posted(app, on=garbage)
    assert not valid and data is None
    assert errors == ["Saisissez une date au format jj/mm/aaaa, par exemple 05/03/2026."]
    assert _posted(app, on="05/03/2026", maybe=garbage)[3] == errors


def test_a_date_field_is_a_text_input_showing_dd_mm_yyyy(app):
    with app.test_request_context(), force_locale("fr"):
        field = _Form(formdata=None).on
        html = str(field())
    assert 'type="text"' in html and 'type="date"' not in html
    assert 'value="05/03/2026"' in html and 'placeholder="jj/mm/aaaa"' in html
    assert 'inputmode="numeric"' in html


def test_no_form_of_the_app_uses_the_browsers_date_input():
    from pathlib import Path

    source = Path(__file__).resolve().parents[1] / "grants"
    assert [p.name for p in source.rglob("*.py") if "DateField(" in p.read_text()] == []
    assert [p.name for p in source.rglob("*.html") if 'type="date"' in p.read_text()] == []


def test_messages_agree_with_the_person(app):
    message = "%(name)s is registered with the code %(code)s."
    with app.test_request_context(), force_locale("fr"):
        def said(sex):
            return agreeing(sex, pgettext("female", message, name="Awa", code="ML-1"),
                            pgettext("male", message, name="Awa", code="ML-1"),
                            gettext(message, name="Awa", code="ML-1"))
        assert said(Sex.FEMALE) == "Awa est enregistrée sous le code ML-1."
        assert said(Sex.MALE) == "Awa est enregistré sous le code ML-1."
        assert said(None) == "Awa est enregistré(e) sous le code ML-1."
    with app.test_request_context(), force_locale("en"):
        assert agreeing(Sex.FEMALE, pgettext("female", message, name="Awa", code="ML-1"), "",
                        "") == "Awa is registered with the code ML-1."


def test_a_due_tranche_reads_to_be_ordered(app):
    with app.test_request_context(), force_locale("fr"):
        assert TrancheStatus.ELIGIBLE.label == "À ordonnancer"


def test_templates_agree_with_the_person_too(app):
    """The members page's "né(e) en" line, as templates write it."""
    source = ('{{ agreeing(sex, pgettext("female", "born %(year)d", year=1990), '
              'pgettext("male", "born %(year)d", year=1990), _("born %(year)d", year=1990)) }}')
    with app.test_request_context(), force_locale("fr"):
        render = app.jinja_env.from_string(source).render
        assert [render(sex=s) for s in (Sex.FEMALE, Sex.MALE, None)] == [
            "née en 1990", "né en 1990", "né(e) en 1990"]

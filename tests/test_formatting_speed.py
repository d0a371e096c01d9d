"""The fast money, day and moment filters (grants/formatting.py) write exactly what Babel's
format_currency / format_date / format_datetime wrote with the same patterns, in both languages
and across time zones: they only skip Babel's per-call pattern parsing and locale lookups."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency
from flask_babel import force_locale, get_timezone

from grants.formatting import MONEY_PATTERN, day, moment, money

AMOUNTS = sorted({0, 1, -1, 7, 99, 100, 999, 1000, -1000, 1001, 9999, 10000, 12345, 99999,
                  100000, 999999, 1000000, -1500000, 1234567, 12345678, 123456789, -987654321,
                  2**31, -(2**31), 10**12 + 1, *(3**n for n in range(40)), *(-(7**n) for n in range(20))})


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_money_is_babels_pattern(app, locale):
    babel_locale = "fr_ML" if locale == "fr" else locale
    with app.test_request_context(), force_locale(locale):
        for amount in AMOUNTS:
            assert money(amount) == format_currency(
                amount, "XOF", format=MONEY_PATTERN, locale=babel_locale, currency_digits=False)
    with app.test_request_context(), force_locale("fr"):
        assert money(1500000) == "1\u202f500\u202f000\u00a0F\u202fCFA"
        assert money(-2500) == "-2\u202f500\u00a0F\u202fCFA"
    with app.test_request_context(), force_locale("en"):
        assert money(1500000) == "1,500,000\u00a0F\u202fCFA"


def test_money_refuses_what_is_not_whole_francs(app):
    with app.test_request_context():
        assert money(None) == "—"
        for wrong in (1.5, True, "100"):
            with pytest.raises(TypeError):
                money(wrong)


MOMENTS = [datetime(2026, 1, 1, 0, 0, tzinfo=UTC), datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC),
           datetime(2026, 3, 5, 7, 8), datetime(999, 2, 3, 4, 5, tzinfo=UTC),
           datetime(2026, 6, 30, 22, 30, tzinfo=timezone(timedelta(hours=-5))),
           datetime(2024, 2, 29, 12, 0, tzinfo=timezone(timedelta(hours=3))),
           # New York's changes of time in 2026, a minute before and at each
           datetime(2026, 3, 8, 6, 59, tzinfo=UTC), datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
           datetime(2026, 11, 1, 5, 59, tzinfo=UTC), datetime(2026, 11, 1, 6, 0, tzinfo=UTC)]


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("zone", ["Africa/Bamako", "Asia/Kolkata", "America/New_York"])
def test_dates_are_babels_pattern(make_app, locale, zone):
    app = make_app(BABEL_DEFAULT_TIMEZONE=zone)
    babel_locale = "fr_ML" if locale == "fr" else locale
    with app.test_request_context(), force_locale(locale):
        tz = get_timezone()
        for value in MOMENTS:
            assert moment(value) == format_datetime(value, "dd/MM/yyyy HH:mm", tzinfo=tz,
                                                    locale=babel_locale)
            if value.tzinfo is not None:
                local = value.astimezone(tz).date()
                assert day(value) == format_date(local, "dd/MM/yyyy", locale=babel_locale)
        for value in (date(2026, 3, 5), date(1, 1, 1), date(999, 12, 31), date(2024, 2, 29)):
            assert day(value) == format_date(value, "dd/MM/yyyy", locale=babel_locale)
        assert day(None) == moment(None) == ""


def test_translations_follow_each_locale_change_within_a_request(app):
    """The translations are kept for the request (grants/i18n.py): a `force_locale` block (a
    job's or an SMS's language) and Flask-Babel's refresh must still switch them, and the
    money filter's separators with them."""
    from flask_babel import gettext, refresh

    from grants.i18n import locale_code

    with app.test_request_context():
        assert gettext("Applications") == "Dossiers"
        assert locale_code() == "fr"
        with force_locale("en"):
            assert gettext("Applications") == "Applications"
            assert locale_code() == "en"
            assert money(1500000) == "1,500,000\u00a0F\u202fCFA"
        assert gettext("Applications") == "Dossiers"
        assert money(1500000) == "1\u202f500\u202f000\u00a0F\u202fCFA"
        refresh()
        assert gettext("Applications") == "Dossiers"


def test_quick_select_options_are_wtforms_own(app):
    """Each option drawn from the cache (grants/forms.py QuickSelect) is the HTML WTForms
    writes: escaped labels, selection, whole-number values; options with attributes are left
    to WTForms."""
    from wtforms import widgets
    from wtforms.fields.choices import Choice

    from grants.forms import QuickSelect

    samples = [Choice("a", "<b>Kayes & Sikasso</b>", True, {}), Choice("a", "<b>Kayes & Sikasso</b>",
               False, {}), Choice(3, "Trois", False, {}), Choice("", "", False, {}),
               Choice("x", "", True, {}), Choice("y", "Y", False, {"disabled": True}),
               Choice(True, "oui", False, {})]
    for choice in samples * 2:  # the second time from the cache
        assert QuickSelect.render_option(choice) == widgets.Select.render_option(choice)
    assert 'disabled' in QuickSelect.render_option(samples[5])
    assert str(QuickSelect.render_option(samples[0])) == (
        '<option selected value="a">&lt;b&gt;Kayes &amp; Sikasso&lt;/b&gt;</option>')

"""How money, scores, dates and phone numbers look on screen: "1 500 000 F CFA", "88,0",
"05/03/2026", "+223 76 12 34 56"."""

from datetime import UTC, date, datetime, tzinfo
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from babel.numbers import (
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
    get_minus_sign_symbol,
)
from flask_babel import get_timezone

from grants.i18n import agreeing, locale_code

# XOF has no minor unit; the currency sign goes after the amount in both languages.
MONEY_PATTERN = "#,##0\u00a0¤"


def babel_locale() -> str:
    # French is shown with Mali's conventions (narrow no-break space between thousands).
    locale = locale_code()
    return "fr_ML" if locale == "fr" else locale


@cache
def _money_symbols(locale: str) -> tuple[str, str, str]:
    """(thousands separator, minus sign, suffix) of MONEY_PATTERN in a locale. Read once: Babel's
    format_currency parses the pattern and looks the locale up on every call, and a list page
    shows hundreds of amounts (tests/test_formatting_speed.py checks the outputs are Babel's)."""
    return (get_group_symbol(locale), get_minus_sign_symbol(locale),
            "\u00a0" + get_currency_symbol("XOF", locale))


def money(amount: int | None) -> str:
    if amount is None:
        return "—"
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError("money amounts are whole F CFA integers")
    group, minus, suffix = _money_symbols(babel_locale())
    digits = f"{abs(amount):,}".replace(",", group)
    return (minus + digits if amount < 0 else digits) + suffix


def score(value: float | int | None, digits: int = 1) -> str:
    """A score or a mean with its decimals, the language's decimal sign: "88,0" in French,
    "88.0" in English; "—" when there is none."""
    if value is None:
        return "—"
    text = f"{float(value):.{digits}f}"
    return text.replace(".", _decimal_symbol(babel_locale()))


@cache
def _decimal_symbol(locale: str) -> str:
    """Read once per locale: Babel parses the locale on every call (a ranking shows 25 means)."""
    return get_decimal_symbol(locale)


# The date patterns are all digits ("dd/MM/yyyy HH:mm"), the same in every locale: written
# directly rather than through Babel's pattern parser on each of a list's rows.
def _day_text(value: date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return _day_text(value)


def moment(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:  # stored in UTC (as Babel's format_datetime assumes)
        value = value.replace(tzinfo=UTC)
    value = _local(value)
    return f"{_day_text(value)} {value.hour:02d}:{value.minute:02d}"


def _local(value: datetime) -> datetime:
    """The time in the app's zone. Through the standard library's zone (a sixth of the cost of
    Flask-Babel's pytz zone: a list converts a time on each row); before 1970 through pytz's,
    as Babel does (the two differ on the local mean times of centuries past)."""
    zone = get_timezone()
    return value.astimezone(_zone(str(zone)) if value.year >= 1970 else zone)


@cache
def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:  # a system without the time zone database: pytz's
        return get_timezone()


def phone(number: str | None) -> str:
    """"+22376123456" shown as "+223 76 12 34 56"; a Malian number typed without its country
    code ("76 12 34 56", a partner's contact) too; what is not a number is shown as typed."""
    if not number:
        return ""
    return _phone_text(number)


@lru_cache(maxsize=4096)  # parsing a number costs more than the rest of a list row
def _phone_text(number: str) -> str:
    try:
        parsed = phonenumbers.parse(number, "ML")
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_possible_number(parsed):
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def vocabulary_label(code: str | None, enum_name: str) -> str:
    """The translated label of a stored code: {{ "tailoring"|vocabulary("Sector") }}."""
    if code is None or code == "":
        return ""
    from grants import vocabulary

    try:
        return getattr(vocabulary, enum_name)(code).label
    except ValueError:
        return code


def is_message(value) -> bool:
    """A message to show: a text or a lazily translated text (a LazyString is not a str, so
    Jinja's `string` test would drop it), not the dict of errors of a repeated group."""
    from flask_babel import LazyString

    return isinstance(value, (str, LazyString))


def register(app) -> None:
    app.add_template_test(is_message, "message")
    app.add_template_filter(vocabulary_label, "vocabulary")
    app.add_template_filter(phone, "phone")
    app.add_template_filter(money, "money")
    app.add_template_filter(score, "score")
    app.add_template_global(agreeing, "agreeing")
    app.add_template_filter(day, "day")
    app.add_template_filter(moment, "moment")

"""How money, dates and phone numbers look on screen: "1 500 000 F CFA", "05/03/2026",
"+223 76 12 34 56"."""

import json
from datetime import date, datetime

import phonenumbers
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency
from flask_babel import get_locale, get_timezone

# XOF has no minor unit; the currency sign goes after the amount in both languages.
MONEY_PATTERN = "#,##0\u00a0¤"


def _babel_locale() -> str:
    # French is shown with Mali's conventions (narrow no-break space between thousands).
    locale = str(get_locale() or "fr")
    return "fr_ML" if locale == "fr" else locale


def money(amount: int | None) -> str:
    if amount is None:
        return "—"
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError("money amounts are whole F CFA integers")
    return format_currency(amount, "XOF", format=MONEY_PATTERN, locale=_babel_locale(),
                           currency_digits=False)


def day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(get_timezone()).date()
    return format_date(value, "dd/MM/yyyy", locale=_babel_locale())


def moment(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_datetime(value, "dd/MM/yyyy HH:mm", tzinfo=get_timezone(), locale=_babel_locale())


def phone(number: str | None) -> str:
    """"+22376123456" shown as "+223 76 12 34 56"."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
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


def details(value) -> str:
    """An audit row's details as readable JSON: accents as written, not \\u00e9 (escaped by the
    template like any text)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)



def is_message(value) -> bool:
    """A message to show: a text or a lazily translated text (a LazyString is not a str, so
    Jinja's `string` test would drop it), not the dict of errors of a repeated group."""
    from flask_babel import LazyString

    return isinstance(value, (str, LazyString))


def register(app) -> None:
    app.add_template_filter(details, "details")
    app.add_template_test(is_message, "message")
    app.add_template_filter(vocabulary_label, "vocabulary")
    app.add_template_filter(phone, "phone")
    app.add_template_filter(money, "money")
    app.add_template_filter(day, "day")
    app.add_template_filter(moment, "moment")

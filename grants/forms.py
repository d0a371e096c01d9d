"""Form pieces shared by every area, and `attempt()`: how a view runs its one service call."""

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    Choice,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.validators import DataRequired, NumberRange, Regexp

from grants.extensions import db
from grants.services.amounts import parse_amount
from grants.services.errors import DomainError


class QuickSelect(widgets.Select):
    """WTForms' select, each plain option's HTML kept once made: a list page's filter form
    draws some seventy options on every request, and building each one's attributes and
    escaping its label cost a quarter of the page. An option is the same HTML for the same
    value, label and selection."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or not isinstance(choice.value, str | int):
            return super().render_option(choice, **kwargs)
        return _option_html(choice.value, str(choice.label or choice.value), bool(choice.selected))

    @classmethod
    def _dispatch_render_option(cls):
        # WTForms reads render_option's signature on each select drawn (for overrides written
        # before 3.3); this one has the current signature.
        return cls.render_option


@lru_cache(maxsize=8192)
def _option_html(value: str | int, label: str, selected: bool) -> Markup:
    return widgets.Select.render_option(Choice(value, label, selected, {}))


# Every single-choice select of the application draws through it (set once, here).
SelectField.widget = QuickSelect()


class ConfirmForm(FlaskForm):
    """An empty form: just the CSRF token of a confirmation button."""


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (easier than a multi-select on a phone)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def process_data(self, value):
        super().process_data(value)
        if self.data is None:  # nothing ticked is an empty list, never None
            self.data = []


def choices(pairs: Iterable[tuple]) -> list[SelectChoice]:
    """Options for a select or checkbox list from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def apply_domain_error(form, error) -> bool:
    """Show a service's DomainError at its field (or at the top of the form). Returns True if it
    was attached to a field."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
        return True
    form.form_errors.append(error.message)
    return False


class OptionalSelectField(SelectField):
    """A select whose blank choice ("—") means "not known yet": a draft may leave it empty."""

    def pre_validate(self, form) -> None:
        if self.data not in (None, ""):
            super().pre_validate(form)


class AmountField(StringField):
    """An amount in whole F CFA: "1 500 000" is fine; decimals, signs, "1e6" and absurd sizes
    (and zero, with allow_zero=False) are refused with a message at the field."""

    def __init__(self, *args, allow_zero: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.allow_zero = allow_zero

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and str(valuelist[0]).strip():
            try:
                self.data = parse_amount(valuelist[0], allow_zero=self.allow_zero)
            except DomainError as error:
                raise ValueError(str(error.message)) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:,}".replace(",", " ") if isinstance(self.data, int) else ""


_WHOLE = re.compile(r"^[+-]?[0-9]{1,15}$")


MAX_ID = 2**31 - 1  # the largest id of a row (an INTEGER on PostgreSQL)


class WholeNumberField(IntegerField):
    """A whole number typed by people, within `minimum`..`maximum` (both required: every number
    has a sensible range). "NaN", "1e309", "１２", decimals and numbers out of the range are
    refused with a message at the field, never passed on to a service or the database."""

    def __init__(self, label=None, validators=None, *, minimum: int, maximum: int,
                 message=None, **kwargs):
        self.range = NumberRange(minimum, maximum, message or _l(
            "Enter a whole number from %(min)d to %(max)d."))
        super().__init__(label, [*(validators or []), self.range], **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        text = str(valuelist[0]).strip() if valuelist else ""
        if text:
            if not _WHOLE.match(text):
                raise ValueError(self.range.message % {"min": self.range.min,
                                                        "max": self.range.max})
            self.data = int(text)


class DecimalNumberField(DecimalField):
    """A decimal number typed the French way ("0,4") or the English way ("0.4"); "NaN",
    "Infinity" and exponents are refused at the field (a NaN cannot even be compared)."""

    _DECIMAL = re.compile(r"^[+-]?[0-9]{1,12}([.,][0-9]{1,12})?$")

    def process_formdata(self, valuelist):
        self.data = None
        text = str(valuelist[0]).strip() if valuelist else ""
        if text:
            try:
                if not self._DECIMAL.match(text):
                    raise InvalidOperation
                self.data = Decimal(text.replace(",", "."))
            except InvalidOperation:
                raise ValueError(_l("Enter a number, e.g. 0,5.")) from None


class DayField(StringField):
    """A date typed as dd/mm/yyyy, whatever the browser's language: a text input with the
    placeholder "jj/mm/aaaa" (an <input type="date"> follows the browser's locale and shows
    mm/dd/yyyy in an English browser). The ISO form of an address (?start=2026-03-05) is read
    too; anything else is refused with a message at the field."""

    _DAY = re.compile(r"^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})$")
    _ISO = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
    MESSAGE = _l("Enter a date as dd/mm/yyyy, e.g. 05/03/2026.")

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"placeholder": _l("dd/mm/yyyy"), "inputmode": "numeric",
                     "autocomplete": "off", "maxlength": "10", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        text = str(valuelist[0]).strip() if valuelist else ""
        if not text:
            return
        day, iso = self._DAY.match(text), self._ISO.match(text)
        try:
            if day:
                self.data = date(int(day[3]), int(day[2]), int(day[1]))
            elif iso:
                self.data = date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:  # 31/02/2026
            pass
        if self.data is None or self.data.year < 1000:  # a range is the form's own check
            self.data = None
            raise ValueError(self.MESSAGE)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if isinstance(self.data, date):
            return f"{self.data.day:02d}/{self.data.month:02d}/{self.data.year:04d}"
        return ""


FORM_EXPIRED = _l("The form has expired: reload the page and try again.")


class ClientTokenField(HiddenField):
    """The one-time key a form carries (see new_client_token): refused when it is not one;
    `required` for the forms whose service needs it (money, visits). Its default is for the
    page only: a posted form without its key has none (the server never makes one up, or a
    resent form would not be recognised)."""

    def __init__(self, label=None, validators=None, *, required: bool = False, **kwargs):
        checks = [DataRequired(FORM_EXPIRED)] if required else []
        super().__init__(label, [*checks, *(validators or []), Regexp(
            r"^$|^[0-9A-Za-z-]{1,36}$", message=FORM_EXPIRED)], **kwargs)

    def process_formdata(self, valuelist):
        self.data = str(valuelist[0]) if valuelist else ""


def _hidden(field) -> bool:
    return getattr(field.widget, "input_type", "") == "hidden"


def hidden_field_messages(form) -> list[str]:
    """The messages of the hidden fields (an expired key…), which no page shows at a field."""
    return [str(error) for field in form if _hidden(field) for error in _flat(field.errors)]


def form_messages(form) -> list[str]:
    """Every message of a form, field by field (those of repeated groups too), as text."""
    messages = [str(error) for error in form.form_errors]
    for field in form:
        messages += [str(error) if _hidden(field) else f"{field.label.text}: {error}"
                     for error in _flat(field.errors)]
    return messages


def _flat(errors) -> list[str]:
    if isinstance(errors, dict):
        return [e for value in errors.values() for e in _flat(value)]
    if isinstance(errors, (list, tuple)):
        return [e for value in errors for e in _flat(value)]
    return [str(errors)]


def posted(form) -> bool:
    """validate_on_submit() for a form posted from another page (a button or a small form on
    the object's page, which the view answers with a redirection): when the form is refused,
    its messages are shown at the top of the next page."""
    if form.validate_on_submit():
        return True
    for message in form_messages(form) or [str(_l("The form could not be read: reload the "
                                                    "page and try again."))]:
        flash(message, "danger")
    return False


def enum_choices(enum, blank: str | None = None) -> list[SelectChoice]:
    pairs = [("", blank)] if blank is not None else []
    return choices(pairs + enum.choices())


def new_client_token() -> str:
    """A one-time token sent with a creation form: the same form posted twice creates one record."""
    return str(uuid.uuid4())


@dataclass
class Attempt:
    ok: bool
    value: object = None

    def __bool__(self) -> bool:
        return self.ok


def filtered(form):
    """A list's filter form read from the address: a field whose value is invalid (a status that
    does not exist, an id past the database's integers) keeps its message at the field and
    filters nothing, instead of reaching the query."""
    form.validate()
    for field in form:
        if field.errors:
            field.data = None
    return form


def attempt(action: Callable[[], object], form=None) -> Attempt:
    """Run the request's service call: commit when it succeeds; otherwise roll back and show the
    DomainError at its field of `form` (or as a message at the top of the next page)."""
    try:
        value = action()
    except DomainError as error:
        db.session.rollback()
        if form is None:
            flash(error.message, "danger")
        else:
            apply_domain_error(form, error)
        return Attempt(False)
    db.session.commit()
    return Attempt(True, value)

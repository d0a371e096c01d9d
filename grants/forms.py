"""Form pieces shared by every area, and `attempt()`: how a view runs its one service call."""

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import flash
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField, widgets

from grants.extensions import db
from grants.services.amounts import parse_amount
from grants.services.errors import DomainError


class ConfirmForm(FlaskForm):
    """An empty form: just the CSRF token of a confirmation button."""


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (easier than a multi-select on a phone)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


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
    are refused with a message at the field."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = parse_amount(valuelist[0])
            except DomainError as error:
                raise ValueError(str(error.message)) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:,}".replace(",", " ") if isinstance(self.data, int) else ""


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

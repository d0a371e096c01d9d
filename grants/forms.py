"""Form pieces shared by every area."""

from collections.abc import Iterable

from wtforms import SelectChoice, SelectMultipleField, widgets


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

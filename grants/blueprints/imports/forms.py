"""The import pages' forms: the file, the mapping (one select per field, made from the file's
headers), the decisions per group of rows."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import Length, Optional

from grants.forms import choices
from grants.models import ImportHolds, RowDecision, RowStatus
from grants.services.imports.mapping import FIELDS, Field


class UploadForm(FlaskForm):
    file = FileField(_l("Partner list (Excel .xlsx or .xls, or CSV)"),
                     validators=[FileRequired(_l("Choose a file."))])
    holds = RadioField(_l("The file holds"), default=ImportHolds.PEOPLE.value,
                       choices=lambda: choices([(h.value, h.label) for h in ImportHolds]),
                       description=_l("With their past dossiers: one row per dossier of an "
                                      "earlier call or programme (programme, year, outcome, "
                                      "amount), for the history and the one-grant-per-person "
                                      "rule."))
    mapping = SelectField(_l("Saved mapping (optional)"), validators=[Optional()])


def mapping_form(headers: list[str], columns: dict[str, str], formdata=None,
                 fields: tuple[Field, ...] = FIELDS):
    """A form with one select per field, offering the file's headers."""

    class MappingForm(FlaskForm):
        save_as = StringField(_l("Save this mapping as (optional)"),
                              validators=[Optional(), Length(max=80)],
                              description=_l("e.g. \"Liste OIM Kayes\", to reuse it for the "
                                             "next file of this partner."))

    options = choices([("", _l("(not in the file)"))] + [(h, h) for h in headers])
    for field in fields:
        setattr(MappingForm, f"col_{field.code}", SelectField(
            field.label, choices=options, validators=[Optional()],
            default=columns.get(field.code, "")))
    return MappingForm(formdata=formdata) if formdata is not None else MappingForm()


def group_choices(status: RowStatus, holds: ImportHolds = ImportHolds.PEOPLE):
    return choices([("", _l("Keep the row decisions"))] + [
        (d.value, d.label) for d in RowDecision if status.allows(d, holds)])


def decisions_form(holds: ImportHolds, **kwargs) -> "DecisionsForm":
    """The decisions a batch of this kind allows (a row repeating a person of a file of past
    dossiers may be linked to the row above)."""
    form = DecisionsForm(**kwargs)
    form.group_file_duplicate.choices = group_choices(RowStatus.FILE_DUPLICATE, holds)
    return form


class DecisionsForm(FlaskForm):
    """Per group here; per row, the selects named row-<line> of the page read by the view."""

    group_new = SelectField(_l("New"), validators=[Optional()],
                            choices=lambda: group_choices(RowStatus.NEW))
    group_duplicate = SelectField(_l("Already registered"), validators=[Optional()],
                                  choices=lambda: group_choices(RowStatus.DUPLICATE))
    group_file_duplicate = SelectField(_l("Duplicate within the file"), validators=[Optional()],
                                       choices=lambda: group_choices(RowStatus.FILE_DUPLICATE))

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from grants.forms import choices
from grants.models import ContactChannel, MessageState


class OutboxFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter

    state = SelectField(_l("State"), validators=[Optional()], choices=lambda: choices([
        ("", _l("All")), *MessageState.choices()]))


class TemplateForm(FlaskForm):
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=480)])
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save"))


class CalledForm(FlaskForm):
    """Mark a call done (only the CSRF token)."""


class ContactPreferenceForm(FlaskForm):
    language = SelectField(_l("Language of the messages"), validators=[DataRequired()])
    channel = SelectField(_l("Channel"), validators=[DataRequired()],
                          choices=lambda: choices(ContactChannel.choices()))

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import DataRequired

from grants.forms import OptionalSelectField, choices
from grants.models import DigestChannel


def _hours():
    return choices([("", "—"), *((str(h), f"{h:02d}:00") for h in range(24))])


class DigestForm(FlaskForm):
    digest = SelectField(_l("Daily digest of my reminders"), validators=[DataRequired()],
                         choices=lambda: choices(DigestChannel.choices()))
    quiet_start = OptionalSelectField(_l("Quiet hours: from"), choices=_hours)
    quiet_end = OptionalSelectField(_l("Quiet hours: until"), choices=_hours)

    @staticmethod
    def hour(value: str | None) -> int | None:
        return int(value) if value not in (None, "") else None

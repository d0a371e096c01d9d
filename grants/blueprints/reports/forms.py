from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import Optional, ValidationError

from grants.extensions import db
from grants.forms import DayField
from grants.models import BudgetEnvelope, Call, Region

EARLIEST = date(2000, 1, 1)


def _all(rows) -> list[tuple[int, str]]:
    return [(0, str(_l("All")))] + [(row[0], row[1]) for row in rows]


class IssueForm(FlaskForm):
    """The filter of a new version of the indicator report (0: all)."""

    start = DayField(_l("From"), validators=[Optional()])
    end = DayField(_l("To"), validators=[Optional()])
    envelope_id = SelectField(_l("Budget envelope"), coerce=int, default=0)
    call_id = SelectField(_l("Call for proposals"), coerce=int, default=0)
    region_id = SelectField(_l("Region"), coerce=int, default=0)

    def __init__(self, *args, regions: frozenset[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Read when the form is shown or checked, not when it is made (lazy choices).
        self.envelope_id.choices = lambda: _all(db.session.execute(db.select(
            BudgetEnvelope.id, BudgetEnvelope.name).order_by(BudgetEnvelope.fiscal_year.desc(),
                                                             BudgetEnvelope.name)))
        self.call_id.choices = lambda: _all(db.session.execute(
            db.select(Call.id, Call.title).order_by(Call.opens_on.desc())))
        query = db.select(Region.id, Region.name).order_by(Region.code)
        if regions is not None:
            query = query.where(Region.id.in_(sorted(regions)))
        self.region_id.choices = lambda: _all(db.session.execute(query))

    def validate_start(self, field):
        if field.data and not EARLIEST <= field.data <= date.today():
            raise ValidationError(_l("Enter a date between 2000 and today."))

    def validate_end(self, field):
        if field.data and not EARLIEST <= field.data <= date(2100, 12, 31):
            raise ValidationError(_l("Enter a date between 2000 and 2100."))
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end of the period comes before its start."))

    def parameters(self) -> dict:
        """Plain values for the job (None: all)."""
        return {"start": self.start.data.isoformat() if self.start.data else None,
                "end": self.end.data.isoformat() if self.end.data else None,
                "envelope_id": self.envelope_id.data or None,
                "call_id": self.call_id.data or None,
                "region_id": self.region_id.data or None}

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from grants.forms import (
    AmountField,
    ClientTokenField,
    DayField,
    DecimalNumberField,
    MultiCheckboxField,
    WholeNumberField,
    choices,
    enum_choices,
    new_client_token,
)
from grants.services.amounts import parse_amount
from grants.services.errors import DomainError
from grants.services.followup.questionnaire import ITEMS
from grants.vocabulary import (
    ActivityStatus,
    ItemPresence,
    Recommendation,
    ReferralService,
    VisitMode,
    VisitProblem,
)
from grants.workflow import ReferralStatus


class SignedAmountField(AmountField):
    """A whole amount that may be a loss: "-25 000"."""

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if text:
            negative = text.startswith("-")
            try:
                value = parse_amount(text[1:].strip() if negative else text)
            except DomainError as error:
                raise ValueError(str(error.message)) from None
            self.data = -value if negative else value


class VisitReportForm(FlaskForm):
    """The visit on a phone, in short sections. The budget items and the questionnaire are
    added per visit by `report_form_for()`."""

    key = ClientTokenField(default=new_client_token, required=True)
    visited_on = DayField(_l("Date of the visit"), default=date.today,
                          validators=[InputRequired(_l("Enter a date."))])
    mode = RadioField(_l("Mode of the visit"), choices=lambda: enum_choices(VisitMode),
                      default=VisitMode.ON_SITE.value,
                      validators=[InputRequired(_l("Say how the visit was made."))])
    latitude = DecimalNumberField(validators=[Optional(), NumberRange(-90, 90)], places=None)
    longitude = DecimalNumberField(validators=[Optional(), NumberRange(-180, 180)], places=None)
    gps_accuracy = WholeNumberField(validators=[Optional()], minimum=0, maximum=100_000)
    activity_status = RadioField(_l("The activity"), choices=lambda: enum_choices(ActivityStatus),
                                 validators=[InputRequired(_l("Choose the status of the "
                                                              "activity."))])
    monthly_revenue = AmountField(_l("Sales in a month (F CFA)"))
    monthly_profit = SignedAmountField(_l("Profit in a month (F CFA, \"-\" for a loss)"))
    jobs_total = WholeNumberField(_l("People working in the activity"), [Optional()],
                                  minimum=0, maximum=1000)
    jobs_women = WholeNumberField(_l("of whom women"), [Optional()], minimum=0, maximum=1000)
    jobs_youth = WholeNumberField(_l("of whom young people (15–35)"), [Optional()], minimum=0,
                                  maximum=1000)
    problems = MultiCheckboxField(_l("Problems met"), choices=lambda: enum_choices(VisitProblem))
    photos = MultipleFileField(_l("Photos (JPEG or PNG)"))
    observations = TextAreaField(_l("Observations"), validators=[Length(max=4000)])
    recommendation = RadioField(_l("Recommendation for the next tranche"),
                                choices=lambda: enum_choices(Recommendation),
                                validators=[Optional()])


def report_form_for(visit, **kwargs) -> VisitReportForm:
    """The report form of `visit`: one question per item of its budget, and the questionnaire
    when the visit carries it."""

    class Form(VisitReportForm):
        pass

    for line in visit.application.budget_lines:
        setattr(Form, f"item_{line.id}", RadioField(
            line.item, choices=enum_choices(ItemPresence), validators=[Optional()]))
    if visit.with_survey:
        for item in ITEMS:
            setattr(Form, f"q_{item.code}", RadioField(
                item.question, choices=choices([(o.code, o.label) for o in item.options]),
                validators=[Optional()]))
    form = Form(**kwargs)
    if not form.is_submitted() and visit.visited_on:  # sent back: start from the last report
        prefill(form, visit)
    return form


def prefill(form: VisitReportForm, visit) -> None:
    for name in ("visited_on", "mode", "activity_status", "monthly_revenue", "monthly_profit",
                 "jobs_total", "jobs_women", "jobs_youth", "observations", "recommendation",
                 "latitude", "longitude", "gps_accuracy"):
        getattr(form, name).data = getattr(visit, name)
    form.problems.data = list(visit.problems or [])
    for item in visit.items:
        field = getattr(form, f"item_{item.budget_line_id}", None)
        if field is not None:
            field.data = item.presence.value
    for code, answer in (visit.survey or {}).items():
        field = getattr(form, f"q_{code}", None)
        if field is not None:
            field.data = answer


class ReviewForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), validators=[Length(max=500)])


class AssignForm(FlaskForm):
    officer_id = SelectField(_l("Field officer"), coerce=int)
    visit_ids = MultiCheckboxField(_l("Visits"), coerce=int)


class UnscheduledVisitForm(FlaskForm):
    due_on = DayField(_l("Date planned"), default=date.today,
                      validators=[InputRequired(_l("Enter a date."))])
    reason = StringField(_l("Why this visit"), validators=[
        DataRequired(_l("Say why this visit is needed.")), Length(max=300)])
    gates_tranche = BooleanField(_l("The waiting tranche depends on this visit"))
    with_survey = BooleanField(_l("With the sustainability questionnaire"))
    officer_id = SelectField(_l("Field officer"), coerce=int, default=0)


class WeightSetForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Name the weight set.")),
                                               Length(max=160)])
    official = BooleanField(_l("Official weights (published by IOM)"))
    threshold = DecimalNumberField(_l("Threshold below which a dimension suggests a referral"),
                             places=None, default=0.5,
                             validators=[InputRequired(_l("Enter a number between 0 and 1.")),
                                         NumberRange(0.01, 0.99)])
    weights = TextAreaField(_l("Weights: one line per item, \"item_code = weight\""),
                            validators=[DataRequired(_l("Give the weights."))])


class PartnerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the partner's name.")),
                                               Length(max=160)])
    services = MultiCheckboxField(_l("Services offered"),
                                  choices=lambda: enum_choices(ReferralService))
    region_id = SelectField(_l("Region"), coerce=int, default=0)
    contact_name = StringField(_l("Contact person"), validators=[Length(max=120)])
    phone = StringField(_l("Phone"), validators=[Length(max=20)])
    email = StringField(_l("Email"), validators=[Length(max=160)])
    address = StringField(_l("Address"), validators=[Length(max=200)])
    active = BooleanField(_l("Active"), default=True)


class ReferralForm(FlaskForm):
    service = SelectField(_l("Service"), choices=lambda: enum_choices(ReferralService))
    partner_id = SelectField(_l("Partner"), coerce=int)
    reason = TextAreaField(_l("Why"), validators=[DataRequired(_l("Say why the person is "
                                                                  "referred.")),
                                                  Length(max=2000)])


class ReferralStatusForm(FlaskForm):
    status = SelectField(_l("New status"), choices=lambda: enum_choices(ReferralStatus))
    note = StringField(_l("Note"), validators=[Length(max=500)])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file of the submissions (KoboToolbox or ODK)"),
                     validators=[FileRequired(_l("Choose a file."))])


class WorklistFilterForm(FlaskForm):
    """`?section=` of the worklist: one of its sections only (overdue, to validate...); a
    refused value shows them all."""

    class Meta:
        csrf = False

    section = SelectField(_l("Show"), validators=[Optional()], choices=lambda: choices([
        ("", _l("All")), ("to_validate", _l("Waiting for validation")),
        ("overdue", _l("Overdue")), ("due", _l("Due in the next two weeks")),
        ("upcoming", _l("Coming up"))]))

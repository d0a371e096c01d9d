from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from grants.forms import AmountField, DayField, MultiCheckboxField, WholeNumberField, enum_choices
from grants.vocabulary import BeneficiaryCategory, DocumentKind, FundingSource, ProjectType


class EnvelopeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=160)],
                       description=_l("e.g. Micro-projects of returning migrants 2026"))
    fiscal_year = WholeNumberField(_l("Fiscal year"), [InputRequired(_l("Enter the fiscal year."))],
                                   minimum=2000, maximum=2100,
                                   message=_l("Enter a fiscal year such as 2026."))
    funding_source = SelectField(_l("Funding source"),
                                 choices=lambda: enum_choices(FundingSource))
    budget_line = StringField(_l("Budget line (imputation)"), validators=[
        DataRequired(_l("Enter the budget line.")), Length(max=64)])
    total = AmountField(_l("Total (F CFA)"), validators=[InputRequired(_l("Enter the total."))],
                        description=_l("Whole francs, e.g. 100 000 000"))


class CallForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")),
                                                 Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    envelope_id = SelectField(_l("Budget envelope"), coerce=int)
    opens_on = DayField(_l("Opening date"), validators=[InputRequired(_l("Enter a date."))])
    closes_on = DayField(_l("Closing date"), validators=[InputRequired(_l("Enter a date."))])
    target_categories = MultiCheckboxField(_l("Eligible target groups"),
                                           choices=lambda: enum_choices(BeneficiaryCategory))
    regions = MultiCheckboxField(_l("Eligible regions"), coerce=int)
    project_types = MultiCheckboxField(_l("Eligible project types"),
                                       choices=lambda: enum_choices(ProjectType))
    required_documents = MultiCheckboxField(_l("Required documents"),
                                            choices=lambda: enum_choices(DocumentKind))
    min_age = WholeNumberField(_l("Minimum age"), [InputRequired(_l("Enter an age."))],
                               default=18, minimum=0, maximum=120)
    max_age = WholeNumberField(_l("Maximum age"), [InputRequired(_l("Enter an age."))],
                               default=60, minimum=0, maximum=120)
    cap_per_project = AmountField(_l("Cap per project (F CFA)"), default=1_500_000,
                                  validators=[InputRequired(_l("Enter the cap."))])
    min_contribution_percent = WholeNumberField(
        _l("Minimum own contribution (percent of the budget)"),
        [InputRequired(_l("Enter a percentage."))], default=0, minimum=0, maximum=100)
    tranche_plan = StringField(_l("Tranche plan (% per tranche)"), default="60, 40",
                               validators=[DataRequired(_l("Enter the tranche plan."))],
                               description=_l("e.g. 60, 40: 60 % at signature, 40 % after a "
                                              "favourable first visit"))
    visit_plan = StringField(_l("Follow-up visits (months after the first payment)"),
                             default="1, 3, 6, 12",
                             validators=[DataRequired(_l("Enter the visit plan."))])

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from grants.forms import (
    MAX_ID,
    AmountField,
    ClientTokenField,
    OptionalSelectField,
    WholeNumberField,
    choices,
    enum_choices,
)
from grants.models import CheckResult, ScreeningOutcome
from grants.services.intake.members import MAX_MEMBERS
from grants.vocabulary import (
    BudgetCategory,
    ContributionKind,
    DocumentKind,
    ProjectType,
    Sector,
    Sex,
    SupportMode,
)
from grants.workflow import ApplicationStatus

TEXT = [Optional(), Length(max=4000)]


class NewApplicationForm(FlaskForm):
    call_id = SelectField(_l("Call for proposals"), coerce=int)
    project_type = SelectField(_l("Type of project"), choices=lambda: enum_choices(ProjectType))
    client_token = ClientTokenField()


class RevisionReason(FlaskForm):
    """Added to a section form when staff correct a submitted dossier."""

    reason = StringField(_l("Reason for the correction"), validators=[Optional(), Length(max=300)])


class ProjectForm(RevisionReason):
    title = StringField(_l("Project title"), validators=[Optional(), Length(max=200)])
    sector = OptionalSelectField(_l("Sector"), choices=lambda: enum_choices(Sector, "—"))
    activity = TextAreaField(_l("Activity: what will you do?"), validators=TEXT)
    community_name = StringField(_l("Community or group (community projects)"),
                                 validators=[Optional(), Length(max=160)])
    region_id = SelectField(_l("Region of the activity"), coerce=int)
    cercle = StringField(_l("Cercle"), validators=[Optional(), Length(max=80)])
    commune = StringField(_l("Commune"), validators=[Optional(), Length(max=80)])
    training_needs = TextAreaField(_l("Training needs"), validators=TEXT)


class PlanForm(RevisionReason):
    product_service = TextAreaField(_l("Product or service"), validators=TEXT)
    customers_market = TextAreaField(_l("Customers and market"), validators=TEXT)
    competition = TextAreaField(_l("Competition"), validators=TEXT)
    suppliers = TextAreaField(_l("Suppliers"), validators=TEXT)
    monthly_revenue = AmountField(_l("Forecast monthly revenue (F CFA)"))
    monthly_costs = AmountField(_l("Forecast monthly costs (F CFA)"))
    jobs_planned = WholeNumberField(_l("Jobs planned (including the applicant)"),
                                    [Optional()], minimum=0, maximum=500)
    jobs_women = WholeNumberField(_l("of which women"), [Optional()], minimum=0, maximum=500)
    jobs_youth = WholeNumberField(_l("of which young people (15-35)"), [Optional()], minimum=0,
                                  maximum=500)


class SubForm(FlaskForm):
    """A repeated group inside a form: translated messages, no CSRF token of its own."""

    class Meta:
        csrf = False


class BudgetLineForm(SubForm):
    category = SelectField(_l("Category"), choices=lambda: enum_choices(BudgetCategory),
                           default=BudgetCategory.EQUIPMENT.value)
    item = StringField(_l("Item"), validators=[Optional(), Length(max=200)])
    quantity = WholeNumberField(_l("Quantity"), [Optional()], minimum=1, maximum=1_000_000)
    unit_cost = AmountField(_l("Unit cost (F CFA)"), allow_zero=False)

    def is_blank(self) -> bool:
        """Nothing typed on the line (the page offers empty lines to fill)."""
        return not any(field.raw_data and str(field.raw_data[0]).strip()
                       for field in (self.item, self.quantity, self.unit_cost))

    def validate(self, extra_validators=None) -> bool:
        """A line that is not left empty needs its item, quantity and unit cost (each message
        at its own field)."""
        valid = super().validate(extra_validators)
        if self.is_blank():
            return valid
        for field, message in ((self.item, _l("Describe the item.")),
                               (self.quantity, _l("Enter the quantity.")),
                               (self.unit_cost, _l("Enter the unit cost."))):
            if not field.errors and not str(field.data or "").strip():
                field.errors.append(message)
                valid = False
        return valid


class BudgetForm(RevisionReason):
    lines = FieldList(FormField(BudgetLineForm), min_entries=1, max_entries=30)
    own_contribution = AmountField(_l("Own contribution (F CFA)"))
    own_contribution_kind = SelectField(_l("Form of the own contribution"),
                                        choices=lambda: enum_choices(ContributionKind),
                                        default=ContributionKind.NONE.value)
    own_contribution_details = StringField(_l("Details of the own contribution"),
                                           validators=[Optional(), Length(max=300)])
    requested_amount = AmountField(_l("Amount requested (F CFA)"))
    support_mode = OptionalSelectField(_l("Support mode"),
                                       choices=lambda: enum_choices(SupportMode, "—"))


class MemberSearchForm(FlaskForm):
    """The registry search of the members page (GET: changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Find a registered returnee: name, code, phone or ID number"),
                    validators=[Optional(), Length(max=80)])


class AddMemberForm(FlaskForm):
    beneficiary_id = WholeNumberField(widget=HiddenInput(), validators=[InputRequired()],
                                      minimum=1, maximum=MAX_ID)
    q = HiddenField(validators=[Optional(), Length(max=80)])  # the search to show again


class ShareForm(SubForm):
    member_id = WholeNumberField(widget=HiddenInput(), validators=[InputRequired()], minimum=1,
                                 maximum=MAX_ID)
    share = WholeNumberField(_l("Share (%)"), [InputRequired(_l("Enter the share."))],
                             minimum=1, maximum=100,
                             message=_l("Enter a whole percent from 1 to 100."))


class SharesForm(FlaskForm):
    shares = FieldList(FormField(ShareForm), max_entries=MAX_MEMBERS)
    # Shown (and kept up to date in the browser) to carry the message about the total; the
    # service adds the shares itself and never reads it.
    total = StringField(_l("Total of the shares (%)"), validators=[Optional()])


def document_choices():
    return choices((k.value, k.label) for k in DocumentKind if k != DocumentKind.SIGNATURE)


class DocumentForm(FlaskForm):
    kind = SelectField(_l("Kind of document"), choices=document_choices)
    file = FileField(_l("File (PDF, JPEG or PNG)"),
                     validators=[FileRequired(_l("Choose a file."))])


class CommentForm(FlaskForm):
    comment = StringField(_l("Reason"), validators=[Optional(), Length(max=1000)])


class ScreeningItemForm(SubForm):
    result = RadioField(_l("Result"), choices=lambda: enum_choices(CheckResult),
                        validators=[InputRequired(_l("Answer yes or no."))])
    comment = StringField(_l("Comment"), validators=[Optional(), Length(max=300)])


class ScreeningForm(FlaskForm):
    items = FieldList(FormField(ScreeningItemForm), min_entries=7, max_entries=7)
    outcome = RadioField(_l("Decision"), choices=lambda: enum_choices(ScreeningOutcome),
                         validators=[InputRequired(_l("Choose the decision."))])
    reason = TextAreaField(_l("Reason (ineligible) or what is missing (incomplete)"),
                           validators=[Optional(), Length(max=2000)])


class ApplicationFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name, phone or reference"), validators=[Optional(), Length(max=80)])
    call_id = SelectField(_l("Call"), coerce=lambda v: int(v) if v else None,
                          validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()],
                         choices=lambda: enum_choices(ApplicationStatus, _l("All")))
    region_id = SelectField(_l("Region"), coerce=lambda v: int(v) if v else None,
                            validators=[Optional()])
    sector = SelectField(_l("Sector"), validators=[Optional()],
                         choices=lambda: enum_choices(Sector, _l("All")))
    project_type = SelectField(_l("Type"), validators=[Optional()],
                               choices=lambda: enum_choices(ProjectType, _l("All")))
    sex = SelectField(_l("Sex of the lead"), validators=[Optional()],
                      choices=lambda: enum_choices(Sex, _l("All")))
    sort = SelectField(_l("Sort by"), validators=[Optional()], choices=lambda: choices([
        ("recent", _l("Most recent")), ("reference", _l("Reference")), ("name", _l("Name")),
        ("amount", _l("Amount requested"))]))

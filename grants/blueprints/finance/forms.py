from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from grants.forms import (
    AmountField,
    ClientTokenField,
    DayField,
    MultiCheckboxField,
    WholeNumberField,
    choices,
    enum_choices,
    new_client_token,
)
from grants.models import BatchStatus, Channel
from grants.vocabulary import Sector


class MoneyForm(FlaskForm):
    """Every money action carries a key issued with the form: a replay does nothing more."""

    key = ClientTokenField(default=new_client_token, required=True)


class AgreementForm(FlaskForm):
    amount = AmountField(_l("Amount granted (F CFA)"),
                         validators=[InputRequired(_l("Enter the amount."))])
    channel = SelectField(_l("Payment channel"), choices=lambda: enum_choices(Channel))
    account = StringField(_l("Account, wallet number or supplier"), validators=[
        DataRequired(_l("Enter the account, wallet number or supplier.")), Length(max=80)])


class SignForm(MoneyForm):
    signed_on = DayField(_l("Date of signature"), default=date.today,
                         validators=[InputRequired(_l("Enter a date."))])
    file = FileField(_l("Signed copy (PDF, JPEG or PNG), if already scanned"))


class SignedCopyForm(FlaskForm):
    file = FileField(_l("Scan of the signed agreement (PDF, JPEG or PNG)"),
                     validators=[FileRequired(_l("Choose a file."))])


class PayForm(MoneyForm):
    reference = StringField(_l("Payment reference (operator, bank, receipt)"), validators=[
        DataRequired(_l("Enter the payment reference.")), Length(max=80)])
    paid_on = DayField(_l("Date of payment"), default=date.today,
                       validators=[InputRequired(_l("Enter a date."))])


class ReasonMoneyForm(MoneyForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Give the reason.")),
                                                   Length(max=300)])


class RegisterFilterForm(FlaskForm):
    class Meta:
        csrf = False

    envelope_id = SelectField(_l("Envelope"), coerce=lambda v: int(v) if v else None,
                              validators=[Optional()])
    fiscal_year = WholeNumberField(_l("Fiscal year"), [Optional()], minimum=2000, maximum=2100)
    region_id = SelectField(_l("Region"), coerce=lambda v: int(v) if v else None,
                            validators=[Optional()])
    sector = SelectField(_l("Sector"), validators=[Optional()],
                         choices=lambda: enum_choices(Sector, _l("All")))
    channel = SelectField(_l("Channel"), validators=[Optional()],
                          choices=lambda: enum_choices(Channel, _l("All")))
    step = SelectField(_l("Step"), validators=[Optional()], choices=lambda: choices([
        ("", _l("All")), ("commitment", _l("Commitment")), ("payment", _l("Payment")),
        ("reversal", _l("Reversal")), ("release", _l("Release"))]))
    start = DayField(_l("From"), validators=[Optional()])
    end = DayField(_l("To"), validators=[Optional()])


class ExecutionFilterForm(FlaskForm):
    class Meta:
        csrf = False

    envelope_id = SelectField(_l("Envelope"), coerce=lambda v: int(v) if v else None,
                              validators=[Optional()])
    region_id = SelectField(_l("Region"), coerce=lambda v: int(v) if v else None,
                            validators=[Optional()])
    start = DayField(_l("From"), validators=[Optional()])
    end = DayField(_l("To"), validators=[Optional()])


class BatchForm(FlaskForm):
    operator = HiddenField()
    tranches = MultiCheckboxField(_l("Ordered tranches to put in the batch"), coerce=int)


class ResultsForm(FlaskForm):
    file = FileField(_l("Result file of the operator (CSV: reference; status; transaction)"),
                     validators=[FileRequired(_l("Choose a file."))])


class RemoveLineForm(FlaskForm):
    reason = StringField(_l("Why the tranche leaves the batch"), validators=[
        DataRequired(_l("Say why the tranche leaves the batch.")), Length(max=300)])


class TrancheFilterForm(FlaskForm):
    """The finance home's tranches: all those waiting, or only those due (to order) or only
    those ordered (to pay), from `?etat=`; a refused value filters nothing."""

    class Meta:
        csrf = False

    etat = SelectField(_l("Tranches"), validators=[Optional()], choices=lambda: choices([
        ("", _l("To order or to pay")), ("eligible", _l("To order")), ("ordered", _l("To pay"))]))


class BatchFilterForm(FlaskForm):
    """The batches' list: all the recent ones, or those in one state (`?etat=prepared`: the
    batches waiting for the accountant's approval)."""

    class Meta:
        csrf = False

    etat = SelectField(_l("State"), validators=[Optional()],
                       choices=lambda: enum_choices(BatchStatus, _l("All")))

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from grants.forms import AmountField, enum_choices, new_client_token
from grants.models import Channel


class MoneyForm(FlaskForm):
    """Every money action carries a key issued with the form: a replay does nothing more."""

    key = HiddenField(default=new_client_token)


class AgreementForm(FlaskForm):
    amount = AmountField(_l("Amount granted (F CFA)"),
                         validators=[InputRequired(_l("Enter the amount."))])
    channel = SelectField(_l("Payment channel"), choices=lambda: enum_choices(Channel))
    account = StringField(_l("Account, wallet number or supplier"), validators=[
        DataRequired(_l("Enter the account, wallet number or supplier.")), Length(max=80)])


class SignForm(MoneyForm):
    signed_on = DateField(_l("Date of signature"), default=date.today,
                          validators=[InputRequired(_l("Enter a date."))])


class PayForm(MoneyForm):
    reference = StringField(_l("Payment reference (operator, bank, receipt)"), validators=[
        DataRequired(_l("Enter the payment reference.")), Length(max=80)])
    paid_on = DateField(_l("Date of payment"), default=date.today,
                        validators=[InputRequired(_l("Enter a date."))])


class ReasonMoneyForm(MoneyForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Give the reason.")),
                                                   Length(max=300)])

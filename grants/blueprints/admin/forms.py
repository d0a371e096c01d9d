from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from grants.forms import DayField, MultiCheckboxField, choices
from grants.models import Outcome, Role


def role_choices():
    return choices((role.value, role.label) for role in Role)


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[
        DataRequired(_l("Enter a username.")), Length(min=3, max=64)],
        description=_l("Lower-case letters, digits, dot, dash or underscore, e.g. a.traore"))
    full_name = StringField(_l("Full name"), validators=[
        DataRequired(_l("Enter the person's name.")), Length(max=120)])
    phone = StringField(_l("Phone number"), validators=[Optional(), Length(max=30)],
                        description=_l("e.g. +223 76 12 34 56; can be used to log in"))
    email = EmailField(_l("Email (optional)"), validators=[
        Optional(), Email(_l("Invalid email address."), check_deliverability=False),
        Length(max=254)])
    roles = MultiCheckboxField(_l("Roles"), choices=role_choices)
    regions = MultiCheckboxField(_l("Regions"), coerce=int,
                                 description=_l("Required for intake agents and field officers."))
    locale = SelectField(_l("Language"), choices=lambda: choices([("fr", "Français"), ("en", "English")]))
    combined_duties_reason = TextAreaField(
        _l("Reason for holding both the finance officer and the accountant roles"),
        validators=[Optional(), Length(max=500)], render_kw={"rows": 2},
        description=_l("Only for one person who both orders and pays (segregation of duties): "
                       "say why. A tranche is still never paid by the person who ordered it."))


class EditUserForm(UserForm):
    username = None  # the username never changes: it appears in the audit trail


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    # Words of the actions' sentences ("paiement") or a code's beginning ("tranche.").
    action = StringField(_l("Action"), validators=[Optional(), Length(max=64)],
                         render_kw={"placeholder": _l("e.g. payment")})
    actor = StringField(_l("Username"), validators=[Optional(), Length(max=64)])
    outcome = SelectField(_l("Outcome"), validators=[Optional()], choices=lambda: choices([
        ("", _l("All")), *((o.value, o.label) for o in Outcome)]))
    object_type = StringField(_l("Object type"), validators=[Optional(), Length(max=40)])
    start = DayField(_l("From"), validators=[Optional()])
    end = DayField(_l("To"), validators=[Optional()])


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=64)])
    role = SelectField(_l("Role"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()], choices=lambda: choices([
        ("", _l("All")), ("active", _l("Active")), ("inactive", _l("Deactivated"))]))

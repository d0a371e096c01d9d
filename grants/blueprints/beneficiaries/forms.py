from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from grants.forms import (
    ClientTokenField,
    DayField,
    MultiCheckboxField,
    OptionalSelectField,
    WholeNumberField,
    choices,
    enum_choices,
)
from grants.vocabulary import (
    BeneficiaryCategory,
    ConsentScope,
    Education,
    IdType,
    ReturnMode,
    Sex,
    VerificationStatus,
    Vulnerability,
)


class ConsentFields(FlaskForm):
    consent_scopes = MultiCheckboxField(_l("The person agrees to"),
                                        choices=lambda: enum_choices(ConsentScope))
    consent_date = DayField(_l("Date of consent"), default=date.today,
                            validators=[InputRequired(_l("Enter a date."))])
    signature = FileField(_l("Signature or thumbprint (photo, optional)"))


class ProfileForm(FlaskForm):
    first_name = StringField(_l("First name(s)"), validators=[
        DataRequired(_l("Enter the first name.")), Length(max=80)])
    last_name = StringField(_l("Last name"), validators=[
        DataRequired(_l("Enter the last name.")), Length(max=80)])
    sex = OptionalSelectField(_l("Sex"),
                              choices=lambda: enum_choices(Sex, "—"))
    birth_date = DayField(_l("Date of birth"), validators=[Optional()])
    birth_date_estimated = BooleanField(_l("The date of birth is an estimate"))
    id_type = OptionalSelectField(_l("Identity document"),
                              choices=lambda: enum_choices(IdType, "—"))
    id_number = StringField(_l("Document number (NINA…)"), validators=[Optional(), Length(max=40)])
    phone = StringField(_l("Phone number"), validators=[Optional(), Length(max=30)],
                        render_kw={"inputmode": "tel", "autocomplete": "off"})
    region_id = OptionalSelectField(_l("Region"), coerce=lambda v: int(v) if v else None)
    cercle = StringField(_l("Cercle"), validators=[Optional(), Length(max=80)])
    commune = StringField(_l("Commune"), validators=[Optional(), Length(max=80)])
    address = StringField(_l("Neighbourhood or village"), validators=[Optional(), Length(max=200)])
    category = OptionalSelectField(_l("Category"),
                              choices=lambda: enum_choices(BeneficiaryCategory, "—"))
    return_country = StringField(_l("Country returned from"),
                                 validators=[Optional(), Length(max=80)])
    return_date = DayField(_l("Date of return"), validators=[Optional()])
    return_mode = OptionalSelectField(_l("Mode of return"),
                              choices=lambda: enum_choices(ReturnMode, "—"))
    iom_case_number = StringField(_l("IOM case number (optional)"),
                                  validators=[Optional(), Length(max=40)])
    education = OptionalSelectField(_l("Education"),
                              choices=lambda: enum_choices(Education, "—"))
    skills = TextAreaField(_l("Skills and trades"), validators=[Optional(), Length(max=2000)])
    skills_abroad = TextAreaField(_l("Skills acquired abroad"),
                                  validators=[Optional(), Length(max=2000)])
    household_size = WholeNumberField(_l("Household size"), [Optional()], minimum=0, maximum=99)
    # Restricted: shown only to users with the permission.
    vulnerabilities = MultiCheckboxField(_l("Vulnerabilities (confidential)"),
                                         choices=lambda: enum_choices(Vulnerability))
    health_notes = TextAreaField(_l("Health notes (confidential)"),
                                 validators=[Optional(), Length(max=2000)])
    # Duplicate check
    not_duplicate = BooleanField(_l("I checked: this is not the same person"))
    not_duplicate_reason = StringField(_l("Why it is someone else"),
                                       validators=[Optional(), Length(max=300)])
    client_token = ClientTokenField()

    def profile(self) -> dict:
        """The profile fields as the service expects them (empty choices become None)."""
        from grants.services.intake.beneficiaries import PROFILE_FIELDS

        values = {name: getattr(self, name).data for name in PROFILE_FIELDS}
        for name in ("sex", "id_type", "category", "return_mode", "education"):
            values[name] = values[name] or None
        for name in ("id_number", "phone", "cercle", "commune", "address", "return_country",
                     "iom_case_number", "skills", "skills_abroad"):
            values[name] = (values[name] or "").strip() or None
        return values


class RegistrationForm(ProfileForm, ConsentFields):
    pass


class ConsentForm(ConsentFields):
    pass


class WithdrawConsentForm(FlaskForm):
    reason = StringField(_l("Reason for the withdrawal"), validators=[
        DataRequired(_l("Say why the consent is withdrawn.")), Length(max=300)])


class VerificationForm(FlaskForm):
    status = SelectField(_l("Verification"), choices=lambda: enum_choices(VerificationStatus))
    comment = StringField(_l("Comment"), validators=[Optional(), Length(max=300)])


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name, phone, code or ID number"), validators=[Optional(), Length(max=80)])
    region_id = SelectField(_l("Region"), coerce=lambda v: int(v) if v else None,
                            validators=[Optional()])
    status = SelectField(_l("Verification"), validators=[Optional()],
                         choices=lambda: enum_choices(VerificationStatus, _l("All")))
    consent = SelectField(_l("Consent"), validators=[Optional()], choices=lambda: choices([
        ("", _l("All")), ("a-recueillir", _l("Consent to collect"))]))

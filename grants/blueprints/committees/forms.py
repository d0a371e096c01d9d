from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from grants.forms import (
    AmountField,
    DayField,
    MultiCheckboxField,
    OptionalSelectField,
    WholeNumberField,
    choices,
)
from grants.models import Decision


class SessionForm(FlaskForm):
    call_id = SelectField(_l("Call for proposals"), coerce=int)
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")),
                                                 Length(max=200)])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    meeting_on = DayField(_l("Date of the deliberation"), validators=[Optional()])
    scoring_due_on = DayField(_l("Scoring due by"), validators=[Optional()])
    chair_id = SelectField(_l("Chair"), coerce=int)
    secretary_id = OptionalSelectField(_l("Secretary"), coerce=lambda v: int(v) if v else None)
    voting = MultiCheckboxField(_l("Voting members"), coerce=int)
    observers = MultiCheckboxField(_l("Observers"), coerce=int)
    quorum = WholeNumberField(_l("Quorum (voting members present)"), [Optional()], minimum=1,
        maximum=50, description=_l("Leave empty for the majority of the voting members."))
    references = TextAreaField(_l("Dossiers of this sub-panel (optional)"),
                               validators=[Optional(), Length(max=20000)],
                               description=_l("References such as AP-2026-0001, separated by "
                                              "spaces or lines. Empty: every eligible dossier."))
    spread_threshold = WholeNumberField(_l("Spread to discuss (points)"), [
        InputRequired(_l("Enter a number."))], default=25, minimum=1, maximum=100)


class SessionDeclarationForm(FlaskForm):
    declaration = TextAreaField(_l("Interests to declare for this session (organisation, "
                                   "relatives, business links), or nothing"),
                                validators=[Optional(), Length(max=2000)])
    confirm = BooleanField(_l("I declare on my honour that this is complete and true."),
                           validators=[DataRequired(_l("Tick the box to confirm."))])


class DossierDeclarationForm(FlaskForm):
    conflicted = RadioField(_l("Do you have an interest in this dossier (family, business, "
                               "employment, association)?"),
                            choices=lambda: choices([("no", _l("No, I have no interest")),
                                                     ("yes", _l("Yes: I withdraw from it"))]),
                            validators=[InputRequired(_l("Answer the question."))])
    details = StringField(_l("If yes, which interest?"), validators=[Optional(), Length(max=300)])


class SubForm(FlaskForm):
    class Meta:
        csrf = False


class ScoreLineForm(SubForm):
    # Each criterion's own maximum is checked by the scoring service.
    points = WholeNumberField(_l("Points"), [Optional()], minimum=0, maximum=100)
    comment = StringField(_l("Comment"), validators=[Optional(), Length(max=1000)])


class SheetForm(FlaskForm):
    lines = FieldList(FormField(ScoreLineForm))
    general_comment = TextAreaField(_l("General comment"), validators=[Optional(),
                                                                        Length(max=2000)])
    criterion_ids: list[int] = []  # the grid's criteria, in the order of `lines`

    def __getattr__(self, name: str):
        """The scoring service names a line's field "points-<criterion id>" or
        "comment-<criterion id>", and "points" when some are missing: attempt() then puts its
        message at that line's field (the first empty one for "points"), not above the form."""
        kind, _dash, criterion = name.partition("-")
        lines = self.__dict__.get("_fields", {}).get("lines")
        if kind not in ("points", "comment") or lines is None:
            raise AttributeError(name)
        pairs = list(zip(self.criterion_ids, lines, strict=False))
        if criterion.isdigit():
            found = [entry for cid, entry in pairs if cid == int(criterion)]
        else:
            found = [entry for _cid, entry in pairs if entry.form.points.data is None]
        if not found:
            raise AttributeError(name)
        return found[0].form[kind]


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Give the reason.")),
                                                   Length(max=300)])


class AmountForm(FlaskForm):
    amount = AmountField(_l("Amount granted (F CFA)"))
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=300)])


class OverrideForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=lambda: choices(
        [("", _l("Follow the ranking"))] + Decision.choices()))
    justification = TextAreaField(_l("Written justification"),
                                  validators=[Optional(), Length(max=2000)])


class AttendanceForm(FlaskForm):
    present = MultiCheckboxField(_l("Members present"), coerce=int)


class GridLineForm(SubForm):
    """A line of the grid; a line without a code is ignored (to add one, fill the empty line)."""

    code = StringField(_l("Code"), validators=[Optional(), Length(max=8)])
    label_fr = StringField(_l("Label (French)"), validators=[Optional(), Length(max=200)])
    label_en = StringField(_l("Label (English)"), validators=[Optional(), Length(max=200)])
    guidance = StringField(_l("Guidance for the members"), validators=[Optional(),
                                                                       Length(max=2000)])
    max_points = WholeNumberField(_l("Maximum"), [Optional()], minimum=1, maximum=100)
    eliminatory = BooleanField(_l("Eliminatory (0 = fail)"))
    social_priority = BooleanField(_l("Breaks ties (social priority)"))


class GridForm(FlaskForm):
    pass_mark = WholeNumberField(_l("Pass mark (out of 100)"), [
        InputRequired(_l("Enter the pass mark."))], minimum=0, maximum=100)
    criteria = FieldList(FormField(GridLineForm), min_entries=1, max_entries=15)

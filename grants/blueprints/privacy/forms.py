from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length


class ErasureForm(FlaskForm):
    reason = StringField(_l("Reason (the person's request, its date and how it was made)"),
                         validators=[DataRequired(_l("Say why the person is erased (their "
                                                     "request, its date).")), Length(max=300)])
    confirm = BooleanField(_l("I confirm: the identity, documents, photos and notes of this "
                              "person will be erased for good."),
                           validators=[DataRequired(_l("Tick the box to confirm the erasure."))])

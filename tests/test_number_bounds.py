"""Every number typed into a form has a sensible range, refused with a message at its field."""

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DecimalField, FieldList, FormField, IntegerField
from wtforms.validators import NumberRange

from grants import create_app
from grants.blueprints.visits.forms import SignedAmountField
from grants.extensions import db
from grants.forms import AmountField
from grants.models import Call
from grants.services.amounts import MAX_AMOUNT
from tests.conftest import app_config
from tests.post_routes import open_route

_APP = create_app(app_config("sqlite://"))
NOT_NUMBERS = ["NaN", "sNaN", "Infinity", "-Infinity", "1e309", "１２３", "1,5e3", "0x10",
               "99999999999999999999", "9" * 5000]


def _all_forms() -> list[type]:
    found, todo = [], [FlaskForm]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("grants.") and cls not in found:
            found.append(cls)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _number_fields(form):
    for field in form:
        if isinstance(field, FieldList):
            yield from _number_fields_of_entry(field)
        elif isinstance(field, FormField):
            yield from _number_fields(field.form)
        elif isinstance(field, (IntegerField, DecimalField, AmountField)):
            yield field


def _number_fields_of_entry(field_list):
    entry = field_list.unbound_field.bind(form=None, name=f"{field_list.name}-0",
                                          _meta=field_list.meta, translations=None)
    entry.process(None)
    yield from _number_fields(entry.form) if isinstance(entry, FormField) else [entry]


FORMS = _all_forms()


def test_the_forms_are_found():
    names = {cls.__qualname__ for cls in FORMS}
    assert {"CallForm", "BudgetLineForm", "SheetForm", "VisitReportForm"} <= names


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: c.__qualname__)
def test_every_number_field_has_a_range_and_refuses_what_is_not_a_number(form_class):
    with _APP.test_request_context(method="POST"):
        form = form_class(formdata=None)
        for field in _number_fields(form):
            if isinstance(field, AmountField):  # parse_amount(): whole F CFA up to 10^13
                bounds = (-MAX_AMOUNT if isinstance(field, SignedAmountField) else 0, MAX_AMOUNT)
            else:
                ranges = [v for v in field.validators if isinstance(v, NumberRange)]
                assert ranges and ranges[0].min is not None and ranges[0].max is not None, \
                    f"{field.name} has no range"
                bounds = (ranges[0].min, ranges[0].max)
            for text in [*NOT_NUMBERS, str(bounds[1] + 1), str(bounds[0] - 1)]:
                field.process(MultiDict({field.name: text}))
                assert not field.validate(form), (field.name, text)
                assert field.errors and all(str(e) for e in field.errors), (field.name, text)


def test_a_visit_plan_of_99999999999999999999_months_is_refused_with_a_message(app, make_user):
    route = open_route(app, make_user, "programme.edit_call /programme/appels/<int:call_id>/"
                                       "modifier")
    for plan, message in (("1, 99999999999999999999", "Saisissez des nombres entiers"),
                          ("1, 121", "Saisissez des nombres entiers de 1 à 120"),
                          (", ".join(str(m) for m in range(1, 14)), "au plus 12 nombres")):
        response = route.client.post(route.target.url,
                                     data={**route.form.as_sent(), "visit_plan": plan})
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        field = page[page.index('name="visit_plan"'):]
        assert message in field[:field.index("</div>", field.index("invalid-feedback"))]
    with app.app_context():
        assert db.session.scalar(db.select(Call.visit_plan)) == [1, 3, 6, 12]

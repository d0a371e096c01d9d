"""Every message of every form is shown next to its field.

For each POST route (tests/post_routes.py), each field of its form is posted with invalid values
(the rest of the form as its page sends it). Whenever the answer shows the form again, every
message the form holds (its fields' and its lines' fields', the services' too) must be in the
page: a field's message after that field's element and before the next field's, a hidden
field's and the form's own at the top. A message the page drops fails the test (e.g. lazily
translated messages filtered out by `is string`)."""

import html
import io
import re

import pytest
from flask import template_rendered
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField

from grants import create_app
from tests import factories
from tests.conftest import app_config
from tests.post_routes import open_route, route_keys

INVALID = ["", "0", "-1", "x" * 5000, "NaN", "99999999999999999999", "2026-13-45"]

_APP = create_app(app_config("sqlite://"))


def _fields(form):
    """(field, is hidden) for every field of a form, those of its repeated lines included."""
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                yield from _fields(entry.form) if isinstance(entry, FormField) else [
                    (entry, False)]
        elif isinstance(field, FormField):
            yield from _fields(field.form)
        else:
            yield field, getattr(field.widget, "input_type", "") == "hidden"


def _list_messages(form):
    """The messages of the lists themselves (not of their lines)."""
    for field in form:
        if isinstance(field, FieldList):
            yield from (e for e in field.errors if not isinstance(e, (dict, list)))
            for entry in field.entries:
                if isinstance(entry, FormField):
                    yield from _list_messages(entry.form)


def _segment(page: str, name: str) -> str | None:
    """The page from the element named `name` to the next element with another name."""
    start = page.find(f'name="{name}"')
    if start < 0:
        return None
    for match in re.finditer(r'name="([^"]*)"', page[start:]):
        if match.group(1) != name:
            return page[start:start + match.start()]
    return page[start:]


def messages_of(forms) -> list[tuple[str | None, str]]:
    """(the name of the field, or None for a message shown above the form; the message) for
    every message the forms hold, as text in the request's language."""
    found = []
    for form in forms:
        found += [(None, str(m)) for m in [*form.form_errors, *_list_messages(form)]]
        for field, hidden in _fields(form):
            found += [(None if hidden else field.name, str(m)) for m in field.errors]
    return found


def missing_messages(page: str, messages) -> list[str]:
    """The messages that `page` does not show where they belong."""
    text = html.unescape(page)
    return [f"{name or '(form)'}: {message}" for name, message in messages
            if message not in (html.unescape(_segment(page, name) or "") if name else text)]


def _files(route) -> dict:
    return {f.name: (io.BytesIO(factories.PDF), "ok.pdf") for f in route.form.files()}


@pytest.mark.parametrize("key", route_keys(_APP))
def test_each_fields_message_is_shown_next_to_it(app, make_user, key):
    route = open_route(app, make_user, key)
    rendered = []

    def remember(_sender, template, context, **_extra):
        rendered.extend(messages_of(v for v in context.values() if isinstance(v, FlaskForm)))

    base = route.form.as_sent()
    names = [n for n in route.form.names() if n != "csrf_token"
             and n not in {f.name for f in route.form.files()}]
    missing = {}
    with template_rendered.connected_to(remember, app):
        for name in names:
            for value in INVALID:
                rendered.clear()
                response = route.client.post(route.target.url,
                                             data={**base, name: value, **_files(route)})
                page = response.get_data(as_text=True)
                if response.status_code in (200, 422):
                    for message in missing_messages(page, rendered):
                        missing.setdefault(message, f"{name}={value[:12]!r}")
                if not route.signed_in():
                    route.sign_in()
                if any(field == name for field, _message in rendered):
                    break  # this field's message was found (or is reported missing)
    assert missing == {}, missing


def test_budget_line_messages_are_shown_at_the_line(app, make_user):
    """Unit cost 0 and a line without its item: each message at its field (it was lost)."""
    route = open_route(app, make_user, "applications.edit /dossiers/<int:application_id>/"
                                       "<any(projet, plan, budget):section>[budget]")
    data = {**route.form.as_sent(), "lines-0-unit_cost": "0", "lines-1-item": ""}
    page = route.client.post(route.target.url, data=data).get_data(as_text=True)
    assert "Le montant doit être supérieur à zéro." in html.unescape(
        _segment(page, "lines-0-unit_cost"))
    assert "Décrivez l'article." in html.unescape(_segment(page, "lines-1-item"))

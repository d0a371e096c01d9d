"""Garbage input on every POST route of the app: never a 500, never half a save.

For each POST route (tests/post_routes.py brings the route to its form with real objects), the
route's own user posts: no fields at all; every field set to the same garbage; the form as its
page sends it with one field replaced by garbage; JSON bodies with numbers, lists, objects and
nulls where strings are expected; binary files and CSV files with a field over 128 KB. Each
answer must be a page with a message (200), a 400/404, or a redirection with a message; a refusal
leaves every table as it was."""

import io
import json
import traceback

import pytest
import sqlalchemy as sa

from grants import create_app
from grants.extensions import db
from grants.models import Role
from tests import factories
from tests.conftest import app_config
from tests.post_routes import ROUTES, Form, open_route, route_keys

LONG = "x" * 100_000
GARBAGE = ["", LONG, "NaN", "sNaN", "Infinity", "-Infinity", "-0", "1e309", "１２３",
           "99999999999999999999", "\x00", "<script>"]
JSON_VALUES = [123, 1.5e308, [1, "a"], None, {"a": 1}, True]
BINARY = bytes(range(256)) * 64
BIG_CSV = ("reference;status;transaction\nOP-1;" + "y" * 140_000 + ";T1\n").encode()
VALID_CSV = b"reference;status;transaction\n"

_APP = create_app(app_config("sqlite://"))
KEYS = route_keys(_APP)


def test_every_post_route_has_a_scenario():
    assert sorted(set(KEYS) - set(ROUTES)) == []
    assert sorted(set(ROUTES) - set(KEYS)) == []


def _csv_field(field) -> bool:
    return "csv" in field.accept


def _valid_files(form: Form) -> dict:
    """A harmless file in each file field, so that the rest of the form reaches the service."""
    return {f.name: (io.BytesIO(VALID_CSV if _csv_field(f) else factories.PDF),
                     "ok.csv" if _csv_field(f) else "ok.pdf") for f in form.files()}


def _payloads(form: Form):
    """(description, keyword arguments of client.post) for every garbage of the route."""
    names = [n for n in form.names() if n != "csrf_token" and
             n not in {f.name for f in form.files()}]
    base = form.as_sent()
    yield "no fields", {"data": {}}
    for value in GARBAGE:  # (no files with the long texts: the test client would leave a
        # temporary file of the request open)
        yield f"every field = {value[:12]!r}", {
            "data": {**{n: value for n in names}, **({} if value == LONG else _valid_files(form))}}
    for name in names:
        for value in GARBAGE:
            yield f"{name} = {value[:12]!r}", {
                "data": {**base, name: value, **_valid_files(form)}}
    # Every JSON body is refused before any form reads it (grants/__init__.py, _forms_only): one
    # body per kind of value shows it, the valid form with one field replaced by that value.
    sent = {n: v[0] for n, v in base.items()}
    for value in JSON_VALUES:
        yield f"JSON every field = {value!r}", {"json": {n: value for n in names}}
        if names:
            yield f"JSON {names[0]} = {value!r}", {"json": {**sent, names[0]: value}}
    yield "JSON list body", {"json": [1, 2]}
    yield "JSON text body", {"data": "{not json", "content_type": "application/json"}
    for field in form.files():
        for content, filename in ((BINARY, "scan.pdf"), (b"", "empty.pdf"),
                                  (BIG_CSV, "results.csv"), (BINARY, "x" * 300 + ".csv")):
            yield f"file {field.name} = {filename[:12]} ({len(content)} bytes)", {
                "data": {**base, **_valid_files(form),
                         field.name: (io.BytesIO(content), filename)}}


def _where(error: Exception) -> str:
    """The deepest line of the application's own code in the traceback."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "/grants/" in f.filename]
    return f"{frames[-1].filename.split('/grants/')[-1]}:{frames[-1].lineno}" if frames else "?"


def _table_counts(app) -> dict[str, int]:
    with app.app_context():
        tables = [t for t in db.metadata.sorted_tables]
        query = sa.union_all(*[sa.select(sa.literal(t.name).label("name"),
                                         sa.func.count().label("n")).select_from(t)
                               for t in tables])
        with db.engine.connect() as conn:
            return dict(conn.execute(query).all())


def _flashes(client) -> list[str]:
    """The categories of the messages waiting for the next page (taken out of the session)."""
    with client.session_transaction() as session:
        return [category for category, _ in session.pop("_flashes", [])]


# A refused login is recorded in the audit log, by design.
RECORDS_REFUSALS = {"auth.login": {"audit_event"}}


def _judge(response, categories, changed: list[str]) -> str | None:
    """What is wrong with this answer, or None."""
    status = response.status_code
    if status in (200, 422):  # (422: the visit form, for its script that resends drafts)
        page = response.get_data(as_text=True)
        refused = any(mark in page for mark in ("invalid-feedback", "alert-danger",
                                                "table-danger"))  # (an import's report)
        if not refused and not changed:
            return "200 without a message and nothing saved"
    elif status in (302, 303):
        refused = bool({"danger", "warning"} & set(categories))
        if not categories and not changed:
            return f"{status} without a message and nothing saved"
    elif status in (400, 404):
        refused = True
    else:
        return f"answered {status}"
    if refused and changed:
        return f"refused ({status}, {categories}) but saved in {changed}"
    return None


@pytest.mark.parametrize("key", KEYS)
def test_garbage_is_refused_at_the_field_and_saves_nothing(app, make_user, key):
    route = open_route(app, make_user, key)
    problems, tried = {}, 0
    for description, kwargs in _payloads(route.form):
        tried += 1
        before = _table_counts(app)
        try:
            response = route.client.post(route.target.url, **kwargs)
        except Exception as error:  # noqa: BLE001 (a 500 in production)
            problems[description] = f"500 at {_where(error)}: {type(error).__name__}: " \
                                    f"{str(error)[:160]}"
            with app.app_context():
                db.session.remove()
            continue
        after = _table_counts(app)
        changed = sorted(name for name in after if after[name] != before[name]
                         and name not in RECORDS_REFUSALS.get(key.split()[0], ()))
        problem = _judge(response, _flashes(route.client), changed)
        if problem:
            problems[description] = problem
        if not route.signed_in():
            route.sign_in()
    print(f"\n{key}: {tried} payloads")  # (pytest -s shows the coverage)
    assert problems == {}, f"{len(problems)} of {tried} payloads:\n" + "\n".join(
        f"  {description}: {problem}" for description, problem in list(problems.items())[:40])


def test_a_json_body_or_a_nul_character_is_refused_with_400(app, make_user):
    """Forms are posted as forms: a JSON body never reaches a form (Flask-WTF would read it),
    and a NUL character, which PostgreSQL cannot store, never reaches the database."""
    route = open_route(app, make_user, "programme.edit_call /programme/appels/<int:call_id>/"
                                       "modifier")
    before = _table_counts(app)
    response = route.client.post(route.target.url, data=json.dumps(
        {"title": ["a"], "tranche_plan": None}), content_type="application/json")
    assert response.status_code == 400
    response = route.client.post(route.target.url,
                                 data={**route.form.as_sent(), "title": "Appel\x00"})
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)
    assert _table_counts(app) == before


QUERY_GARBAGE = ["99999999999999999999", "-1", "abc", "\x00", LONG[:5000]]
QUERY_NAMES = ["page", "tranches", "attente", "region", "agent", "appel", "call_id", "status",
               "region_id", "q", "sort", "show", "retard", "tout", "etat", "section",
               "envelope_id", "start", "end", "lang"]


@pytest.mark.parametrize("role", ["admin", "programme_manager", "finance_officer", "accountant",
                                  "field_officer", "intake_agent", "committee_chair"])
def test_garbage_in_a_pages_address_never_breaks_it(app, client, login_as, role):
    """Every page without arguments, asked with page numbers, ids and filters beyond the
    database's integers or plain garbage in its query string: a page or a redirection, never
    a 500 (SQLite refuses integers past 2**63 - 1 if one reaches SQL); a NUL character: 400."""
    login_as(Role(role), regions=("00",))
    broken = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint.endswith("static"):
            continue
        for value in QUERY_GARBAGE:
            response = client.get(rule.rule, query_string=dict.fromkeys(QUERY_NAMES, value))
            response.close()
            # A NUL character is refused before any query (PostgreSQL cannot compare with it).
            if response.status_code >= 500 or (value == "\x00") != (response.status_code == 400):
                broken[f"{rule.rule}?…={value[:20]!r}"] = response.status_code
    assert broken == {}

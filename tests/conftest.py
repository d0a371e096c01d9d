"""Test fixtures: a migrated database per test (SQLite by default, PostgreSQL with
TEST_DATABASE_URL), an app, clients, and factories for users and logins."""

import copy
import html
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa

from grants import create_app
from grants.extensions import db
from grants.models import Region, Role, User
from grants.services import accounts
from tests.fixtures.compiled import COMPILED_TEMPLATES, compile_url_builders_once
from tests.fixtures.postgresql import Baseline, own_database

# The scenario fixtures (money, committee, followed...); their builders are in tests/factories.py.
pytest_plugins = ["tests.fixtures.money", "tests.fixtures.committees", "tests.fixtures.follow_up",
                  "tests.fixtures.demo"]

compile_url_builders_once()
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
if TEST_DATABASE_URL and os.environ.get("PYTEST_XDIST_WORKER"):
    # `pytest -n 2` (the README's test command): each worker empties and fills a database of
    # its own on the same server, test_gw0, test_gw1…, created here when missing.
    TEST_DATABASE_URL = own_database(TEST_DATABASE_URL, os.environ["PYTEST_XDIST_WORKER"])
# Keep tests away from the demo's instance/ folder.
os.environ["GRANTS_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="grants-instance-")
PASSWORD = "correct-horse-battery"


def app_config(database_url: str, **overrides) -> dict:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8,
        "ARGON2_PARALLELISM": 1,
        "REPORT_CACHE_SECONDS": 0,  # a test reads its figures right after writing the rows
        "REQUEST_LOG": False,  # tests/test_operations.py turns it on with its own handler
        "DASHBOARD_CACHE_SECONDS": 0,
        "TRANSPARENCY_CACHE_SECONDS": 0,
        "SMS_RECEIPT_SECRET": "test-receipt-secret",  # the delivery receipts' address
        **overrides,
    }


def using_postgresql() -> bool:
    return bool(TEST_DATABASE_URL)


@pytest.fixture(scope="session")
def template_database(tmp_path_factory):
    """Upgrade an empty database to the latest migration, once per test session."""
    if using_postgresql():
        url = TEST_DATABASE_URL
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "template.sqlite3")
    app = create_app(app_config(url))
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    return url


@dataclass
class Snapshot:
    """A scenario built once: its database (a copy of the SQLite template, or the PostgreSQL rows
    and sequences), the ids the scenario returned, and how many default-named users it made."""
    name: str
    path: Path | None
    ids: dict
    users: int
    rows: Baseline | None = None


# Scenario fixtures (declared with `scenario`): name -> builder(app, make_user) -> ids.
SCENARIOS: dict[str, Callable] = {}


def scenario(build: Callable) -> Callable:
    """Declare a scenario fixture named after `build(app, make_user) -> ids`.

    A scenario is built once per session, and each test that asks for it (and for no other
    scenario) starts from it: on SQLite from its own copy of the scenario's database, on
    PostgreSQL from the scenario's rows put back. It may write as it likes, the next test starts
    from the scenario again. With another scenario in the same test, it is built for the test."""
    name = build.__name__
    SCENARIOS[name] = build

    @pytest.fixture(name=name)
    def fixture(request, app, make_user):
        snapshot = getattr(request.node, "scenario_snapshot", None)
        if snapshot is not None and snapshot.name == name:
            make_user.skip(snapshot.users)
            return copy.deepcopy(snapshot.ids)
        if using_postgresql() and _wanted_scenarios(request) == [name]:
            return _postgresql_scenario(request, name, app, make_user)
        return build(app, make_user)

    fixture.__doc__ = build.__doc__
    return fixture


def _wanted_scenarios(request) -> list[str]:
    return [name for name in SCENARIOS if name in request.fixturenames]


def _postgresql_scenario(request, name: str, app, make_user) -> dict:
    """The scenario's rows put back in the shared database, or built and read the first time;
    built for this test only if something was written before (another fixture)."""
    engine, migrated = request.getfixturevalue("postgresql_baseline")
    snapshots = request.getfixturevalue("snapshots")
    with engine.begin() as conn:
        if migrated.differs(conn):
            return SCENARIOS[name](app, make_user)
        if name in snapshots:
            snapshot = snapshots[name]
            snapshot.rows.restore(conn)
            assert not snapshot.rows.differs(conn), f"{name}'s rows did not come back as built"
            make_user.skip(snapshot.users)
            return copy.deepcopy(snapshot.ids)
    ids = SCENARIOS[name](app, make_user)
    with engine.connect() as conn:
        snapshots[name] = Snapshot(name, None, copy.deepcopy(ids), make_user.made,
                                   Baseline.read(conn))
    return ids


@pytest.fixture(scope="session")
def snapshots() -> dict[str, Snapshot]:
    return {}


def _snapshot(name: str, template: str, folder: Path) -> Snapshot:
    path = folder / f"{name}.sqlite3"
    shutil.copyfile(template, path)
    app = create_app(app_config("sqlite:///" + str(path)))
    make = user_maker(app)
    try:
        ids = SCENARIOS[name](app, make)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return Snapshot(name, path, ids, make.made)


@pytest.fixture
def database_url(request, template_database, tmp_path, tmp_path_factory, snapshots):
    """A database for one test: a copy of the template, or of the scenario the test asks for
    (SQLite), or the shared PostgreSQL database put back afterwards as the migrations left it."""
    if not using_postgresql():
        source = template_database.removeprefix("sqlite:///")
        wanted = _wanted_scenarios(request)
        if len(wanted) == 1:
            name = wanted[0]
            if name not in snapshots:
                snapshots[name] = _snapshot(name, source, tmp_path_factory.mktemp("scenario"))
            request.node.scenario_snapshot = snapshots[name]
            source = snapshots[name].path
        target = tmp_path / "test.sqlite3"
        shutil.copyfile(source, target)
        yield "sqlite:///" + str(target)
        return
    engine, baseline = request.getfixturevalue("postgresql_baseline")
    yield template_database
    with engine.begin() as conn:
        baseline.restore(conn)


@pytest.fixture(scope="session")
def postgresql_baseline(template_database):
    """The shared PostgreSQL database as the migrations left it, and a connection pool to put it
    back after each test (see tests/fixtures/postgresql.py)."""
    # Pre-ping: a test kills every connection to the database (test_database_load).
    engine = sa.create_engine(template_database, pool_size=1, pool_pre_ping=True)
    with engine.connect() as conn:
        baseline = Baseline.read(conn)
    yield engine, baseline
    engine.dispose()


@pytest.fixture
def make_app(database_url):
    """Build an app on this test's database, with config overrides."""
    apps = []

    def build(**overrides):
        app = create_app(app_config(database_url, **overrides))
        app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@contextmanager
def committed(app):
    """Run service calls in an app context and commit, like one request would."""
    with app.app_context():
        yield
        db.session.commit()


def region(code: str) -> Region:
    return db.session.scalar(db.select(Region).where(Region.code == code))


def user_maker(app) -> Callable:
    """make(*roles, ...) creates a user with the given roles (regions by code for scoped roles)
    and returns its id; `make.made` counts them (default usernames are user1, user2...).
    Finance officer and accountant together come with a reason, as the service requires."""
    counter = {"n": 0}

    def make(*roles: Role, regions=("00",), username=None, phone=None, password=PASSWORD,
             must_change=False):
        counter["n"] += 1
        make.made = counter["n"]
        username = username or f"user{counter['n']}"
        with committed(app):
            user, _ = accounts.create_user(
                None, username=username, full_name=f"Test {username}",
                roles=roles or (Role.PROGRAMME_MANAGER,),
                regions=[region(code) for code in regions], phone=phone, password=password,
                combined_duties_reason="test: one person for both roles")
            user.must_change_password = must_change
            return user.id

    def skip(count: int) -> None:
        """Count users made elsewhere (a scenario's snapshot), as if made here."""
        counter["n"] += count
        make.made = counter["n"]

    make.made, make.skip = 0, skip
    return make


@pytest.fixture
def make_user(app):
    """Create a user with the given roles; see `user_maker`."""
    return user_maker(app)


def download(client, url: str) -> bytes:
    """The body of a file download, its response closed (the file is streamed from disk). An
    export answers with its job's page (the job ran in the request: tests queue immediately);
    the file is then fetched from the job, as the page's link does."""
    response = client.get(url)
    job = re.fullmatch(r"(?:https?://[^/]+)?/telechargements/(\d+)", response.location or "")
    if response.status_code in (302, 303) and job:
        response.close()
        response = client.get(f"/telechargements/{job.group(1)}/fichier")
    try:
        assert response.status_code == 200, response.status_code
        return response.data
    finally:
        response.close()


def field_errors(page: str, field_id: str) -> list[str]:
    """The error messages shown under the form field `field_id` (which must be marked invalid)."""
    for block in page.split('<div class="mb-3">')[1:]:
        if f'id="{field_id}"' in block:
            assert "is-invalid" in block, f"{field_id} is not marked invalid"
            return [html.unescape(e) for e in
                    re.findall(r'class="invalid-feedback d-block">(.*?)</div>', block, re.S)]
    raise AssertionError(f"no field {field_id} on the page")


def login(client, identifier: str, password: str = PASSWORD):
    return client.post("/connexion", data={"identifier": identifier, "password": password})


@pytest.fixture
def login_as(app, client, make_user):
    """Log the test client in as a new user holding `role`; returns the user id."""

    def do(*roles: Role, **kwargs):
        user_id = make_user(*roles, **kwargs)
        with app.app_context():
            username = db.session.get(User, user_id).username
        response = login(client, username)
        assert response.status_code == 302, response.data
        return user_id

    return do


@contextmanager
def count_queries(app):
    """Count the SQL statements run inside the block: `with count_queries(app) as n: ...; n[0]`."""
    counter = [0]

    def _count(*_args):
        counter[0] += 1

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", _count)
    try:
        yield counter
    finally:
        sa.event.remove(engine, "before_cursor_execute", _count)


def statements_before_and_after(app, client, url: str, add) -> tuple[int, int]:
    """The statements of `url` (asked once to warm it) before and after `add()` puts more data
    in the database."""
    client.get(url)
    with count_queries(app) as few:
        assert client.get(url).status_code == 200
    add()
    with count_queries(app) as many:
        assert client.get(url).status_code == 200
    return few[0], many[0]


def page_cost(app, client, url: str) -> tuple[int, int, str]:
    """The SQL statements a page issues, the dossiers (applications) it loads as ORM objects,
    and its HTML."""
    from grants.models import Application

    count, loaded = [0], [0]

    def counter(*_args):
        count[0] += 1

    def on_load(*_args):
        loaded[0] += 1

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", counter)
    sa.event.listen(Application, "load", on_load)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", counter)
        sa.event.remove(Application, "load", on_load)
    assert response.status_code == 200
    return count[0], loaded[0], response.get_data(as_text=True)

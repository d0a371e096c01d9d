"""The schema exists only through migrations, and they match the models exactly."""

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from grants import create_app
from grants.extensions import db
from tests.conftest import TEST_DATABASE_URL, app_config


def _differences(app) -> list:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "render_as_batch": True})
        return compare_metadata(context, db.metadata)


@pytest.fixture
def empty_database_url(tmp_path):
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL database."""
    if not TEST_DATABASE_URL:
        yield "sqlite:///" + str(tmp_path / "empty.sqlite3")
        return
    server = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    # Named after the test database: two checkouts testing on one server do not collide.
    name = f"{sa.make_url(TEST_DATABASE_URL).database}_migration_check"
    with server.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    yield sa.make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    with server.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    server.dispose()


def test_upgrade_from_empty_matches_the_models_then_downgrades_cleanly(empty_database_url):
    app = create_app(app_config(empty_database_url))
    with app.app_context():
        flask_migrate.upgrade()
    assert _differences(app) == []
    with app.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"user_account", "user_role", "region", "audit_event"} <= tables
        assert db.session.scalar(sa.text("SELECT count(*) FROM region")) == 20
        db.session.remove()
        flask_migrate.downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()
        assert db.session.scalar(sa.text("SELECT count(*) FROM region")) == 20
        db.session.remove()
        db.engine.dispose()


def test_the_test_database_is_at_head_with_no_difference(app):
    assert _differences(app) == []

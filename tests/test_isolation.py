"""Each test starts from the database the migrations leave, whatever the test before it wrote and
however it wrote it: the ORM, raw SQL, another connection, a thread, an insert rolled back (which
still moves a PostgreSQL sequence), a change to the rows the migrations ship. On PostgreSQL the
tests share one database put back after each test (tests/fixtures/postgresql.py)."""

import threading

import pytest
import sqlalchemy as sa

from grants.extensions import db
from grants.models import Role, User
from tests.conftest import committed

MARK = " (written by a test)"
# Tables the migrations fill: alembic_version, the regions, the shipped weight set.
FILLED = {"alembic_version", "region", "weight_set"}


def assert_as_migrated(app) -> None:
    with app.app_context():
        for table in sa.inspect(db.engine).get_table_names():
            if table not in FILLED:
                count = db.session.scalar(sa.text(f'SELECT count(*) FROM "{table}"'))  # noqa: S608
                assert count == 0, f"{table} holds {count} rows from another test"
        regions = db.session.execute(sa.text("SELECT name FROM region")).scalars().all()
        assert regions and not any(name.endswith(MARK) for name in regions)
        weight_sets = db.session.execute(sa.text("SELECT name FROM weight_set")).scalars().all()
        assert len(weight_sets) == 1 and not weight_sets[0].endswith(MARK)


def write_every_way(app, database_url, make_user) -> None:
    make_user(Role.AUDITOR)  # the ORM, through the service
    with app.app_context():
        db.session.add(User(username="rolled-back", full_name="Rolled back", password_hash="x"))
        db.session.flush()  # the row gets an id from the sequence...
        db.session.rollback()  # ...and the sequence keeps it
    with committed(app):  # raw SQL, on a table the migrations fill
        db.session.execute(sa.text("UPDATE region SET name = name || :mark"), {"mark": MARK})
    worker = threading.Thread(target=make_user, kwargs={"username": "from-a-thread"})
    worker.start()
    worker.join()
    outsider = sa.create_engine(database_url)  # another connection, as a browser test's server
    try:
        with outsider.begin() as conn:
            conn.execute(sa.text("UPDATE weight_set SET name = name || :mark"), {"mark": MARK})
            conn.execute(sa.text(
                "INSERT INTO audit_event (at, action, outcome) "
                "VALUES (CURRENT_TIMESTAMP, 'isolation-check', 'ok')"))
    finally:
        outsider.dispose()


@pytest.mark.parametrize("turn", [1, 2])
def test_each_test_starts_from_the_migrated_database(app, database_url, make_user, turn):
    """Both turns check, then write every way: whichever runs second finds nothing of it."""
    assert_as_migrated(app)
    assert make_user() == 1  # ids start again at 1, even after a rolled-back insert
    write_every_way(app, database_url, make_user)

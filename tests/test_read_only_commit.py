"""On PostgreSQL a request whose transaction only read ends it with COMMIT, so that psycopg keeps
its prepared statements (grants/database.py keep_prepared_statements); anything that wrote, left
changes pending or failed is rolled back as before."""

import pytest
import sqlalchemy as sa

from grants.extensions import db
from grants.models import Role, User
from tests.conftest import using_postgresql

pytestmark = pytest.mark.skipif(not using_postgresql(), reason="PostgreSQL only (psycopg)")


@pytest.fixture
def endings(app):
    seen = []
    with app.app_context():
        engine = db.engine
    listeners = [("commit", lambda _conn: seen.append("commit")),
                 ("rollback", lambda _conn: seen.append("rollback"))]
    for name, listener in listeners:
        sa.event.listen(engine, name, listener)
    yield seen
    for name, listener in listeners:
        sa.event.remove(engine, name, listener)


def _name(app, user_id):
    with app.app_context():
        return db.session.scalar(sa.select(User.full_name).where(User.id == user_id))


def test_a_page_that_only_reads_commits_and_psycopg_keeps_its_statements(app, client, login_as,
                                                                          endings):
    login_as(Role.PROGRAMME_MANAGER)
    for _ in range(8):  # psycopg prepares a statement from its sixth run on a connection
        assert client.get("/dossiers/").status_code == 200
    assert endings[-1] == "commit" and "rollback" not in endings[-4:]
    with app.app_context():
        prepared = db.session.scalar(sa.text("SELECT count(*) FROM pg_prepared_statements"))
    assert prepared >= 1


def test_a_transaction_that_wrote_or_holds_changes_is_rolled_back(app, make_user, endings):
    user_id = make_user(Role.PROGRAMME_MANAGER)
    with app.test_request_context():  # an UPDATE run and never committed
        db.session.execute(sa.update(User).where(User.id == user_id).values(full_name="Written"))
    assert endings[-1] == "rollback" and _name(app, user_id) != "Written"
    with app.test_request_context():  # a change left pending in the session
        db.session.get(User, user_id).full_name = "Pending"
    assert _name(app, user_id) != "Pending"
    with app.test_request_context():  # only read
        db.session.get(User, user_id)
    assert endings[-1] == "commit"


def test_a_failed_request_is_rolled_back(app, make_user, endings):
    user_id = make_user(Role.PROGRAMME_MANAGER)
    with pytest.raises(RuntimeError), app.test_request_context():
        db.session.get(User, user_id)
        raise RuntimeError("the view failed")
    assert endings[-1] == "rollback"

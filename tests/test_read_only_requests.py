"""PostgreSQL: a request that only reads runs outside any transaction, keeping psycopg's prepared
statements; one that writes (a POST, or a GET after write_transaction) runs in a transaction
whose changes are all kept or all dropped (grants/read_only_requests.py)."""

import pytest
import sqlalchemy as sa
from flask import jsonify
from psycopg.pq import TransactionStatus

from grants.database import exclusive_transaction, write_transaction
from grants.extensions import db
from grants.models import AuditEvent, Role
from grants.services import audit
from tests.conftest import login, using_postgresql

pytestmark = pytest.mark.skipif(not using_postgresql(), reason="PostgreSQL's transactions "
                                "(set TEST_DATABASE_URL)")


def _status() -> str:
    """Whether the session's connection is in a transaction after one SELECT."""
    db.session.execute(sa.select(1))
    return TransactionStatus(db.session.connection().connection.driver_connection.info
                             .transaction_status).name


def _probes(app) -> None:
    def reading():
        return jsonify(status=_status())

    def prepared():
        db.session.execute(sa.select(AuditEvent.id).limit(1))
        return jsonify(count=db.session.scalar(sa.text("SELECT count(*) FROM pg_prepared_statements")))

    def audited(fail: int):
        before = _status()
        write_transaction(db.session)
        audit.record("probe.read", None)
        after = _status()
        if fail:
            raise RuntimeError("after the audit row")
        db.session.commit()
        return jsonify(before=before, after=after)

    def exclusive():
        _status()
        exclusive_transaction(db.session)
        return jsonify(status=_status())

    def streamed():
        result = db.session.execute(sa.select(AuditEvent.id).execution_options(yield_per=2))
        return jsonify(rows=len(result.all()), status=_status())

    app.add_url_rule("/probe/reading", view_func=reading, methods=["GET", "POST"])
    app.add_url_rule("/probe/streamed", view_func=streamed)
    app.add_url_rule("/probe/prepared", view_func=prepared)
    app.add_url_rule("/probe/audited/<int:fail>", view_func=audited)
    app.add_url_rule("/probe/exclusive", view_func=exclusive)


def _audit_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "probe.read"))


def test_a_page_that_only_reads_runs_outside_a_transaction_and_a_post_inside(app, client, login_as):
    _probes(app)
    login_as(Role.AUDITOR)
    assert client.get("/probe/reading").json == {"status": "IDLE"}
    assert client.post("/probe/reading").json == {"status": "INTRANS"}
    with app.app_context():  # outside requests (commands, jobs): transactions as before
        assert _status() == "INTRANS"


def test_statements_stay_prepared_from_one_request_to_the_next(make_app, make_user):
    """psycopg prepares a statement on its fifth run; a ROLLBACK at the end of each request
    made it forget them all, so no statement was ever prepared."""
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0})
    _probes(app)
    client = app.test_client()
    make_user(Role.AUDITOR, username="steady")
    assert login(client, "steady").status_code == 302
    counts = [client.get("/probe/prepared").json["count"] for _ in range(8)]
    assert counts[0] == 0
    assert counts[-1] >= 2  # this page's statement and the session's user, at least


def test_a_get_that_writes_does_it_in_one_transaction(app, client, login_as):
    """write_transaction() ends the reading and the rest of the request is a transaction: its
    rows are saved by its commit, or not at all if it fails after writing."""
    _probes(app)
    login_as(Role.AUDITOR)
    assert client.get("/probe/audited/0").json == {"before": "IDLE", "after": "INTRANS"}
    assert _audit_rows(app) == 1
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/probe/audited/1").status_code == 500
    assert _audit_rows(app) == 1
    assert client.get("/probe/exclusive").json == {"status": "INTRANS"}
    # The next request reads outside a transaction again.
    assert client.get("/probe/reading").json == {"status": "IDLE"}


def test_a_page_that_reads_in_batches_gets_a_transaction_for_its_cursor(app, client, login_as):
    """yield_per reads through a server-side cursor, which PostgreSQL only opens in a
    transaction; the statements after it run in that transaction too."""
    _probes(app)
    login_as(Role.AUDITOR)
    with app.app_context():
        rows = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    assert rows >= 2  # the user's creation and login, at least: more than one batch
    assert client.get("/probe/streamed").json == {"rows": rows, "status": "INTRANS"}

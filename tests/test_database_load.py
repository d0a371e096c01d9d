"""The app under a crowd of simultaneous requests, and after the database server drops its
connections."""

import threading
from collections import Counter

import pytest
import sqlalchemy as sa

from grants.extensions import db
from grants.models import AuditEvent, Role, User
from tests import factories
from tests.conftest import committed, login, using_postgresql

LOGINS, CROWD = 32, 16


def _run_together(tasks) -> Counter:
    """Run every task in its own thread, all released at once; counts what they answered."""
    answers, barrier = Counter(), threading.Barrier(len(tasks), timeout=60)

    def run(task):
        barrier.wait()
        try:
            answers[task()] += 1
        except Exception as error:  # noqa: BLE001 - every failure is a finding
            answers[type(error).__name__] += 1

    threads = [threading.Thread(target=run, args=(task,)) for task in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return answers


def test_simultaneous_logins_form_posts_and_audited_readings_all_succeed(make_app, make_user):
    """32 people log in, 16 others switch their language and 16 more open a returnee's
    confidential section (a page that writes its audit row), all at the same moment (gunicorn
    with 4 workers on SQLite answered 12 of 16 logins with "database is locked"): no error."""
    # Real error pages, not exceptions; a hash costly enough that logins overlap.
    app = make_app(TESTING=False, ARGON2_MEMORY_COST=1024, ARGON2_TIME_COST=2)
    for n in range(LOGINS + 2 * CROWD):
        make_user(Role.PROGRAMME_MANAGER, username=f"crowd{n}")
    with committed(app):
        person_id = factories.person(db.session.get(User, 1)).id
    posters = [app.test_client() for _ in range(CROWD)]
    readers = [app.test_client() for _ in range(CROWD)]
    for n, client in enumerate(posters + readers):
        assert login(client, f"crowd{LOGINS + n}").status_code == 302

    def log_in(n):
        return lambda: login(app.test_client(), f"crowd{n}").status_code

    def switch_language(client):
        return lambda: client.post("/langue", data={"locale": "en", "next": "/"}).status_code

    def read_confidential(client):
        return lambda: client.get(f"/beneficiaires/{person_id}?confidentiel=1").status_code

    tasks = ([log_in(n) for n in range(LOGINS)] + [switch_language(c) for c in posters]
             + [read_confidential(c) for c in readers])
    assert _run_together(tasks) == {302: LOGINS + CROWD, 200: CROWD}
    with app.app_context():
        def count(model, *where):
            return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

        assert count(User, User.last_login_at.is_not(None)) == LOGINS + 2 * CROWD
        assert count(User, User.locale == "en") == CROWD
        assert count(AuditEvent, AuditEvent.action == "auth.session_started") == LOGINS + 2 * CROWD
        assert count(AuditEvent, AuditEvent.action == "beneficiary.restricted_read") == CROWD


def test_a_page_that_writes_without_taking_the_write_lock_is_flagged(app, client, login_as):
    """The guard that keeps every future page in line: a GET that writes without saying so is
    reported. On SQLite it writes in the transaction it read in (which fails under load), on
    PostgreSQL outside any transaction (grants/read_only_requests.py); write_transaction() is
    the fix."""
    from grants.database import WriteWithoutLockWarning, write_transaction
    from grants.services import audit

    def careless():
        audit.record("probe.read", None)
        db.session.commit()
        return "ok"

    def careful():
        write_transaction(db.session)
        return careless()

    app.add_url_rule("/probe/careless", view_func=careless)
    app.add_url_rule("/probe/careful", view_func=careful)
    login_as(Role.AUDITOR)
    with pytest.warns(WriteWithoutLockWarning, match="GET request writes"):
        client.get("/probe/careless")
    assert client.get("/probe/careful").status_code == 200


@pytest.mark.skipif(not using_postgresql(), reason="a database server that drops connections: "
                    "PostgreSQL (set TEST_DATABASE_URL)")
def test_pages_answer_after_the_server_dropped_every_connection(make_app, make_user):
    """A PostgreSQL restart or an idle timeout kills the pooled connections: each worker showed
    one user a 500. The pool now checks a connection before lending it."""
    app = make_app(TESTING=False)  # the error page a user would get, not an exception
    make_user(Role.AUDITOR, username="steady")
    client = app.test_client()
    assert login(client, "steady").status_code == 302
    with app.app_context():
        url = db.engine.url
    outsider = sa.create_engine(url)
    try:
        for _ in range(2):
            assert client.get("/").status_code == 200
            with outsider.begin() as conn:
                dropped = conn.execute(sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
            assert dropped >= 1
            assert client.get("/").status_code == 200
    finally:
        outsider.dispose()

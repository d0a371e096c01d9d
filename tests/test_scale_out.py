"""Two app servers (gunicorn) on one database and one Redis act as one: sessions cross them, a
logout on one ends the session on the other, the login throttle counts for both, and a job asked
for on one is run by a worker process (`flask jobs-worker`, neither server), followed and
downloaded on the other (issue 12 point 7; docs/SCALE_OUT.md). Skipped when no Redis answers
(TEST_REDIS_URL, a Redis db for the tests: the throttle's keys and the job queue are named for
each run and removed after it, so that runs side by side do not take each other's jobs)."""

import importlib.util
import os
import socket
import urllib.parse
from pathlib import Path

import pytest

from grants.extensions import db
from grants.models import Role, User
from grants.services.intake import applications
from tests import factories
from tests.conftest import PASSWORD, committed

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/2")
ROOT = Path(__file__).resolve().parent.parent


def redis_answers(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379),
                                      timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def scale_out_script():
    spec = importlib.util.spec_from_file_location("scale_out", ROOT / "scripts/scale_out.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not redis_answers(REDIS_URL), reason=f"no Redis answers at {REDIS_URL}")
def test_two_servers_share_sessions_the_login_throttle_and_the_jobs(app, make_user):
    manager_id = make_user(Role.PROGRAMME_MANAGER, username="crossing")
    with committed(app):  # one dossier, for the export that the job writes
        manager = db.session.get(User, manager_id)
        applications.submit(manager, factories.complete_dossier(
            manager, factories.open_call(manager), factories.person(manager)))
    steps: list[str] = []
    with app.app_context():
        database_url = app.config["SQLALCHEMY_DATABASE_URI"]
    scale_out_script().check(database_url, REDIS_URL, "crossing", PASSWORD, echo=steps.append)
    print("\n".join(steps))  # with -s: what each step saw
    assert any("B serves the home page with A's session" in step for step in steps)
    assert any("A refuses the session ended on B" in step for step in steps)
    assert any("refused (429) on A and on B" in step for step in steps)
    assert any("B shows it waiting, no worker yet" in step for step in steps)
    assert any("a worker (not A, not B) ran job" in step for step in steps)
    assert any("B serves the worker's file" in step and "a workbook of 3 rows" in step
               for step in steps)  # the heading, the dossier, the totals

"""/health for the monitoring probe and the JSON request log (grants/operations/)."""

import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from grants.database import utcnow
from grants.extensions import db
from grants.models import Job, Role
from grants.operations.request_log import logger as request_logger


def test_health_answers_ok_without_a_session_or_a_cache(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations", "jobs", "storage"}
    assert all(check["ok"] for check in body["checks"].values())
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_health_fails_when_the_database_is_behind_the_code(app, client):
    with app.app_context():
        current = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = 'b7d41c9e2f60'"))
        db.session.commit()
    try:
        response = client.get("/health")
    finally:
        with app.app_context():
            db.session.execute(sa.text("UPDATE alembic_version SET version_num = :v"),
                               {"v": current})
            db.session.commit()
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert not checks["migrations"]["ok"] and "db upgrade" in checks["migrations"]["detail"]
    assert checks["database"]["ok"] and checks["storage"]["ok"]


def test_health_fails_when_no_worker_takes_the_jobs(make_app, make_user, tmp_path):
    app = make_app(JOBS_IMMEDIATE=False, JOBS_SQLITE_QUEUE=str(tmp_path / "queue.sqlite3"))
    user_id = make_user(Role.ADMIN)
    with app.app_context():
        db.session.add(Job(kind="applications.xlsx", requested_by_id=user_id, parameters={},
                           created_at=utcnow() - timedelta(minutes=3)))
        db.session.commit()
    assert app.test_client().get("/health").status_code == 200  # a young job waits its turn
    with app.app_context():
        db.session.execute(sa.update(Job).values(created_at=utcnow() - timedelta(minutes=40)))
        db.session.commit()
    response = app.test_client().get("/health")
    assert response.status_code == 503
    jobs = response.get_json()["checks"]["jobs"]
    assert not jobs["ok"] and "jobs-worker" in jobs["detail"]


def test_health_fails_when_the_storage_cannot_be_written(make_app, tmp_path, monkeypatch):
    monkeypatch.setenv("GRANTS_INSTANCE_PATH", str(tmp_path))
    app = make_app()
    (Path(app.instance_path) / "uploads").write_text("a file where the folder should be")
    response = app.test_client().get("/health")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert not checks["storage"]["ok"] and checks["database"]["ok"]


@pytest.fixture
def logged_lines():
    """The request log's lines, caught by our handler (the app adds none when one is there)."""
    lines: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    handler = Catch()
    request_logger.addHandler(handler)
    request_logger.setLevel(logging.INFO)
    yield lines
    request_logger.removeHandler(handler)


def test_each_request_logs_one_json_line_without_personal_data(make_app, make_user,
                                                               logged_lines):
    app = make_app(REQUEST_LOG=True)
    client = app.test_client()
    user_id = make_user(Role.INTAKE_AGENT, username="agent7")
    client.post("/connexion", data={"identifier": "agent7", "password": "correct-horse-battery"})
    logged_lines.clear()
    response = client.get("/beneficiaires/?q=Aminata+Traore", headers={"X-Request-ID": "nginx-1234abcd"})
    assert response.status_code == 200
    assert len(logged_lines) == 1
    line = json.loads(logged_lines[0])
    assert line == {"request_id": "nginx-1234abcd", "method": "GET", "route": "/beneficiaires/",
                    "endpoint": line["endpoint"], "status": 200,
                    "duration_ms": line["duration_ms"], "user_id": user_id}
    assert line["duration_ms"] >= 0 and "Aminata" not in logged_lines[0]
    assert response.headers["X-Request-ID"] == "nginx-1234abcd"

    # A header that is not a plain token is replaced; an anonymous request has no user.
    anonymous = app.test_client().get("/beneficiaires/42", headers={"X-Request-ID": "<script>x"})
    line = json.loads(logged_lines[-1])
    assert line["route"].startswith("/beneficiaires/<")
    assert line["user_id"] is None and line["status"] == anonymous.status_code
    assert line["request_id"] == anonymous.headers["X-Request-ID"] != "<script>x"
    assert len(line["request_id"]) == 32

"""Background jobs: an export is a job whose page shows its progress and whose file only its
requester downloads; a job runs once, is retried on unexpected errors and says why it failed; a
real huey consumer (threads) runs the jobs a request queued. The lease: a job whose worker died
is taken again, then failed with a reason after JOBS_MAX_ATTEMPTS claims; a live worker's
heartbeat keeps its job; old job files are deleted and their page says to ask again."""

import io
import re
import socket
import time
from datetime import timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from grants.database import utcnow
from grants.extensions import db
from grants.jobs import lease, runner
from grants.models import Job, JobStatus, Role, User
from tests import factories
from tests.conftest import committed, login


@pytest.fixture
def dossier(app, make_user):
    """A programme manager (user1) and a submitted dossier of a returnee named Kanté."""
    manager_id = make_user(Role.PROGRAMME_MANAGER)
    with committed(app):
        manager = db.session.get(User, manager_id)
        call = factories.open_call(manager)
        from grants.services.intake import applications

        applications.submit(manager, factories.complete_dossier(
            manager, call, factories.person(manager)))
    return manager_id


def _job_id(response) -> int:
    assert response.status_code == 302, response.status_code
    return int(re.fullmatch(r"/telechargements/(\d+)", response.location).group(1))


def _sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_an_export_is_a_job_whose_file_only_its_requester_gets(app, make_user, dossier):
    owner, other = app.test_client(), app.test_client()
    login(owner, "user1")
    make_user(Role.PROGRAMME_MANAGER, username="other")
    login(other, "other")
    job_id = _job_id(owner.get("/dossiers/export.xlsx?sort=name"))
    page = owner.get(f"/telechargements/{job_id}").get_data(as_text=True)
    assert "Prêt" in page and f"/telechargements/{job_id}/fichier" in page
    assert 'http-equiv="refresh"' not in page  # finished: nothing to wait for
    state = owner.get(f"/telechargements/{job_id}/etat.json").get_json()
    assert state["status"] == "done" and state["percent"] == 100 and state["finished"]
    response = owner.get(f"/telechargements/{job_id}/fichier")
    assert response.status_code == 200
    assert "dossiers-" in response.headers["Content-Disposition"]
    rows = list(_sheet(response.data).iter_rows(values_only=True))
    response.close()
    assert rows[0][0] == "Référence" and "Moussa Kanté" in rows[1]
    assert "Dossiers (Excel)" in owner.get("/telechargements/").get_data(as_text=True)
    # Anyone else: as if the job did not exist.
    for url in (f"/telechargements/{job_id}", f"/telechargements/{job_id}/etat.json",
                f"/telechargements/{job_id}/fichier"):
        assert other.get(url).status_code == 404, url
    assert "Dossiers (Excel)" not in other.get("/telechargements/").get_data(as_text=True)
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.parameters["filters"]["sort"] == "name" and job.parameters["locale"] == "fr"


def test_a_job_done_is_not_redone_and_its_file_is_written_once(app, client, dossier):
    login(client, "user1")
    job_id = _job_id(client.get("/dossiers/export.xlsx"))
    with app.app_context():
        job = db.session.get(Job, job_id)
        path = runner.result_path(job)
        before = (path.stat().st_mtime_ns, job.finished_at)
        runner.run(job_id)  # a second delivery of the same task
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        assert job.status is JobStatus.DONE
        assert (runner.result_path(job).stat().st_mtime_ns, job.finished_at) == before
        files = [p for p in runner.results_root().iterdir() if p.name.startswith(job.stored_name)]
        assert files == [path]


def test_unexpected_errors_are_retried_then_the_job_fails_with_a_readable_reason(
        app, client, dossier, monkeypatch, caplog):
    from grants.jobs import kinds

    def broken(*args):
        raise OSError("disk full at /secret/path")

    monkeypatch.setitem(kinds.KINDS, "applications.xlsx",
                        kinds.KINDS["applications.xlsx"].__class__(
                            "Broken", kinds.KINDS["applications.xlsx"].permission, broken))
    login(client, "user1")
    job_id = _job_id(client.get("/dossiers/export.xlsx"))
    with app.app_context():
        # Immediate mode: huey scheduled a retry; the job waits for it.
        assert db.session.get(Job, job_id).status is JobStatus.QUEUED
        with pytest.raises(OSError):
            runner.run(job_id, retries_left=1)
        db.session.expire_all()
        assert db.session.get(Job, job_id).status is JobStatus.QUEUED
        runner.run(job_id, retries_left=0)  # the last try
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        assert job.status is JobStatus.FAILED and job.finished_at is not None
        assert "erreur inattendue" in job.error and "secret" not in job.error
    assert "disk full at /secret/path" in caplog.text  # the traceback goes to the log
    page = client.get(f"/telechargements/{job_id}").get_data(as_text=True)
    assert "erreur inattendue" in page and "secret" not in page
    assert client.get(f"/telechargements/{job_id}/fichier").status_code == 404


def test_a_refusal_fails_the_job_at_once_in_the_requesters_language(app, committee):
    """The ranking of a session still being scored is refused when the job runs."""
    from flask_login import login_user

    from grants.jobs import start

    with committed(app):
        db.session.get(User, committee["chair"]).locale = "en"
    with app.test_request_context():
        login_user(db.session.get(User, committee["chair"]))
        job_id = start("ranking.xlsx", {"session_id": committee["session"]}).id
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.status is JobStatus.FAILED
        assert job.error == "The ranking of this session cannot be seen yet."


def test_garbage_addresses_of_jobs_are_not_found(app, client, dossier):
    login(client, "user1")
    for url in ("/telechargements/0", "/telechargements/99999999999999999999999",
                "/telechargements/1/fichier", "/telechargements/-1/etat.json",
                "/telechargements/abc"):
        assert client.get(url).status_code == 404, url
    for page in ("abc", "-1", "99999999999999999999"):
        assert client.get("/telechargements/", query_string={"page": page}).status_code == 200
    assert client.get("/telechargements/", query_string={"page": "\x00"}).status_code == 400
    for args in ({"call_id": "abc", "status": "zzz", "sort": "nonsense"}, {"q": "x" * 5000},
                 {"region_id": "99999999999999999999"}):
        assert client.get("/dossiers/export.xlsx", query_string=args).status_code == 302
    assert client.get("/suivi/visites.xlsx", query_string={"retard": "\x00"}).status_code == 400


def test_a_huey_consumer_in_threads_runs_the_queued_jobs(make_app, tmp_path, dossier):
    """The wiring end to end: the request queues (SQLite queue), a consumer's threads run it."""
    app = make_app(JOBS_IMMEDIATE=False, JOBS_SQLITE_QUEUE=str(tmp_path / "queue.sqlite3"))
    client = app.test_client()
    login(client, "user1")
    job_id = _job_id(client.get("/dossiers/export.xlsx"))
    assert _job_id(client.get("/dossiers/export.xlsx")) == job_id  # a double click: one job
    page = client.get(f"/telechargements/{job_id}").get_data(as_text=True)
    assert "En attente" in page and 'http-equiv="refresh"' in page and "js/job-progress." in page
    assert not client.get(f"/telechargements/{job_id}/etat.json").get_json()["finished"]
    huey = app.extensions["huey"]
    assert len(huey) == 1
    consumer = huey.create_consumer(workers=2, worker_type="thread", periodic=False)
    consumer.start()
    try:
        deadline = time.monotonic() + 60
        while not client.get(f"/telechargements/{job_id}/etat.json").get_json()["finished"]:
            assert time.monotonic() < deadline, "the consumer did not run the job"
            time.sleep(0.1)
    finally:
        consumer.stop(graceful=True)
    response = client.get(f"/telechargements/{job_id}/fichier")
    assert response.status_code == 200
    assert "Moussa Kanté" in list(_sheet(response.data).iter_rows(values_only=True))[1]
    response.close()


def test_a_queue_out_of_reach_fails_the_job_with_a_reason_not_a_500(make_app, dossier):
    """Redis down (several servers): the job's page says it failed, and asking again queues a
    new job rather than returning the one that was never queued."""
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = make_app(JOBS_IMMEDIATE=False, JOBS_REDIS_URL=f"redis://127.0.0.1:{port}/0")
    client = app.test_client()
    login(client, "user1")
    job_id = _job_id(client.get("/dossiers/export.xlsx"))
    state = client.get(f"/telechargements/{job_id}/etat.json").get_json()
    assert state["status"] == "failed" and "Réessayez plus tard" in state["error"]
    assert _job_id(client.get("/dossiers/export.xlsx")) != job_id


def test_every_role_reaches_its_own_downloads(app, make_user):
    for role in Role:
        client = app.test_client()
        user_id = make_user(role, regions=("00",))
        with app.app_context():
            username = db.session.get(User, user_id).username
        login(client, username)
        page = client.get("/telechargements/")
        assert page.status_code == 200, role
        assert 'href="/telechargements/"' in client.get("/").get_data(as_text=True), role


def test_the_visits_export_runs_the_same_statements_whatever_the_number_of_visits(app,
                                                                                   followed):
    from tests.conftest import count_queries, download
    from tests.factories import make_followed_more

    manager = app.test_client()
    login(manager, "manager")
    download(manager, "/suivi/visites.xlsx")

    def measured() -> tuple[int, int]:
        with count_queries(app) as statements:
            rows = _sheet(download(manager, "/suivi/visites.xlsx")).max_row - 1
        return statements[0], rows

    few, few_rows = measured()
    make_followed_more(app, followed, 3)
    many, many_rows = measured()
    assert many_rows > few_rows and many == few


def _orphan(app, client, attempts: int, silent_minutes: int) -> int:
    """A dossiers export whose worker took it `attempts` times and was last heard of
    `silent_minutes` ago, as if that worker had been killed."""
    job_id = _job_id(client.get("/dossiers/export.xlsx"))
    with app.app_context():
        db.session.execute(sa.update(Job).where(Job.id == job_id).values(
            status=JobStatus.RUNNING, attempts=attempts, download_name=None,
            finished_at=None, heartbeat_at=utcnow() - timedelta(minutes=silent_minutes)))
        db.session.commit()
    return job_id


def test_a_job_whose_worker_died_is_taken_again_and_its_file_comes(app, client, dossier):
    login(client, "user1")
    job_id = _orphan(app, client, attempts=1, silent_minutes=11)
    with app.app_context():
        assert lease.reap() == ([job_id], [])  # queued again; the immediate queue runs it
        job = db.session.get(Job, job_id)
        assert job.status is JobStatus.DONE and job.attempts == 2
    response = client.get(f"/telechargements/{job_id}/fichier")
    assert response.status_code == 200 and "Moussa Kanté" in list(
        _sheet(response.data).iter_rows(values_only=True))[1]
    response.close()


def test_a_job_heard_of_within_its_lease_is_left_to_its_worker(app, client, dossier):
    login(client, "user1")
    job_id = _orphan(app, client, attempts=1, silent_minutes=9)
    with app.app_context():
        assert lease.reap() == ([], [])
        assert db.session.get(Job, job_id).status is JobStatus.RUNNING
        # Nine minutes later, with no heartbeat meanwhile, the lease has run out.
        assert lease.reap(utcnow() + timedelta(minutes=9)) == ([job_id], [])


def test_a_job_that_kills_its_worker_each_time_fails_with_a_reason(app, client, dossier):
    login(client, "user1")
    job_id = _orphan(app, client, attempts=app.config["JOBS_MAX_ATTEMPTS"], silent_minutes=30)
    with app.app_context():
        assert lease.reap() == ([], [job_id])
        job = db.session.get(Job, job_id)
        assert job.status is JobStatus.FAILED and job.finished_at is not None
    page = client.get(f"/telechargements/{job_id}").get_data(as_text=True)
    assert "arrêtée 3 fois" in page and "Demandez-la à nouveau" in page
    with app.app_context():  # nothing more happens to it
        assert lease.reap(utcnow() + timedelta(days=1)) == ([], [])


def test_the_heartbeat_keeps_a_running_job_alive(app, client, dossier):
    login(client, "user1")
    job_id = _orphan(app, client, attempts=1, silent_minutes=60)
    with app.app_context():
        with lease.Heartbeat(job_id, 0.05):
            deadline = time.monotonic() + 10
            while db.session.get(Job, job_id).heartbeat_at < utcnow() - timedelta(minutes=1):
                assert time.monotonic() < deadline, "no heartbeat written"
                time.sleep(0.05)
                db.session.rollback()
        assert lease.reap() == ([], [])


def test_old_job_files_are_deleted_and_their_page_says_to_ask_again(app, client, dossier):
    login(client, "user1")
    old, recent = (_job_id(client.get(f"/dossiers/export.xlsx?sort={sort}"))
                   for sort in ("name", "reference"))
    days = app.config["JOBS_KEEP_DAYS"]
    with app.app_context():
        db.session.execute(sa.update(Job).where(Job.id == old).values(
            finished_at=utcnow() - timedelta(days=days, hours=1)))
        db.session.commit()
        old_path = runner.result_path(db.session.get(Job, old))
        assert lease.discard_old_files() == 1
        assert not old_path.exists()
        assert runner.result_path(db.session.get(Job, recent)).is_file()
    assert client.get(f"/telechargements/{old}/fichier").status_code == 404
    page = client.get(f"/telechargements/{old}").get_data(as_text=True)
    assert f"supprimé après {days} jours" in page and f"/telechargements/{old}/fichier" not in page
    assert f"Supprimé après {days} jours" in client.get("/telechargements/").get_data(as_text=True)
    response = client.get(f"/telechargements/{recent}/fichier")
    assert response.status_code == 200
    response.close()

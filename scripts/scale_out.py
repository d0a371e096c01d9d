"""Check that two app servers on one database and one Redis behave as one (docs/SCALE_OUT.md):
a session opened on A works on B, a logout on B ends it on A, failed logins on A and B are
counted together by the login throttle, and a job asked for on A is run by a worker process
(neither server), followed on B and its file downloaded from B.

    .venv/bin/python scripts/scale_out.py --database-url postgresql+psycopg://…/grants \\
        --redis-url redis://127.0.0.1:6379/0 [--username gestionnaire --password …]

Starts two gunicorn servers and then a job worker (`flask jobs-worker`), each with an instance
folder of its own but one shared `jobs` folder (as if mounted from shared storage), the same
SECRET_KEY and the same JOBS_REDIS_URL; prints each step and exits non-zero at the first that
fails. The account must exist (the demo accounts do) and may export the dossiers; it is not
locked out: the failed logins use another identifier. Nothing is written but a session row,
audit rows and one export job (its file is in a temporary folder); the throttle's keys and the
job queue carry names of their own, removed at the end, so that no other worker takes the job."""

import argparse
import contextlib
import http.client
import io
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COOKIE = "grants_session"


class ScaleOutError(AssertionError):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def instance_folder(folder: Path, name: str) -> Path:
    """An instance folder of its own, whose `jobs` is the one shared folder (a mount in
    production): nothing else of one process's instance folder is seen by the others."""
    instance = folder / name
    instance.mkdir(parents=True, exist_ok=True)
    (folder / "shared-jobs").mkdir(exist_ok=True)
    (instance / "jobs").symlink_to(folder / "shared-jobs", target_is_directory=True)
    return instance


def start_server(env: dict[str, str], instance: Path, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", "1", "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning", "--no-control-socket", "wsgi:app"],
        cwd=ROOT, env={**os.environ, **env, "GRANTS_INSTANCE_PATH": str(instance)})
    return server


def start_worker(env: dict[str, str], instance: Path) -> subprocess.Popen:
    """`flask jobs-worker`, one thread; its log goes to instance/worker.log (quoted on failure)."""
    with open(instance / "worker.log", "wb") as log:
        return subprocess.Popen(
            [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "jobs-worker",
             "--workers", "1"],
            cwd=ROOT, env={**os.environ, **env, "GRANTS_INSTANCE_PATH": str(instance)},
            stdout=log, stderr=subprocess.STDOUT)


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_listening(server: subprocess.Popen, port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if server.poll() is not None:
                raise ScaleOutError(f"the server on port {port} exited ({server.returncode})") from None
            time.sleep(0.1)
    raise ScaleOutError(f"nothing listens on port {port} after {seconds:.0f} s")


class Browser:
    """One browser: its cookie, sent to whichever server it asks."""

    def __init__(self) -> None:
        self.cookie = ""

    def ask(self, port: int, method: str, path: str, form: dict | None = None):
        status, headers, body = self.fetch(port, method, path, form)
        return status, headers.get("Location", ""), body.decode("utf-8", "replace")

    def fetch(self, port: int, method: str, path: str, form: dict | None = None):
        """The status, headers and bytes of the answer."""
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": f"{COOKIE}={self.cookie}"} if self.cookie else {}
        payload = None
        if form is not None:
            payload = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            if value.startswith(COOKIE + "="):
                self.cookie = value.split(";", 1)[0].split("=", 1)[1]
        return response.status, response.headers, body

    def csrf_token(self, port: int, path: str) -> str:
        _status, _location, page = self.ask(port, "GET", path)
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        if not found:
            raise ScaleOutError(f"no CSRF token on {path}")
        return found.group(1)

    def log_in(self, port: int, identifier: str, password: str) -> int:
        form = {"identifier": identifier, "password": password,
                "csrf_token": self.csrf_token(port, "/connexion")}
        return self.ask(port, "POST", "/connexion", form)[0]


def check_sessions(a: int, b: int, username: str, password: str, echo: Callable) -> None:
    browser = Browser()
    if browser.log_in(a, username, password) != 302:
        raise ScaleOutError(f"could not log in as {username} on A")
    echo(f"logged in as {username} on A")
    status, location, _ = browser.ask(b, "GET", "/")
    if status != 200:
        raise ScaleOutError(f"B refused A's session: {status} {location}")
    echo("B serves the home page with A's session")
    stolen = browser.cookie  # what a copy of the cookie, kept elsewhere, would hold
    token = browser.csrf_token(b, "/")
    status, _location, _ = browser.ask(b, "POST", "/deconnexion", {"csrf_token": token})
    if status != 302:
        raise ScaleOutError(f"logout on B answered {status}")
    echo("logged out on B")
    replay = Browser()
    replay.cookie = stolen
    status, location, _ = replay.ask(a, "GET", "/")
    if status != 302 or "/connexion" not in location:
        raise ScaleOutError(f"A still accepts the session ended on B: {status} {location}")
    echo("A refuses the session ended on B (redirect to the login page)")


def check_login_throttle(a: int, b: int, per_account: int, echo: Callable) -> None:
    """`per_account` failures shared between A and B, then one more is refused on either."""
    identifier = f"nobody-{secrets.token_hex(4)}"
    browser = Browser()
    for attempt in range(per_account):
        port = (a, b)[attempt % 2]
        status = browser.log_in(port, identifier, "wrong password")
        if status != 200:
            raise ScaleOutError(f"failed login {attempt + 1} answered {status}")
    echo(f"{per_account} failed logins for one identifier, alternately on A and B")
    for name, port in (("A", a), ("B", b)):
        status = browser.log_in(port, identifier, "wrong password")
        if status != 429:
            raise ScaleOutError(f"attempt {per_account + 1} on {name} answered {status}, not 429: "
                                "the servers count failures apart")
    echo("the next attempt is refused (429) on A and on B: one count for both servers")


def job_state(browser: Browser, port: int, job_id: str) -> dict:
    status, _location, text = browser.ask(port, "GET", f"/telechargements/{job_id}/etat.json")
    if status != 200:
        raise ScaleOutError(f"the state of job {job_id} answered {status}")
    return json.loads(text)


def check_jobs(a: int, b: int, username: str, password: str,
               start_worker: Callable[[], subprocess.Popen], echo: Callable,
               pickup_seconds: float = 45, seconds: float = 900) -> None:
    """The dossiers export asked for on A waits in the queue (B shows it waiting: no server runs
    jobs), a worker started then takes it, B follows it to the end and serves the file. The
    worker has `pickup_seconds` to start and take the job, the job `seconds` to end (a national
    database's export takes a while)."""
    browser = Browser()
    if browser.log_in(a, username, password) != 302:
        raise ScaleOutError(f"could not log in as {username} on A")
    status, location, _ = browser.ask(a, "GET", "/dossiers/export.xlsx")
    found = re.search(r"/(\d+)$", urllib.parse.urlsplit(location).path)
    if status != 302 or not found:
        raise ScaleOutError(f"the dossiers export on A answered {status} {location}")
    job_id = found.group(1)
    state = job_state(browser, b, job_id)
    if state["status"] != "queued":
        raise ScaleOutError(f"with no worker running, B says job {job_id} is {state['status']}")
    echo(f"job {job_id} (dossiers export) asked for on A; B shows it waiting, no worker yet")
    worker = start_worker()
    seen = [f"{state['status']} {state['done']}/{state['total']}"]
    started = time.monotonic()
    while not state["finished"]:
        if worker.poll() is not None:
            raise ScaleOutError(f"the worker exited ({worker.returncode})")
        waited = time.monotonic() - started
        if state["status"] == "queued" and waited > pickup_seconds:
            raise ScaleOutError(f"job {job_id} is still waiting on B {pickup_seconds:.0f} s after "
                                "the worker started: no worker took it from the queue")
        if waited > seconds:
            raise ScaleOutError(f"job {job_id} is still {state['status']} after {seconds:.0f} s")
        time.sleep(0.2)
        state = job_state(browser, b, job_id)
        step = f"{state['status']} {state['done']}/{state['total']}"
        if step != seen[-1]:
            seen.append(step)
    if state["status"] != "done" or not state["result"]:
        raise ScaleOutError(f"job {job_id} ended {state['status']}: {state['error']}")
    echo(f"a worker (not A, not B) ran job {job_id}; B showed its states: {' -> '.join(seen)}")
    status, headers, body = browser.fetch(b, "GET", state["result"])
    if status != 200:
        raise ScaleOutError(f"B answered {status} for the job's file: is the jobs folder shared?")
    disposition = headers.get("Content-Disposition", "")
    if "dossiers-" not in disposition or not body.startswith(b"PK"):
        raise ScaleOutError(f"B's file is not the dossiers workbook: {disposition!r}")
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    rows = load_workbook(io.BytesIO(body), read_only=True).worksheets[0].max_row or 0
    echo(f"B serves the worker's file: {len(body)} bytes, a workbook of {rows} rows")


def remove_keys(redis_url: str, name: str) -> None:
    """The check's own keys (its queue, with a job left there by a failure, and its throttle
    counts), all named after `name`: nothing of the check stays in Redis."""
    import redis

    with contextlib.suppress(redis.RedisError):
        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(match=f"*{name}*"))
        if keys:
            client.delete(*keys)


def check(database_url: str, redis_url: str, username: str, password: str,
          echo: Callable = print, per_account: int = 3) -> None:
    name = f"scaleoutcheck{secrets.token_hex(4)}"  # huey keeps only [a-z0-9] of a queue's name
    env = {"DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(32),
           "GRANTS_JOBS_IMMEDIATE": "false",
           "GRANTS_RATELIMIT_STORAGE_URI": redis_url,
           "GRANTS_RATELIMIT_KEY_PREFIX": name,
           "GRANTS_RATELIMIT_ENABLED": "true",
           "GRANTS_LOGIN_RATE_LIMIT_PER_ACCOUNT": f"{per_account} per 5 minutes",
           "GRANTS_JOBS_REDIS_URL": redis_url, "GRANTS_JOBS_QUEUE_NAME": name}
    ports = free_port(), free_port()
    processes: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="scale-out-") as temporary:
        folder = Path(temporary)
        worker_instance = instance_folder(folder, "W")

        def worker() -> subprocess.Popen:
            processes.append(start_worker(env, worker_instance))
            return processes[-1]

        try:
            for label, port in zip("AB", ports, strict=True):
                processes.append(start_server(env, instance_folder(folder, label), port))
            for server, port in zip(processes, ports, strict=True):
                wait_listening(server, port)
            echo(f"two servers: A on port {ports[0]}, B on port {ports[1]}; throttle and job "
                 f"queue on {redis_url}")
            check_sessions(*ports, username, password, echo)
            check_login_throttle(*ports, per_account, echo)
            try:
                check_jobs(*ports, username, password, worker, echo)
            except ScaleOutError as error:
                log = worker_instance / "worker.log"
                tail = log.read_text("utf-8", "replace")[-2000:] if log.exists() else ""
                raise ScaleOutError(f"{error}\n--- the worker's log ---\n{tail}") from None
        finally:
            stop(processes)
            remove_keys(redis_url, name)


def main() -> None:
    from grants.demo.accounts import DEMO_PASSWORD

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--username", default="gestionnaire")
    parser.add_argument("--password", default=DEMO_PASSWORD)
    args = parser.parse_args()
    try:
        check(args.database_url, args.redis_url, args.username, args.password)
    except ScaleOutError as error:
        raise SystemExit(f"FAILED: {error}") from None
    print("OK: the two servers share sessions, the login throttle and the jobs")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()

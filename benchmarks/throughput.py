"""Benchmark: requests per second under gunicorn (4 workers) on PostgreSQL, of the login page and
of each list page, at 8 and 32 connections, and each page's share of the login page's rate in
the same run (issue 12 point 3; goal: every list page >= 25 %). Each page is loaded in short
bursts, each right after a burst of the login page, and its share is taken against those: on a
machine that also runs other work, a login rate measured once at the start drifts away from
the conditions of the pages measured minutes later.

    .venv/bin/python benchmarks/throughput.py --database-url postgresql+psycopg://…/bench  # emptied!
    .venv/bin/python benchmarks/throughput.py --database-url URL --no-build   # already built

The database is rebuilt with the demo data (benchmarks/pages.py's build()) unless --no-build or
--national. Each page is loaded by wrk (apt-get install wrk) with the session cookie of a demo
account whose role may open it; without wrk, by a small Python load generator (threads and
http.client: it tops out far below wrk, so its figures are only comparable within one run).
Every page is first checked to answer 200 to that account: a redirect to the login page would
be measured as a very fast page."""

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.pages import PASSWORD, build, make_app, sample_ids  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# (label, endpoint, demo account): the list pages of issue 12, each opened by the role that
# uses it most.
LIST_PAGES = [
    ("finance home", "finance.index", "ordonnateur"),
    ("register", "finance.register", "comptable"),
    ("dossiers", "applications.index", "gestionnaire"),
    ("returnees", "beneficiaries.index", "gestionnaire"),
    ("ranking", "committees.ranking", "president"),
    ("worklist", "visits.worklist", "terrain"),
]
GOAL_SHARE = 0.25
# Not a list page: the cost of any logged-in page (session loader, layout, menu), for reference.
REFERENCE_PAGES = [("home", "main.home", "gestionnaire")]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(url: str, instance: Path, port: int, workers: int, extra_env=None):
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="throughput-bench",
               GRANTS_INSTANCE_PATH=str(instance), **(extra_env or {}))
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn did not start") from None
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not listen in 30 s")


def request(port: int, method: str, path: str, cookie: str = "", body: dict | None = None):
    """(status, headers, text) of one request; no redirect followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    text = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, response.headers, text


def session_cookie(headers, name: str = "grants_session") -> str:
    for value in headers.get_all("Set-Cookie") or []:
        if value.startswith(name + "="):
            return value.split(";", 1)[0]
    return ""


def log_in(port: int, username: str) -> str:
    """The session cookie ("grants_session=…") of a demo account, logged in through the form."""
    status, headers, page = request(port, "GET", "/connexion")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page)
    anonymous = session_cookie(headers)
    form = {"identifier": username, "password": PASSWORD, "csrf_token": token.group(1) if token else ""}
    status, headers, _ = request(port, "POST", "/connexion", anonymous, form)
    cookie = session_cookie(headers)
    if status != 302 or not cookie:
        raise SystemExit(f"could not log in as {username} (HTTP {status})")
    return cookie


def run_wrk(port: int, path: str, cookie: str, connections: int, seconds: int) -> dict:
    command = ["wrk", "--latency", "-t", str(min(connections, 4)), "-c", str(connections),
               "-d", f"{seconds}s", "--timeout", "30s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True,
                         text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": _ms(re.search(r"\s50%\s+([\d.]+\w+)", out).group(1)),
            "p99": _ms(re.search(r"\s99%\s+([\d.]+\w+)", out).group(1)),
            "errors": int(errors.group(1)) if errors else 0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_python(port: int, path: str, cookie: str, connections: int, seconds: int) -> dict:
    """The stand-in for wrk: `connections` threads, each with one keep-alive connection."""
    latencies: list[float] = []
    errors = [0]
    deadline = time.perf_counter() + seconds

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": cookie} if cookie else {}
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status >= 400:
                errors[0] += 1
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {"rps": len(latencies) / (time.perf_counter() - started),
            "p50": statistics.median(latencies),
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
            "errors": errors[0]}


def targets(url: str, instance: Path) -> list[tuple[str, str, str]]:
    """(label, path, account) of the login page and of each list page on this database."""
    from flask import url_for

    app = make_app(url, instance)
    ids = sample_ids(app)
    found = [("login page", "/connexion", "")]
    with app.test_request_context():
        for label, endpoint, account in REFERENCE_PAGES + LIST_PAGES:
            rule = next(app.url_map.iter_rules(endpoint))
            found.append((label, url_for(endpoint, **{a: ids[a] for a in rule.arguments}), account))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL (EMPTIED unless --no-build)")
    parser.add_argument("--no-build", action="store_true", help="use the database as it is")
    parser.add_argument("--national", action="store_true", help="build the national data set")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", default="8,32")
    parser.add_argument("--seconds", type=int, default=10, help="per page (and as much again "
                        "for the login page beside it)")
    parser.add_argument("--rounds", type=int, default=5, help="bursts per page, each paired "
                        "with a burst of the login page")
    parser.add_argument("--only", help="a regular expression: only the pages whose label matches")
    parser.add_argument("--python-load", action="store_true", help="do not use wrk")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "grants-throughput"))
    args = parser.parse_args()
    instance = Path(args.workdir) / "instance"
    if not args.no_build:
        build(args.database_url, instance, "national" if args.national else "demo", args.scale)
    instance.mkdir(parents=True, exist_ok=True)
    pages = [t for t in targets(args.database_url, instance)
             if t[0] == "login page" or re.search(args.only or "", t[0])]
    load = run_python if args.python_load or not shutil.which("wrk") else run_wrk
    port = free_port()
    server = start_gunicorn(args.database_url, instance, port, args.workers,
                            {"GRANTS_RATELIMIT_ENABLED": "false"})
    try:
        cookies = {account: log_in(port, account) for account in {a for _, _, a in pages if a}}
        for label, path, account in pages:
            status, _, _ = request(port, "GET", path, cookies.get(account, ""))
            if status != 200:
                raise SystemExit(f"{label} ({path}) answers {status} to {account or 'anonymous'}")
            for _ in range(5):  # warm every worker's caches and connections
                request(port, "GET", path, cookies.get(account, ""))
        burst = max(1, round(args.seconds / args.rounds))
        print(f"gunicorn {args.workers} workers; per page {args.rounds} bursts of {burst} s, "
              f"each after a burst of the login page; load by "
              f"{'wrk' if load is run_wrk else 'Python threads'}")
        print(f"{'page':<14} {'account':<13} {'conn':>4} {'req/s':>8} {'login/s':>8} "
              f"{'share':>6} {'p50 ms':>8} {'p99 ms':>8}  path")
        failed = []
        login = pages[0]
        for connections in (int(c) for c in args.connections.split(",")):
            for label, path, account in pages[1:]:
                # Bursts of the login page and of this page in turn: on a shared machine the
                # load of other work changes within a run, and each burst of the page is
                # compared with the login page's burst beside it.
                logins, results = [], []
                for _ in range(args.rounds):
                    logins.append(load(port, login[1], "", connections, burst))
                    results.append(load(port, path, cookies.get(account, ""), connections, burst))
                baseline = statistics.fmean(r["rps"] for r in logins)
                result = {"rps": statistics.fmean(r["rps"] for r in results),
                          "p50": statistics.median(r["p50"] for r in results),
                          "p99": max(r["p99"] for r in results),
                          "errors": sum(r["errors"] for r in results)}
                share = result["rps"] / baseline
                goal = label not in (r[0] for r in REFERENCE_PAGES)
                mark = "  < 25 %" if goal and share < GOAL_SHARE else ""
                if mark:
                    failed.append((label, connections))
                errors = f"  {result['errors']} errors" if result["errors"] else ""
                print(f"{label:<14} {account or '-':<13} {connections:>4} {result['rps']:>8.1f} "
                      f"{baseline:>8.1f} {share:>6.0%} {result['p50']:>8.1f} "
                      f"{result['p99']:>8.1f}  {path}{mark}{errors}", flush=True)
        print("goal met: every list page >= 25 % of the login page" if not failed else
              f"goal missed by {len(failed)} measure(s): "
              + ", ".join(f"{label} at {c}" for label, c in failed))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

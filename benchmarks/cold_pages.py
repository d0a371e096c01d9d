"""Benchmark: the report pages drawn with every cache cold, as the first user after the caches
expire sees them in a warm process: the home page (to-dos and figures) of each role with
figures, the public transparency page and the budget execution page.

    .venv/bin/python benchmarks/cold_pages.py --database-url sqlite:////tmp/national.sqlite3
    .venv/bin/python benchmarks/cold_pages.py --database-url URL --save before.json
    .venv/bin/python benchmarks/cold_pages.py --database-url URL --baseline before.json
    .venv/bin/python benchmarks/cold_pages.py --database-url URL --statements --only admin

The app runs with REPORT_CACHE_SECONDS, DASHBOARD_CACHE_SECONDS, REMINDER_BADGE_CACHE_SECONDS
and TRANSPARENCY_CACHE_SECONDS at 0: every request recomputes. Each page is asked once to warm
the process, then --repeats times; the median and the best are printed (the best varies less
on a busy machine), the median CPU time of this process (SQLite's work included, not
PostgreSQL's: it varies least with the machine's load), with the statements of one request
(--statements lists them, slowest first, with their time). The database is only read. Goal
(issue 13): each page at most 300 ms at national size, on PostgreSQL and SQLite."""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from grants.demo.accounts import DEMO_PASSWORD as PASSWORD  # noqa: E402 (public: README)

COLD = {"REPORT_CACHE_SECONDS": 0, "DASHBOARD_CACHE_SECONDS": 0,
        "REMINDER_BADGE_CACHE_SECONDS": 0, "TRANSPARENCY_CACHE_SECONDS": 0}
# (name, account or None for anonymous, URL)
PAGES = [("home gestionnaire", "gestionnaire", "/"), ("home auditeur", "auditeur", "/"),
         ("home admin", "admin", "/"), ("home ordonnateur", "ordonnateur", "/"),
         ("home terrain", "terrain", "/"), ("home agent", "agent", "/"),
         ("transparency", None, "/transparence"),
         ("budget ordonnateur", "ordonnateur", "/finances/execution-budgetaire")]
GOAL_MS = 300


def make_app(url: str):
    from grants import create_app

    os.environ.setdefault("GRANTS_INSTANCE_PATH", str(Path(tempfile.gettempdir())
                                                      / "grants-cold-pages"))
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                       "RATELIMIT_ENABLED": False, "REQUEST_LOG": False, **COLD})


class Statements:
    """Each statement's SQL and time, for the request being measured."""

    def __init__(self, engine) -> None:
        self.rows: list[tuple[float, str]] = []
        self._started: list[float] = []
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, _conn, _cursor, _statement, _params, _context, _many) -> None:
        self._started.append(time.perf_counter())

    def _after(self, _conn, _cursor, statement, _params, _context, _many) -> None:
        self.rows.append((time.perf_counter() - self._started.pop(), statement))


def measure(app, repeats: int, only: str | None, show: bool) -> dict[str, list]:
    from grants.extensions import db

    with app.app_context():
        log = Statements(db.engine)
    clients: dict = {}
    results = {}
    for name, account, url in PAGES:
        if only and only not in name:
            continue
        client = clients.get(account)
        if client is None:
            client = clients[account] = app.test_client()
            if account:
                response = client.post("/connexion", data={"identifier": account,
                                                           "password": PASSWORD})
                assert response.status_code == 302, f"{account} cannot log in"
        times, cpu = [], []
        for run in range(repeats + 1):  # the first warms the process (imports, templates)
            log.rows.clear()
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            response.get_data()
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, f"{name}: {response.status_code}"
            if run:
                times.append(elapsed * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
        sql_ms = sum(t for t, _sql in log.rows) * 1000
        results[name] = [statistics.median(times), len(log.rows), sql_ms, min(times),
                         statistics.median(cpu)]
        if show:
            print(f"\n{name}: {len(log.rows)} statements, {sql_ms:.0f} ms of SQL (last run)")
            for seconds, sql in sorted(log.rows, reverse=True):
                print(f"  {seconds * 1000:7.1f} ms  {' '.join(sql.split())[:150]}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a national database (read only)")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", help="only the pages whose name holds this text")
    parser.add_argument("--statements", action="store_true",
                        help="list each statement of the last request with its time")
    parser.add_argument("--save", help="write the figures to this JSON file")
    parser.add_argument("--baseline", help="a file written by --save, to compare with")
    args = parser.parse_args()
    results = measure(make_app(args.database_url), args.repeats, args.only, args.statements)
    base = json.loads(Path(args.baseline).read_text()) if args.baseline else {}
    print(f"\n{'page':22} {'ms':>6} {'best':>6} {'cpu':>5} {'st':>4} {'sql ms':>7}  "
          f"{'before: ms, best, cpu, st':>29}  goal")
    for name, (ms, statements, sql_ms, best, cpu) in results.items():
        before = (f"{base[name][0]:6.0f} {base[name][3]:6.0f} {base[name][4]:5.0f} "
                  f"{base[name][1]:3} st" if name in base else "")
        print(f"{name:22} {ms:6.0f} {best:6.0f} {cpu:5.0f} {statements:4} {sql_ms:7.0f}  "
              f"{before:>29}  {'ok' if ms <= GOAL_MS else 'SLOW'}")
    if args.save:
        Path(args.save).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

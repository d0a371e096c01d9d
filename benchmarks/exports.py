"""Benchmark: the xlsx exports (dossiers, visits, register) at demo and national size, each against
a bare xlsxwriter constant-memory write of the same rows in the same run.

    .venv/bin/python benchmarks/exports.py [--scale 1] [--workdir /tmp/grants-exports]
    .venv/bin/python benchmarks/exports.py --demo-url URL --national-url URL   # already built

"ours" is the export as the job runs it (grants/exports/*.py: one streamed query, our checks,
formats, totals); "bare" reads the same rows from the same query and writes them with xlsxwriter
alone. Each measurement runs in a process of its own, so its peak memory (max RSS) is its own;
the two alternate and the best of `--repeats` is kept. Aim (issue 12): ours ≤ 1.5 × bare, peak
< 250 MB, and the same number of SQL statements at both sizes."""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

EXPORTS = ("applications", "visits", "register")


def _app(url: str, instance: Path):
    from benchmarks.pages import make_app

    return make_app(url, instance)


def _manager():
    """A programme manager: national scope, every row."""
    from grants.extensions import db
    from grants.models import Role, User, UserRole

    return db.session.scalar(sa.select(User).join(UserRole, UserRole.user_id == User.id)
                             .where(UserRole.role == Role.PROGRAMME_MANAGER).order_by(User.id))


def _source(export: str):
    """(our export as a callable returning its file, the same rows as an iterator) for `export`."""
    from datetime import date

    from grants.extensions import db

    if export == "applications":
        from grants.exports import applications
        from grants.services.intake.queries import Filters

        user = _manager()
        ours = lambda: applications.write_applications_xlsx(user, Filters())  # noqa: E731

        def rows():
            query = applications.rows_query(user, Filters()).execution_options(yield_per=2000)
            return applications.rows_of(db.session.execute(query))
    elif export == "visits":
        from grants.exports import visits

        user, today = _manager(), date.today()
        ours = lambda: visits.write_visits_xlsx(user, False, today)  # noqa: E731

        def rows():
            query = visits.rows_query(user, False, today).execution_options(yield_per=2000)
            return visits.rows_of(db.session.execute(query), today)
    else:
        from grants.exports import ledger
        from grants.services.money.register import RegisterFilters

        ours = lambda: ledger.write_register_xlsx(RegisterFilters())  # noqa: E731

        def rows():
            return ledger.rows(RegisterFilters())
    return ours, rows


def measure(url: str, instance: Path, export: str, mode: str) -> None:
    """One export once, in this process: prints a JSON line (seconds, peak MB, rows, statements)."""
    import xlsxwriter

    from grants.extensions import db

    app = _app(url, instance)
    with app.test_request_context():
        ours, rows = _source(export)
        statements = [0]

        def count(*_args):
            statements[0] += 1

        sa.event.listen(db.engine, "before_cursor_execute", count)
        start = time.perf_counter()
        written = 0
        if mode == "ours":
            path = ours()
        else:
            path = Path(tempfile.mkstemp(suffix=".xlsx")[1])
            workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                                       "default_date_format": "dd/mm/yyyy",
                                                       "remove_timezone": True})
            sheet = workbook.add_worksheet()
            for written, row in enumerate(rows(), 1):
                sheet.write_row(written - 1, 0, row)
            workbook.close()
        elapsed = time.perf_counter() - start
        path.unlink()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": elapsed, "peak": peak_mb, "rows": written,
                      "statements": statements[0]}))


def run_child(url: str, instance: Path, export: str, mode: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", url, str(instance), export, mode],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="of the national data set")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "grants-exports"))
    parser.add_argument("--demo-url", help="an existing demo database (not rebuilt)")
    parser.add_argument("--national-url", help="an existing national database (not rebuilt)")
    parser.add_argument("--only", choices=EXPORTS, action="append")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--build", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        url, instance, export, mode = args.child
        measure(url, Path(instance), export, mode)
        return
    if args.build:
        from benchmarks.pages import build

        url, instance, size = args.build
        build(url, Path(instance), size, args.scale)
        return

    workdir = Path(args.workdir)
    print(f"{'export':<13}{'size':<10}{'rows':>8}{'bare s':>9}{'ours s':>9}{'ratio':>7}"
          f"{'bare MB':>9}{'ours MB':>9}{'SQL':>5}   aim: ratio <= 1.5, ours < 250 MB, SQL equal")
    for size, given in (("demo", args.demo_url), ("national", args.national_url)):
        instance = workdir / size
        url = given or f"sqlite:///{instance / 'grants.sqlite3'}"
        if not given:
            # In a process of its own: a child's peak memory (max RSS) starts from its
            # parent's at the fork, so this process must stay small.
            subprocess.run([sys.executable, __file__, "--build", url, str(instance), size,
                            "--scale", str(args.scale)], capture_output=True, check=True)
        for export in args.only or EXPORTS:
            best: dict[str, dict] = {}
            for _ in range(args.repeats):  # alternate, keep the best time of each
                for mode in ("bare", "ours"):
                    result = run_child(url, instance, export, mode)
                    if mode not in best or result["seconds"] < best[mode]["seconds"]:
                        best[mode] = result
            bare, ours = best["bare"], best["ours"]
            print(f"{export:<13}{size:<10}{bare['rows']:>8}{bare['seconds']:>9.2f}"
                  f"{ours['seconds']:>9.2f}{ours['seconds'] / bare['seconds']:>7.2f}"
                  f"{bare['peak']:>9.0f}{ours['peak']:>9.0f}{ours['statements']:>5}", flush=True)


if __name__ == "__main__":
    main()

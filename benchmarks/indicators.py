"""Benchmark: the indicator report (the "indicators" job) on a database, step by step: the
sections (SQL + pandas), the workbook, the PDF, the CSV, as the job runs them.

    DATABASE_URL=sqlite:////tmp/national.sqlite3 flask --app wsgi seed-national   # once
    DATABASE_URL=sqlite:////tmp/national.sqlite3 .venv/bin/python benchmarks/indicators.py

It issues one version as the programme manager "gestionnaire" (a new frozen version each run),
with the figures' cache off, and prints the seconds of each step."""

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask_babel import force_locale  # noqa: E402

from grants import create_app  # noqa: E402
from grants.extensions import db  # noqa: E402
from grants.models import User  # noqa: E402


def main() -> None:
    from grants.exports.indicators import write_csv, write_pdf, write_xlsx
    from grants.reporting import issued
    from grants.reporting.filters import ReportFilter
    from grants.reporting.indicators import build

    app = create_app({"REPORT_CACHE_SECONDS": 0})
    today = date.today()
    with app.test_request_context():
        user = db.session.scalar(sa.select(User).where(User.username == "gestionnaire"))
        timings = {}
        with force_locale("fr"):
            start = time.perf_counter()
            report = build(ReportFilter.for_viewer(user), today)
            timings["sections (SQL + pandas)"] = time.perf_counter() - start
            start = time.perf_counter()
            with tempfile.TemporaryDirectory() as folder:
                size = write_xlsx(report, Path(folder) / "r.xlsx", {}).stat().st_size
            timings[f"workbook ({size // 1024} kB)"] = time.perf_counter() - start
            start = time.perf_counter()
            pdf = write_pdf(report, {}, 0)
            timings[f"PDF ({len(pdf) // 1024} kB)"] = time.perf_counter() - start
            start = time.perf_counter()
            csv = write_csv(report)
            timings[f"CSV ({len(csv) // 1024} kB)"] = time.perf_counter() - start
        start = time.perf_counter()
        issued.issue(user, {}, today)
        db.session.rollback()  # measured, not kept
        timings["the whole job (issue)"] = time.perf_counter() - start
    for step, seconds in timings.items():
        print(f"{step:32} {seconds:6.2f} s")


if __name__ == "__main__":
    main()

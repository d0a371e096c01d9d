"""Benchmark: importing a partner's list of 20 000 returnees (issue 15): the preview (read, map,
check every row, find duplicates against the registry and within the file, keep the rows) and
the import (bulk inserts, consents, links, the report), each in a process of its own.

    .venv/bin/python benchmarks/imports.py [--rows 20000] [--format xlsx|csv]
    .venv/bin/python benchmarks/imports.py --database-url postgresql+psycopg://…/bench_imports

The registry first holds 500 people who are also in the file (registry duplicates); the file has
200 rows repeating another row's phone and 100 bad rows. Aims: preview < 60 s, import < 2 min,
peak memory (max RSS of the process, read by the parent with os.wait4) < 300 MB."""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

AIMS = {"preview": 60.0, "import": 120.0}
MEMORY_AIM_MB = 300
REGISTERED = 500


def _app(url: str, instance: Path):
    from benchmarks.pages import make_app

    return make_app(url, instance)


def build(url: str, instance: Path, rows: int, fmt: str) -> Path:
    """A migrated database with a manager and the registered people, and the partner's file."""
    import flask_migrate
    import sqlalchemy as sa

    from grants.extensions import db
    from grants.models import Role, User
    from grants.services import accounts
    from tests import factories

    instance.mkdir(parents=True, exist_ok=True)
    if url.startswith("postgresql"):
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    app = _app(url, instance)
    with app.app_context():
        flask_migrate.upgrade()
        manager, _ = accounts.create_user(None, username="bench", full_name="Bench",
                                          roles=[Role.PROGRAMME_MANAGER], password="x" * 12)
        db.session.commit()
        factories.register_partner_people(db.session.get(User, manager.id),
                                          range(0, rows, max(1, rows // REGISTERED)))
        db.session.commit()
    partner = factories.partner_list(rows, file_duplicates=rows // 100, bad=rows // 200)
    path = instance / f"liste.{fmt}"
    path.write_bytes(factories.xlsx_bytes(partner) if fmt == "xlsx"
                     else factories.csv_bytes(partner, encoding="cp1252"))
    return path


def measure(url: str, instance: Path, step: str, file: Path) -> None:
    """One step in this process; prints its figures as JSON."""
    from grants.extensions import db
    from grants.models import ImportBatch, User
    from grants.services.imports import batches, mapping

    app = _app(url, instance)
    with app.test_request_context():
        actor = db.session.scalar(db.select(User).where(User.username == "bench"))
        started = time.perf_counter()
        if step == "preview":
            batch, table = batches.upload(actor, file.read_bytes(), file.name)
            batches.set_columns(actor, batch, mapping.propose(table.headers))
            batches.preview(actor, batch, table)
            figures = batches.summary(batch)
        else:
            from grants.exports.import_report import write_report

            batch = db.session.scalar(db.select(ImportBatch).order_by(ImportBatch.id.desc()))
            batches.queue(actor, batch)
            batches.run_import(actor, batch.id)
            report = write_report(batch)
            figures = dict(batch.counts)
            report.unlink()
        db.session.commit()
        elapsed = time.perf_counter() - started
    print(json.dumps({"seconds": round(elapsed, 1), "figures": figures}))


def _child(args, step: str, file: Path) -> dict:
    command = [sys.executable, __file__, "--database-url", args.database_url, "--workdir",
               str(args.workdir), "--step", step, "--file", str(file)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    output = process.stdout.read() if process.stdout else ""
    if status != 0:
        raise SystemExit(f"{step} failed:\n{output}")
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_mb"] = round(usage.ru_maxrss / 1024)  # kilobytes on Linux
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    parser.add_argument("--workdir", type=Path,
                        default=Path(tempfile.gettempdir()) / "grants-imports-bench")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--step", choices=("preview", "import"), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.database_url = args.database_url or f"sqlite:///{args.workdir / 'grants.sqlite3'}"
    if args.step:
        measure(args.database_url, args.workdir, args.step, args.file)
        return
    if args.database_url.startswith("sqlite"):
        (args.workdir / "grants.sqlite3").unlink(missing_ok=True)
    started = time.perf_counter()
    file = build(args.database_url, args.workdir, args.rows, args.format)
    print(f"built: {REGISTERED} registered, a {args.format} file of {args.rows} rows "
          f"({file.stat().st_size // 1024} KB) in {time.perf_counter() - started:.0f} s")
    verdict = True
    for step in ("preview", "import"):
        result = _child(args, step, file)
        ok = result["seconds"] < AIMS[step] and result["peak_mb"] < MEMORY_AIM_MB
        verdict &= ok
        print(f"{step:8} {result['seconds']:6.1f} s (aim < {AIMS[step]:.0f} s)  "
              f"peak {result['peak_mb']} MB (aim < {MEMORY_AIM_MB} MB)  "
              f"{'OK' if ok else 'OVER'}  {result['figures']}")
    print("all within the aims" if verdict else "some figures are over their aims")


if __name__ == "__main__":
    main()

"""Benchmark: the disbursement register of 100 000 ledger movements exported to xlsx, against a
bare xlsxwriter constant-memory write of the same rows in the same run (both read the rows with
the register query; its time alone is printed too).

    .venv/bin/python benchmarks/export_ledger.py [--rows 100000]

Each measurement runs in a process of its own, so its peak memory (max RSS) is its own. Aim
(issue 5): at most 1.5 x the bare write's time, and under 250 MB."""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _app(database: str):
    from grants import create_app

    return create_app({"DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "bench",
                       "GRANTS_ENV": "development"})


def build(database: str, movements: int) -> None:
    """A database with one call, 1 000 agreements and `movements` register movements."""
    import flask_migrate
    import sqlalchemy as sa

    from grants.extensions import db
    from grants.models import (
        Application,
        Beneficiary,
        BudgetEnvelope,
        Call,
        Channel,
        Grant,
        GrantStatus,
        Region,
        User,
    )
    from grants.vocabulary import FundingSource, ProjectType

    app = _app(database)
    with app.app_context():
        flask_migrate.upgrade()
        user = User(username="bench", full_name="Bench Officer", password_hash="x")
        db.session.add(user)
        envelope = BudgetEnvelope(name="Bench", fiscal_year=2026, total=10**12,
                                  funding_source=FundingSource.BSI, budget_line="B-1")
        db.session.add(envelope)
        db.session.flush()
        call = Call(title="Bench", envelope_id=envelope.id, opens_on=date(2026, 1, 1),
                    closes_on=date(2026, 12, 31), target_categories=[], project_types=[],
                    required_documents=[], tranche_plan=[60, 40], visit_plan=[1])
        db.session.add(call)
        region = db.session.scalar(sa.select(Region))
        db.session.flush()
        grants = []
        for n in range(1000):
            person = Beneficiary(code=f"ML-2026-{n:06d}", first_name=f"=Prénom{n}",
                                 last_name="Traoré", name_key="X", id_number=f"N{n}",
                                 region_id=region.id, created_by_id=user.id)
            db.session.add(person)
            db.session.flush()
            application = Application(reference=f"AP-2026-{n:05d}", call_id=call.id,
                                      project_type=ProjectType.INDIVIDUAL, lead_id=person.id,
                                      region_id=region.id, created_by_id=user.id)
            db.session.add(application)
            db.session.flush()
            grant = Grant(number=f"CV-2026-{n:05d}", application_id=application.id,
                          envelope_id=envelope.id, amount=10**9, channel=Channel.BANK,
                          account="B", created_by_id=user.id, status=GrantStatus.SIGNED,
                          signed_on=date(2026, 1, 15))
            db.session.add(grant)
            grants.append(grant)
        db.session.flush()
        now = datetime.now(UTC).replace(tzinfo=None)
        # Balanced legs as the finance services post them: the appropriation, then 1 000
        # commitments (committed D / available C) and payments (4 legs each).
        legs = {"commitment": [("committed", "D"), ("available", "C")],
                "payment": [("spent", "D"), ("committed", "C"), ("advances", "D"),
                            ("treasury", "C")]}
        rows = [{"operation": str(uuid.uuid4()), "kind": "appropriation",
                 "envelope_id": envelope.id, "grant_id": None, "account": account,
                 "side": side, "amount": 10**12, "actor_id": user.id, "created_at": now}
                for account, side in (("available", "D"), ("appropriation", "C"))]
        for i in range(movements):
            kind, operation = "commitment" if i < 1000 else "payment", str(uuid.uuid4())
            rows += [{"operation": operation, "kind": kind, "envelope_id": envelope.id,
                      "grant_id": grants[i % 1000].id, "account": account, "side": side,
                      "amount": 1_000_000 + i, "actor_id": user.id, "created_at": now}
                     for account, side in legs[kind]]
        db.session.execute(sa.insert(sa.table("ledger_entry", *(sa.column(k) for k in rows[0]))),
                           rows)
        db.session.commit()


def measure(database: str, mode: str) -> None:
    """Export once (`mode` "register" or "bare") and print seconds and peak memory in MB."""
    import xlsxwriter

    from grants.services.money.register import RegisterFilters

    app = _app(database)
    with app.test_request_context():
        start = time.perf_counter()
        if mode == "register":
            from grants.exports.ledger import write_register_xlsx

            path = write_register_xlsx(RegisterFilters())
        elif mode == "query":  # the register query alone: every row fetched, nothing written
            from grants.extensions import db
            from grants.services.money.register import register_query

            path = Path(tempfile.mkstemp(suffix=".txt")[1])
            result = db.session.execute(register_query(RegisterFilters())
                                        .execution_options(yield_per=2000))
            path.write_text(str(sum(1 for _row in result)))
        else:
            # The same rows (same query, same values), written without our checks, formats,
            # formula neutralisation, totals or summary.
            from grants.exports.ledger import rows

            path = Path(tempfile.mkstemp(suffix=".xlsx")[1])
            workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                                       "default_date_format": "dd/mm/yyyy",
                                                       "remove_timezone": True})
            sheet = workbook.add_worksheet()
            for n, row in enumerate(rows(RegisterFilters())):
                sheet.write_row(n, 0, row)
            workbook.close()
        elapsed = time.perf_counter() - start
        size = path.stat().st_size
        path.unlink()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{mode} {elapsed:.3f} {peak_mb:.1f} {size}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--measure", choices=["register", "bare", "query"])
    parser.add_argument("--database")
    parser.add_argument("--build", action="store_true")
    args = parser.parse_args()
    if args.measure:
        measure(args.database, args.measure)
        return
    if args.build:
        build(args.database, args.rows)
        return
    with tempfile.TemporaryDirectory() as folder:
        database = os.path.join(folder, "bench.sqlite3")
        os.environ["GRANTS_INSTANCE_PATH"] = folder
        # Built in a process of its own: a child's peak memory (max RSS) starts from its
        # parent's at the fork, so this process must stay small.
        subprocess.run([sys.executable, __file__, "--build", "--database", database, "--rows",
                        str(args.rows)], capture_output=True, check=True)
        results = {}
        for mode in ("bare", "register", "query") * 2:  # alternate, keep the best of two
            out = subprocess.run([sys.executable, __file__, "--measure", mode, "--database",
                                  database], capture_output=True, text=True, check=True)
            _mode, seconds, peak, size = out.stdout.split()[-4:]
            best = results.get(mode)
            if best is None or float(seconds) < best[0]:
                results[mode] = (float(seconds), float(peak), int(size))
    bare, register, query = results["bare"], results["register"], results["query"]
    print(f"movements                 {args.rows:>10}")
    print(f"register query alone      {query[0]:>9.2f} s  peak {query[1]:>6.0f} MB")
    print(f"bare xlsxwriter write     {bare[0]:>9.2f} s  peak {bare[1]:>6.0f} MB")
    print(f"register export (ours)    {register[0]:>9.2f} s  peak {register[1]:>6.0f} MB")
    print(f"time ratio (ours / bare)  {register[0] / bare[0]:>10.2f}   aim <= 1.5")
    print(f"peak memory (ours)        {register[1]:>7.0f} MB   aim < 250 MB")


if __name__ == "__main__":
    main()

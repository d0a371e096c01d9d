"""Benchmark: the committee's heavy documents at national size, for the largest deliberated
session: the ranking xlsx against a bare xlsxwriter constant-memory write of the same rows (read
by the same query; the query alone is timed too), and the minutes (PV) PDF.

    .venv/bin/python benchmarks/committee_exports.py                  # builds a national SQLite
    .venv/bin/python benchmarks/committee_exports.py --database-url sqlite:////tmp/x/grants.sqlite3
    .venv/bin/python benchmarks/committee_exports.py --only ranking,bare

Each measurement runs in a process of its own; its peak memory is that process's ru_maxrss (read
by the parent with os.wait4). Aims (issue 12): the ranking xlsx at most 1.5 x the bare write and
under 250 MB; the PV of a 3 000-dossier session in at most 15 s and under 300 MB. The minutes
written are rolled back and their file deleted."""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

KINDS = ("query", "bare", "ranking", "minutes")


def _largest_session():
    import sqlalchemy as sa

    from grants.extensions import db
    from grants.models import CommitteeSession, SessionDossier, SessionStatus

    size = sa.select(sa.func.count()).where(SessionDossier.session_id == CommitteeSession.id)
    return db.session.scalar(sa.select(CommitteeSession)
                             .where(CommitteeSession.status == SessionStatus.FINALISED)
                             .order_by(size.scalar_subquery().desc()).limit(1))


def _bare(session, path: Path) -> int:
    """The same rows written by xlsxwriter alone: no checks, no translation, no totals."""
    import xlsxwriter

    from grants.exports.ranking import BATCH
    from grants.extensions import db
    from grants.services.committees.ranking import ranking_rows_select

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("bare")
    count = 0
    result = db.session.execute(ranking_rows_select(session).execution_options(yield_per=BATCH))
    for count, row in enumerate(result, start=1):
        sheet.write_row(count, 0, [
            row.rank, row.reference, f"{row.first_name} {row.last_name}", row.title, row.region,
            row.scorers or 0, float(row.mean) if row.mean is not None else None,
            row.highest - row.lowest if row.scorers else None, row.requested_amount,
            row.granted_amount or row.requested_amount, row.decision.value if row.decision
            else "", row.decision_reason_code.value if row.decision_reason_code else ""])
    workbook.close()
    return count


def child(kind: str, url: str, instance: str) -> None:
    from benchmarks.pages import make_app
    from grants.extensions import db

    app = make_app(url, Path(instance))
    with app.test_request_context():
        session = _largest_session()
        dossiers = len(session.dossiers)
        db.session.expire_all()  # the work below starts from a cold session
        started = time.perf_counter()
        detail: dict = {"dossiers": dossiers}
        if kind == "query":
            from grants.exports.ranking import BATCH
            from grants.services.committees.ranking import ranking_rows_select

            detail["rows"] = sum(1 for _row in db.session.execute(
                ranking_rows_select(session).execution_options(yield_per=BATCH)))
        elif kind == "bare":
            path = Path(tempfile.mkstemp(suffix=".xlsx")[1])
            detail["rows"] = _bare(session, path)
            detail["bytes"] = path.stat().st_size
            path.unlink()
        elif kind == "ranking":
            from grants.exports.ranking import write_ranking_xlsx

            path = write_ranking_xlsx(session)
            detail["bytes"] = path.stat().st_size
            path.unlink()
        else:
            from grants.services.committees import minutes

            steps: list = []
            try:
                version = minutes.generate(session.chair, session,
                                           progress=lambda done, total: steps.append(done))
            except TypeError:  # a version of generate() without progress (before issue 12)
                version = minutes.generate(session.chair, session)
            detail.update(bytes=version.size, progress_calls=len(steps))
            minutes.minutes_path(version).unlink()
            db.session.rollback()
        detail["seconds"] = time.perf_counter() - started
    print(json.dumps(detail))


def run(kind: str, url: str, instance: Path) -> dict:
    process = subprocess.Popen([sys.executable, __file__, "--child", kind, url, str(instance)],
                               stdout=subprocess.PIPE, text=True)
    output = process.stdout.read() if process.stdout else ""
    _pid, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        return {"error": f"exit status {status}"}
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024  # Linux: kilobytes
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an existing national database (not rebuilt)")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "grants-exports"))
    parser.add_argument("--only", default=",".join(KINDS), help="comma-separated: " +
                        ", ".join(KINDS))
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    instance = Path(args.workdir) / "national"
    url = args.database_url
    if url is None:
        from benchmarks.pages import build

        url = f"sqlite:///{instance / 'grants.sqlite3'}"
        build(url, instance, "national", 1.0)
    instance.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[dict]] = {}
    for _repeat in range(args.repeats):
        for kind in args.only.split(","):
            results.setdefault(kind, []).append(run(kind, url, instance))
            print(f"{kind:8} {json.dumps(results[kind][-1])}", file=sys.stderr)
    best = {kind: min(runs, key=lambda r: r.get("seconds", float("inf")))
            for kind, runs in results.items()}
    for kind, result in best.items():
        print(f"{kind:8} {result.get('seconds', float('nan')):7.2f} s "
              f"{result.get('peak_mb', float('nan')):7.0f} MB peak  "
              f"({result.get('dossiers', '?')} dossiers)")
    if "ranking" in best and "bare" in best and "seconds" in best["bare"]:
        print(f"ranking xlsx / bare xlsxwriter: "
              f"{best['ranking']['seconds'] / best['bare']['seconds']:.2f} x (aim <= 1.5 x, "
              f"< 250 MB)")
    if "minutes" in best:
        print("minutes PDF: aim <= 15 s and < 300 MB")


if __name__ == "__main__":
    main()

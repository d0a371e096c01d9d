"""Benchmark: every GET page of the app (and the batch results page, shown after a POST), for
each demo account whose role may open it, on the demo database and on the national one (flask
seed-national), with the SQL statements of one request and the median time of several.

    .venv/bin/python benchmarks/pages.py                      # SQLite files in --workdir
    .venv/bin/python benchmarks/pages.py --database-url postgresql+psycopg://…/bench  # emptied!
    .venv/bin/python benchmarks/pages.py --demo-url URL --national-url URL   # already built

Each page is asked once to warm up, then --repeats times (its median is printed); a page whose
warm-up takes more than --max-seconds is measured by that one request. Statements are counted by
a SQLAlchemy `before_cursor_execute` listener during the last request. URL arguments are real
ids of that database: the demo applicant's funded dossier where there is one (its beneficiary,
agreement, envelope, call, visit…), the largest deliberated committee session and its first
dossier. Goals (issue 12): statements equal at both sizes; every HTML page at most 300 ms at
national size, and at most 2 x its demo time where that is above 50 ms."""

import argparse
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from grants.demo.accounts import DEMO_PASSWORD as PASSWORD  # noqa: E402 (public: README)

# One demo account per role (grants/demo/accounts.py).
ACCOUNTS = {"admin": "admin", "intake_agent": "agent", "applicant": "demandeur",
            "committee_member": "membre", "committee_chair": "president",
            "finance_officer": "ordonnateur", "accountant": "comptable",
            "field_officer": "terrain", "programme_manager": "gestionnaire",
            "auditor": "auditeur", "data_protection_officer": "dpd"}
SKIPPED = {"static", "bootstrap.static"}
# Pages shown in answer to a POST that changes nothing here (see sample_ids): the batch results.
POST_PAGES = {"finance.import_results"}
PUBLIC = {"auth.login", "transparency.index"}
LOGIN_ONLY = {"main.home", "auth.change_password"}
HTML_GOAL_MS, RATIO_GOAL, RATIO_FROM_MS = 300, 2.0, 50


def make_app(url: str, instance: Path):
    from grants import create_app

    os.environ["GRANTS_INSTANCE_PATH"] = str(instance)
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                       "RATELIMIT_ENABLED": False, "REQUEST_LOG": False})


def build(url: str, instance: Path, size: str, scale: float) -> None:
    """An empty database (PostgreSQL: the schema dropped; SQLite: the file removed), migrated,
    then the demo or the national data set."""
    import flask_migrate

    from grants.extensions import db

    shutil.rmtree(instance, ignore_errors=True)
    instance.mkdir(parents=True)
    if url.startswith("postgresql"):
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    app = make_app(url, instance)
    started = time.perf_counter()
    with app.app_context():
        flask_migrate.upgrade()
        if size == "demo":
            from grants.demo import seed

            seed()
            db.session.commit()
        else:
            from grants.demo import national

            national.build(scale, echo=lambda line: print(line, file=sys.stderr))
        db.engine.dispose()
    print(f"built the {size} database in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def sample_ids(app) -> dict[str, int]:
    """Real ids for the URL arguments, chosen so that most roles may open them."""
    from grants.extensions import db
    from grants.models import (
        AgreementCopy,
        Application,
        Attachment,
        BatchLine,
        Beneficiary,
        CommitteeSession,
        Grant,
        Minutes,
        Partner,
        PaymentBatch,
        SessionDossier,
        SessionStatus,
        User,
        Visit,
        VisitPhoto,
    )
    from grants.vocabulary import ProjectType
    from grants.workflow import ApplicationStatus, VisitStatus

    first = lambda query: db.session.scalar(query.limit(1))  # noqa: E731
    with app.app_context():
        applicant = first(sa.select(User.id).where(User.username == "demandeur"))
        funded = sa.select(Grant.application_id).join(Application).join(
            Beneficiary, Beneficiary.id == Application.lead_id)
        application = first(funded.where(Beneficiary.user_id == applicant)) or first(
            funded.where(Application.region_id == 1).order_by(Grant.id))
        app_row = db.session.get(Application, application)
        grant = first(sa.select(Grant.id).where(Grant.application_id == application))
        size = sa.select(sa.func.count()).where(SessionDossier.session_id == CommitteeSession.id)
        session = first(sa.select(CommitteeSession.id)
                        .where(CommitteeSession.status == SessionStatus.FINALISED)
                        .order_by(size.scalar_subquery().desc(), CommitteeSession.id.desc()))
        ids = {
            "application_id": application, "beneficiary_id": app_row.lead_id,
            "grant_id": grant, "envelope_id": app_row.call.envelope_id,
            "call_id": app_row.call_id, "session_id": session,
            "user_id": first(sa.select(User.id).where(User.username == "terrain")),
            "attachment_id": first(sa.select(Attachment.id)
                                   .where(Attachment.application_id == application)),
            "copy_id": first(sa.select(AgreementCopy.id).where(AgreementCopy.grant_id == grant)),
            "batch_id": first(sa.select(PaymentBatch.id).order_by(PaymentBatch.id.desc())),
            "minutes_id": first(sa.select(Minutes.id).where(Minutes.session_id == session)),
            "partner_id": first(sa.select(Partner.id).order_by(Partner.id)),
            "photo_id": first(sa.select(VisitPhoto.id).order_by(VisitPhoto.id)),
            "visit_id": first(sa.select(Visit.id).where(
                Visit.grant_id == grant, Visit.status == VisitStatus.VALIDATED)
                .order_by(Visit.seq)) or first(sa.select(Visit.id).where(Visit.grant_id == grant)),
            # Pages about one step of a dossier: a dossier at that step.
            "committees.dossier:application_id": first(
                sa.select(SessionDossier.application_id).where(SessionDossier.session_id == session)
                .order_by(SessionDossier.rank)),
            "applications.edit:application_id": first(sa.select(Application.id).where(
                Application.status == ApplicationStatus.DRAFT, Application.region_id == 1)),
            "applications.screen:application_id": first(sa.select(Application.id).where(
                Application.status == ApplicationStatus.SUBMITTED, Application.region_id == 1)),
            "finance.new_agreement:application_id": first(sa.select(Application.id).where(
                Application.status == ApplicationStatus.SELECTED)) or application,
            # The members page of a draft group dossier, searching the registry for a surname.
            "applications.members:application_id": first(sa.select(Application.id).where(
                Application.status == ApplicationStatus.DRAFT, Application.region_id == 1,
                Application.project_type != ProjectType.INDIVIDUAL)),
            "applications.members:?q": first(sa.select(Beneficiary.last_name)
                                            .where(Beneficiary.region_id == 1)
                                            .order_by(Beneficiary.id)),
        }
        # The operator's result file of the latest batch, every line "OK": sent again, each
        # line is reported (already paid, or the batch not approved) and nothing changes.
        batch_lines = db.session.scalars(sa.select(BatchLine.reference).where(
            BatchLine.batch_id == ids["batch_id"]).order_by(BatchLine.id)).all()
        ids["finance.import_results:file"] = "reference;status;transaction\n" + "".join(
            f"{reference};OK;TX-{n}\n" for n, reference in enumerate(batch_lines))
    return ids


def pages(app, only: str | None = None) -> list[tuple[str, object]]:
    """(endpoint, rule) of every GET page (whose URL rule matches `only`), sorted by URL."""
    rules = [r for r in app.url_map.iter_rules()
             if ("GET" in r.methods or r.endpoint in POST_PAGES)
             and r.endpoint not in SKIPPED and re.search(only or "", r.rule)]
    return [(r.endpoint, r) for r in sorted(rules, key=lambda r: (r.rule, r.endpoint))]


def roles_for(app, endpoint: str) -> list[str]:
    from grants.models import Role
    from grants.permissions import ROLE_PERMISSIONS

    if endpoint in PUBLIC:
        return ["anonymous"]
    if endpoint in LOGIN_ONLY:
        return list(ACCOUNTS)
    required = getattr(app.view_functions[endpoint], "required_permission", None)
    return [role for role in ACCOUNTS if required in ROLE_PERMISSIONS[Role(role)]]


def url_for_rule(app, endpoint: str, rule, ids: dict) -> str | None:
    from flask import url_for

    values = {}
    for name in rule.arguments:
        if name == "section":
            values[name] = "projet"
            continue
        value = ids.get(f"{endpoint}:{name}", ids.get(name))
        if value is None:
            return None  # no such object in this database
        values[name] = value
    prefix = f"{endpoint}:?"  # query arguments: ids["endpoint:?name"]
    values.update({key[len(prefix):]: value for key, value in ids.items()
                   if key.startswith(prefix) and value is not None})
    with app.test_request_context():
        return url_for(endpoint, **values)


def tasks(app, only: str | None) -> list[tuple[str, object, str]]:
    """(endpoint, rule, role) for every GET page and every role that may open it."""
    return [(endpoint, rule, role) for endpoint, rule in pages(app, only)
            for role in roles_for(app, endpoint)]


def measure(app, repeats: int, max_seconds: float, only: str | None, start: int) -> None:
    """Measure the tasks from `start` on, one JSON line each on stdout ("begin" first, so that
    the parent knows which page a crash happened on)."""
    from grants.extensions import db

    ids = sample_ids(app)
    accounts = dict(ACCOUNTS, **scoped_accounts(app, ids["application_id"]))
    with app.app_context():
        engine = db.engine
    counter = [0]
    sa.event.listen(engine, "before_cursor_execute", lambda *_args: counter.__setitem__(
        0, counter[0] + 1))
    clients = {}
    for index, (endpoint, rule, role) in enumerate(tasks(app, only)):
        if index < start:
            continue
        print(json.dumps(["begin", index]), flush=True)
        url = url_for_rule(app, endpoint, rule, ids)
        if url is None:
            print(json.dumps(["result", index, endpoint, role, rule.rule]), flush=True)
            continue
        client = clients.get(role) or clients.setdefault(role, _client(app, accounts, role))
        times, status, html, statements, slow = [], None, False, 0, False
        for run in range(repeats + 1):
            counter[0] = 0
            started = time.perf_counter()
            if endpoint in POST_PAGES:
                file = (io.BytesIO(ids[f"{endpoint}:file"].encode()), "resultats.csv")
                response = client.post(url, data={"file": file},
                                       content_type="multipart/form-data")
            else:
                response = client.get(url)
            response.get_data()
            response.close()
            elapsed = time.perf_counter() - started
            status, statements = response.status_code, counter[0]
            html = response.mimetype == "text/html"
            if run == 0 and elapsed > max_seconds:
                times, slow = [elapsed], True  # too slow to repeat: this one is the measure
                break
            if run > 0:
                times.append(elapsed)
        median = statistics.median(times) * 1000
        print(json.dumps(["result", index, endpoint, role,
                          [status, statements, median, html, slow, rule.rule]]), flush=True)
        print(f"  {rule.rule} {role}: {status} {statements} st {median:.0f} ms", file=sys.stderr)


def measure_in_children(url: str, instance: Path, args) -> dict:
    """Run `measure` in a child process; when it dies (a crash of the interpreter is a result
    too), record the page as crashed and go on with the next one in a new child."""
    results, start = {}, 0
    while True:
        command = [sys.executable, __file__, "--child", url, str(instance), "--start", str(start),
                   "--repeats", str(args.repeats), "--max-seconds", str(args.max_seconds)]
        command += ["--only", args.only] if args.only else []
        child = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
        current = None
        for line in child.stdout.splitlines():
            message = json.loads(line)
            if message[0] == "begin":
                current = message[1]
            else:
                _kind, index, endpoint, role, row = message
                results[endpoint, role] = row if isinstance(row, str) else tuple(row)
                current = None
        if child.returncode == 0 or current is None:
            return results
        endpoint, rule, role = tasks(make_app(url, instance), args.only)[current]
        print(f"  {rule.rule} {role}: the process died (exit {child.returncode})",
              file=sys.stderr)
        results[endpoint, role] = ("crashed", rule.rule)
        start = current + 1


def scoped_accounts(app, application_id: int) -> dict[str, str]:
    """The demo's field officer and intake agent whose regions hold the sample dossier."""
    from grants.extensions import db
    from grants.models import Application, User

    with app.app_context():
        region = db.session.get(Application, application_id).region_id
        reach = {u.username: u.region_ids for u in db.session.scalars(sa.select(User).where(
            User.username.in_(["terrain", "terrain.sud", "agent"])))}
    return {"field_officer": "terrain" if region in reach["terrain"] else "terrain.sud",
            "intake_agent": "agent"}


def _client(app, accounts: dict, role: str):
    client = app.test_client()
    if role != "anonymous":
        response = client.post("/connexion", data={"identifier": accounts[role],
                                                   "password": PASSWORD})
        assert response.status_code == 302, f"{accounts[role]} cannot log in"
    return client


def report(demo: dict, national: dict) -> None:
    print(f"{'page':52} {'role':18} {'code':>7} {'st demo':>7} {'st nat':>6} {'ms demo':>8} "
          f"{'ms nat':>8} {'ratio':>6}  goals")
    counts = {"pages": 0, "statements": 0, "html": 0, "html_ok": 0, "ratio": 0, "ratio_ok": 0,
              "crashed": 0}
    for key in sorted(set(demo) | set(national), key=lambda k: (_rule(demo, national, k), k[1])):
        small, large = demo.get(key), national.get(key)
        crashed = [size for size, row in (("demo", small), ("national", large))
                   if isinstance(row, tuple) and row[0] == "crashed"]
        if crashed:
            counts["pages"] += 1
            counts["crashed"] += 1
            print(f"{_rule(demo, national, key):52} {key[1]:18}   CRASHED: the process died "
                  f"({', '.join(crashed)})")
            continue
        if isinstance(small, str) or isinstance(large, str) or not (small and large):
            print(f"{_rule(demo, national, key):52} {key[1]:18}   no such object in "
                  f"{'both databases' if small == large else 'one database'}")
            continue
        counts["pages"] += 1
        flags = []
        same = small[1] == large[1]
        counts["statements"] += same
        flags.append("statements " + ("=" if same else "differ (other answer)"
                                      if small[0] != large[0] else "GROW" if large[1] > small[1]
                                      else "fewer"))
        ratio = large[2] / small[2] if small[2] else float("inf")
        if large[3]:
            counts["html"] += 1
            fast = large[2] <= HTML_GOAL_MS
            counts["html_ok"] += fast
            flags.append("<=300ms" if fast else "SLOW")
        if large[3] and small[2] > RATIO_FROM_MS:
            counts["ratio"] += 1
            kept = ratio <= RATIO_GOAL
            counts["ratio_ok"] += kept
            flags.append("<=2x" if kept else ">2x")
        once = " (1 run: too slow to repeat)" if large[4] else ""
        code = f"{small[0]}/{large[0]}" if small[0] != large[0] else str(large[0])
        print(f"{large[5]:52} {key[1]:18} {code:>7} {small[1]:>7} {large[1]:>6} "
              f"{small[2]:>8.0f} {large[2]:>8.0f} {ratio:>6.1f}  {' '.join(flags)}{once}")
    print(f"\nSummary: {counts['pages']} pages × roles measured; statements equal at both sizes: "
          f"{counts['statements']}/{counts['pages']}; HTML median <= {HTML_GOAL_MS} ms at "
          f"national size: {counts['html_ok']}/{counts['html']}; <= {RATIO_GOAL:g} x the demo "
          f"time (demo > {RATIO_FROM_MS} ms): {counts['ratio_ok']}/{counts['ratio']}; "
          f"crashed: {counts['crashed']}")


def _saved(path: Path) -> dict:
    return {(endpoint, role): row if isinstance(row, str) else tuple(row)
            for endpoint, role, row in json.loads(path.read_text())}


def _rule(demo: dict, national: dict, key) -> str:
    row = national.get(key) or demo.get(key)
    return row if isinstance(row, str) else row[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="one database for both sizes in turn (EMPTIED); "
                                               "default: SQLite files in --workdir")
    parser.add_argument("--demo-url", help="an existing demo database (not rebuilt)")
    parser.add_argument("--national-url", help="an existing national database (not rebuilt)")
    parser.add_argument("--scale", type=float, default=1.0, help="of the national data set")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", help="a regular expression: only the URL rules it matches")
    parser.add_argument("--max-seconds", type=float, default=10.0)
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "grants-pages"),
                        help="instance folders (uploads) and SQLite files")
    parser.add_argument("--report", action="store_true",
                        help="print the report of the last run in --workdir again")
    parser.add_argument("--child", nargs=2, metavar=("URL", "INSTANCE"), help=argparse.SUPPRESS)
    parser.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        app = make_app(args.child[0], Path(args.child[1]))
        measure(app, args.repeats, args.max_seconds, args.only, args.start)
        return
    workdir = Path(args.workdir)
    if args.report:
        report(*(_saved(workdir / f"results-{size}.json") for size in ("demo", "national")))
        return
    results = {}
    for size, given in (("demo", args.demo_url), ("national", args.national_url)):
        instance = workdir / size
        url = given or args.database_url or f"sqlite:///{instance / 'grants.sqlite3'}"
        if not given:
            build(url, instance, size, args.scale)
        print(f"measuring the {size} database", file=sys.stderr)
        results[size] = measure_in_children(url, instance, args)
        saved = workdir / f"results-{size}.json"  # to print the report again: --report
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps([[*key, row] for key, row in results[size].items()]))
    report(results["demo"], results["national"])


if __name__ == "__main__":
    main()

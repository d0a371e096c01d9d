"""The architecture holds: domains without cycles or hidden imports, no private name borrowed
across modules, no test module borrowing from another, every domain event documented, receivers
inside the sender's transaction, and ARCHITECTURE.md naming only paths that exist."""

import ast
import importlib.util
import re
import uuid
from pathlib import Path

import pytest
from blinker import Signal

from grants import events
from grants.extensions import db
from grants.models import LedgerEntry, Payment, Tranche, TrancheStatus, User, Visit
from grants.services.money import payments
from tests.conftest import committed

ROOT = Path(__file__).resolve().parent.parent


def _import_graph():
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts/import_graph.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_service_domains_import_each_other_without_cycles_or_hidden_imports():
    graph = _import_graph()
    found = graph.modules("grants.services")
    edges, hidden = {}, []
    for name, path in found.items():
        for target, lazy in graph.imports_of(name, path, set(found)).items():
            if lazy:
                hidden.append(f"{name} -> {target}")
            source, dest = (graph.group(n, "grants.services", 1) for n in (name, target))
            if source != dest:
                edges.setdefault(source, set()).add(dest)
    assert hidden == [], "import at the top of the module, or send a domain event"
    assert graph.cycles(edges) == []
    assert {"intake", "committees", "money", "followup"} <= set(edges)


def _python_files():
    for folder in ("grants", "tests", "benchmarks", "scripts"):
        yield from (p for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts)


def test_no_module_imports_another_modules_private_name():
    borrowed = []
    for path in _python_files():
        tree = ast.parse(path.read_text(), str(path))
        modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("grants"):
                borrowed += [f"{path.name}: {alias.name}" for alias in node.names
                             if alias.name.startswith("_")]
                modules |= {alias.asname or alias.name for alias in node.names}
            elif isinstance(node, ast.Import):
                modules |= {alias.asname or alias.name for alias in node.names
                            if alias.name.startswith("grants")}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                    and not node.attr.startswith("__") and isinstance(node.value, ast.Name)
                    and node.value.id in modules):
                borrowed.append(f"{path.name}: {node.value.id}.{node.attr}")
    assert borrowed == []


def _imported_modules(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_no_test_module_imports_another_test_module():
    """Shared fixtures live in tests/fixtures/ (loaded by conftest.py) and scenario builders in
    tests/factories.py: a test module imports neither fixtures nor helpers from another."""
    borrowed = []
    for path in (ROOT / "tests").rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        borrowed += [f"{path.relative_to(ROOT)}: {name}" for name in _imported_modules(tree)
                     if name.startswith("tests.") and name.rsplit(".", 1)[-1].startswith("test_")]
    assert borrowed == []


def test_every_domain_event_is_documented_with_its_sender():
    signals = {name: value for name, value in vars(events).items() if isinstance(value, Signal)}
    assert {"tranche_paid", "visit_validated", "application_status_changed", "agreement_signed",
            "payment_reversed", "consent_changed"} <= set(signals)
    table = events.__doc__
    for name in signals:
        assert re.search(rf"^{name} +\S", table, re.M), f"{name} is not in the table"
    for module in events.RECEIVERS:
        assert (ROOT / (module.replace(".", "/") + ".py")).exists()


def test_a_receiver_runs_in_the_senders_transaction(app, ordered_tranche):
    """What a receiver does is committed with the payment, and a receiver that fails refuses the
    payment as a whole: no payment row, no ledger leg, the tranche still ordered."""
    ids, tranche_id = ordered_tranche

    def refuse(tranche, **_):
        raise RuntimeError("the receiver failed")

    events.tranche_paid.connect(refuse)
    try:
        with app.app_context():
            legs = db.session.scalar(db.select(db.func.count(LedgerEntry.id)))
            with pytest.raises(RuntimeError):
                payments.pay_tranche(db.session.get(User, ids["accountant"]), tranche_id,
                                     str(uuid.uuid4()), "VIR-1")
            db.session.rollback()
            assert db.session.get(Tranche, tranche_id).status == TrancheStatus.ORDERED
            assert db.session.scalar(db.select(db.func.count(Payment.id))) == 0
            assert db.session.scalar(db.select(db.func.count(LedgerEntry.id))) == legs
    finally:
        events.tranche_paid.disconnect(refuse)
    seen = []

    def watch(tranche, **kwargs):
        seen.append((tranche.id, kwargs))

    events.tranche_paid.connect(watch)
    try:
        with committed(app):
            payment = payments.pay_tranche(db.session.get(User, ids["accountant"]), tranche_id,
                                           str(uuid.uuid4()), "VIR-1")
            assert seen == [(tranche_id, {"actor": db.session.get(User, ids["accountant"]),
                                          "payment": payment})]
            planned = db.session.scalars(db.select(Visit.seq).where(
                Visit.grant_id == payment.tranche.grant_id).order_by(Visit.seq)).all()
            assert planned == [1, 2, 3, 4]  # the follow-up's receiver planned the visits
    finally:
        events.tranche_paid.disconnect(watch)


def test_architecture_names_only_paths_that_exist():
    text = (ROOT / "ARCHITECTURE.md").read_text()
    named = {path.rstrip("/") for path in re.findall(r"`([\w./-]+)`", text)
             if "/" in path and not path.startswith(("http", ".venv"))}
    assert len(named) > 30
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert missing == []
    modules = re.findall(r"`(\w+\.py)`", text)  # modules named inside a package's row
    everywhere = {p.name for p in (ROOT / "grants").rglob("*.py")}
    assert sorted(set(modules) - everywhere) == []

"""Backup and restore (grants/operations/backup.py): the demo goes through a backup and comes back
elsewhere with every row, every file and a sound ledger; a damaged, foreign or encrypted backup
without its key is refused before anything is written."""

import hashlib
import json
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from grants import create_app
from grants.extensions import db
from grants.models import Role
from grants.operations import crypto
from grants.operations.backup import STORED_FOLDERS, table_rows
from tests.conftest import TEST_DATABASE_URL, app_config, using_postgresql


@pytest.fixture
def empty_database(tmp_path):
    """An empty database of the same kind as the test's, for the restore."""
    if not using_postgresql():
        yield "sqlite:///" + str(tmp_path / "restored.sqlite3")
        return
    name = f"restore_{uuid.uuid4().hex[:12]}"
    server = sa.make_url(TEST_DATABASE_URL)
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def source_app(make_app, tmp_path, monkeypatch):
    """The test's database with its own instance folder (stored files of this test only)."""
    monkeypatch.setenv("GRANTS_INSTANCE_PATH", str(tmp_path / "source"))
    return make_app()


@pytest.fixture
def target_app(empty_database, tmp_path, monkeypatch):
    apps = []

    def build(**overrides):
        monkeypatch.setenv("GRANTS_INSTANCE_PATH", str(tmp_path / "target"))
        app = create_app(app_config(empty_database, **overrides))
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _files(app) -> dict[str, str]:
    found = {}
    for folder in STORED_FOLDERS:
        root = Path(app.instance_path) / folder
        for path in root.rglob("*") if root.is_dir() else []:
            if path.is_file():
                found[f"{folder}/{path.relative_to(root)}"] = hashlib.sha256(
                    path.read_bytes()).hexdigest()
    return found


def _rows(app) -> dict[str, int]:
    with app.app_context():
        return table_rows()


def _store(app, name: str, content: bytes) -> None:
    path = Path(app.instance_path) / "uploads" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def test_the_demo_backed_up_comes_back_elsewhere_whole(source_app, target_app, tmp_path):
    runner = source_app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    rows, files = _rows(source_app), _files(source_app)
    assert rows["ledger_entry"] > 0 and rows["minutes"] > 0
    assert any(f.startswith("uploads/") for f in files)
    assert any(f.startswith("minutes/") for f in files)

    made = runner.invoke(args=["backup", "--output", str(tmp_path / "backup")])
    assert made.exit_code == 0, made.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["rows"] == rows and not manifest["encrypted"]
    assert len(manifest["files"]) == len(files) + 1  # and the database

    target = target_app()
    restored = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
    assert restored.exit_code == 0, restored.output
    assert _rows(target) == rows
    assert _files(target) == files
    ledger = target.test_cli_runner().invoke(args=["check-ledger"])
    assert ledger.exit_code == 0 and "sound" in ledger.output
    # The restored system works: its administrator logs in.
    response = target.test_client().post("/connexion", data={
        "identifier": "admin", "password": "demo-grants-2026"})
    assert response.status_code == 302 and "/connexion" not in response.headers["Location"]


def test_an_encrypted_backup_reads_nothing_without_its_key(source_app, target_app, make_user,
                                                           tmp_path):
    make_user(Role.ADMIN, username="keeper")
    secret = b"%PDF-1.4 passport of Aminata Traore"
    _store(source_app, "ab/" + "ab" * 16 + ".pdf", secret)
    key = crypto.new_key()
    source_app.config["BACKUP_KEY"] = key
    made = source_app.test_cli_runner().invoke(args=["backup", "--output", str(tmp_path / "b")])
    assert made.exit_code == 0, made.output
    for path in (tmp_path / "b").rglob("*"):
        if path.is_file() and path.name != "manifest.json":
            content = path.read_bytes()
            assert b"Aminata" not in content and b"SQLite format" not in content
            assert b"keeper" not in content

    no_key = target_app().test_cli_runner().invoke(args=["restore", str(tmp_path / "b")])
    assert no_key.exit_code != 0 and "BACKUP_KEY" in no_key.output
    wrong = target_app(BACKUP_KEY=crypto.new_key()).test_cli_runner().invoke(
        args=["restore", str(tmp_path / "b")])
    assert wrong.exit_code != 0 and "wrong BACKUP_KEY" in wrong.output
    target = target_app(BACKUP_KEY=key)
    restored = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "b")])
    assert restored.exit_code == 0, restored.output
    assert _rows(target) == _rows(source_app) and _files(target) == _files(source_app)


def test_a_damaged_or_foreign_backup_is_refused_before_anything_is_written(
        source_app, target_app, tmp_path):
    _store(source_app, "cd/" + "cd" * 16 + ".png", b"\x89PNG\r\n\x1a\n photo")
    backup = tmp_path / "b"
    assert source_app.test_cli_runner().invoke(args=["backup", "--output", str(backup)]
                                               ).exit_code == 0
    target = target_app()
    runner = target.test_cli_runner()
    photo = next((backup / "files" / "uploads").rglob("*.png"))
    original = photo.read_bytes()
    photo.write_bytes(original.replace(b"photo", b"phot0"))
    damaged = runner.invoke(args=["restore", str(backup)])
    assert damaged.exit_code != 0 and "does not match its checksum" in damaged.output
    photo.write_bytes(original)

    manifest_path = backup / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["files"].append({"path": "files/uploads/../../../etc/passwd", "size": 1,
                              "sha256": "0" * 64})
    manifest_path.write_text(json.dumps(manifest))
    outside = runner.invoke(args=["restore", str(backup)])
    assert outside.exit_code != 0 and "outside the backup's layout" in outside.output
    manifest_path.unlink()
    unfinished = runner.invoke(args=["restore", str(backup)])
    assert unfinished.exit_code != 0 and "unfinished" in unfinished.output

    with target.app_context():  # nothing was written
        assert sa.inspect(db.engine).get_table_names() == []
    assert _files(target) == {}


def test_a_restore_never_overwrites_a_database_in_use(source_app, tmp_path):
    backup = tmp_path / "b"
    runner = source_app.test_cli_runner()
    assert runner.invoke(args=["backup", "--output", str(backup)]).exit_code == 0
    refused = runner.invoke(args=["restore", str(backup)])
    assert refused.exit_code != 0 and "not empty" in refused.output
    again = runner.invoke(args=["backup", "--output", str(backup)])
    assert again.exit_code != 0 and "not empty" in again.output


def test_dated_backups_keep_only_the_newest(source_app, tmp_path, monkeypatch):
    from grants.operations import backup as backups

    stamps = iter(["20261201-020000", "20261202-020000", "20261203-020000"])

    class Clock:
        @staticmethod
        def now(_tz):
            class Stamp:
                def strftime(self, _fmt):
                    return next(stamps)

                def isoformat(self, **_kw):
                    return "2026-12-01T02:00:00+00:00"
            return Stamp()

    monkeypatch.setattr(backups, "datetime", Clock)
    runner = source_app.test_cli_runner()
    for _ in range(3):
        result = runner.invoke(args=["backup", "--output", str(tmp_path), "--dated", "--keep", "2"])
        assert result.exit_code == 0, result.output
    kept = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("grants-"))
    assert kept == ["grants-20261202-020000", "grants-20261203-020000"]


def test_encrypted_chunks_cannot_be_dropped_or_reordered(tmp_path, monkeypatch):
    monkeypatch.setattr(crypto, "CHUNK_SIZE", 8)
    key = crypto.new_key()
    plain = tmp_path / "plain"
    plain.write_bytes(b"0123456789abcdefghijklmnopqrstuv")  # four chunks
    sealed, opened = tmp_path / "sealed", tmp_path / "opened"
    crypto.encrypt_file(plain, sealed, key)
    crypto.decrypt_file(sealed, opened, key)
    assert opened.read_bytes() == plain.read_bytes()

    data = sealed.read_bytes()
    body = data[len(crypto.MAGIC):]
    tokens = []
    while body:
        length = int.from_bytes(body[:4], "big")
        tokens.append(body[:4 + length])
        body = body[4 + length:]
    assert len(tokens) == 4
    for altered, message in ((tokens[:3], "cut short"), ([tokens[1], tokens[0], *tokens[2:]],
                                                         "out of order")):
        sealed.write_bytes(crypto.MAGIC + b"".join(altered))
        with pytest.raises(crypto.DecryptionError, match=message):
            crypto.decrypt_file(sealed, opened, key)

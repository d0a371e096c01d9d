"""Database plumbing shared by every model: declarative base, constraint naming,
UTC timestamps, enum columns and SQLite connection settings."""

import warnings
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so migrations can refer to them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and always read back as an aware UTC datetime.

    SQLite keeps no time zone; storing naive UTC everywhere makes both databases agree."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


def enum_type(enum_cls, length: int = 32) -> sa.Enum:
    """A StrEnum stored as its ASCII value in a VARCHAR (no native type, easy migrations)."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


# Set by the finance services: the next transaction on this thread takes SQLite's write lock at
# BEGIN, so that two money operations never interleave (with_for_update() does nothing there).
begin_immediate: ContextVar[bool] = ContextVar("begin_immediate", default=False)

# The HTTP method of the request being served on this thread (set around each request by
# create_app's WSGI wrapper), None outside requests (commands, tests calling services).
serving_method: ContextVar[str | None] = ContextVar("serving_method", default=None)

# Requests that may write. In WAL mode a read transaction that later writes fails at once with
# "database is locked" if another write committed since it began, whatever the busy timeout: so
# their transactions take the write lock at BEGIN (and wait for it) instead.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Requests that only read: on PostgreSQL they read outside any transaction
# (grants/read_only_requests.py) until they call write_transaction() or exclusive_transaction(),
# which set request_writes for the rest of the request.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
request_writes: ContextVar[bool] = ContextVar("request_writes", default=False)
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriteWithoutLockWarning(RuntimeWarning):
    """A request wrote without calling write_transaction first: on SQLite in a transaction begun
    without the write lock (under load it fails with "database is locked"), on PostgreSQL
    outside any transaction (a GET's statements are committed one by one)."""


def configure_sqlite(engine: sa.Engine, busy_timeout_ms: int) -> None:
    """Foreign keys on, WAL journal and a busy timeout on every SQLite connection; transactions
    begun by SQLAlchemy itself (the pysqlite recipe of its documentation), with BEGIN IMMEDIATE
    for money operations, for unsafe requests and after write_transaction()."""

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # pysqlite must not emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        immediate = begin_immediate.get() or serving_method.get() in UNSAFE_METHODS
        begin_immediate.set(False)  # one transaction only
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        connection.info["write_locked"] = immediate

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _on_execute(connection, _cursor, statement, _parameters, _context, _executemany):
        if (statement.lstrip()[:7].upper().startswith(_WRITES)
                and not connection.info.get("write_locked") and serving_method.get() is not None):
            warnings.warn(f"{serving_method.get()} request writes without the write lock: "
                          f"{statement[:60]}", WriteWithoutLockWarning, stacklevel=2)


def holds_write_lock(session: Session | scoped_session) -> bool:
    """True if the session's transaction took SQLite's write lock at BEGIN."""
    if isinstance(session, scoped_session):
        session = session()
    return session.in_transaction() and bool(session.connection().info.get("write_locked"))


def end_read_transaction(session: Session | scoped_session) -> None:
    """End the session's transaction, which must hold no pending change: before slow work (password
    hashing) so that no lock is held meanwhile, or before a transaction of its own. Objects
    reload when next used."""
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a read transaction ends with nothing pending in the session")
    session.rollback()


def write_transaction(session: Session | scoped_session) -> None:
    """For a request that reads and then writes (a GET whose reading is audited). On SQLite, the
    writing transaction must hold the write lock from its start: unless it already does, the
    read transaction ends and the next one begins IMMEDIATE. On PostgreSQL, a GET that read
    outside a transaction ends that, and the rest of the request runs in a transaction."""
    from grants.read_only_requests import holds_reading_connection

    request_writes.set(True)
    if isinstance(session, scoped_session):
        session = session()
    if session.get_bind().dialect.name != "sqlite":
        if holds_reading_connection(session):
            end_read_transaction(session)
        return
    if holds_write_lock(session):
        return
    end_read_transaction(session)
    begin_immediate.set(True)


def exclusive_transaction(session: Session | scoped_session) -> None:
    """Start a transaction of its own for an operation that must not interleave with another
    (money, a visit report sent twice at once): on SQLite it begins with BEGIN IMMEDIATE, which
    takes the write lock first, so two people clicking at once queue up."""
    end_read_transaction(session)  # objects reload when used
    request_writes.set(True)
    if session.get_bind().dialect.name == "sqlite":
        begin_immediate.set(True)


def rows_changed(session: Session | scoped_session, statement: sa.Update | sa.Delete) -> int:
    """Run an UPDATE or DELETE and say how many rows it changed. Its result is a CursorResult,
    which Session.execute's signature (typed for SELECTs) does not say."""
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def append_only_ddl(dialect: str, table: str) -> list[str]:
    """Statements that make `table` append-only: UPDATE and DELETE are refused by the database."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        ]
    return [
        "CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION refuse_change()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()",
    ]


# The audit log's columns that never change. Its `details` may only be cleared (set to NULL) by
# the retention rule (grants/services/privacy/retention.py): who did what, when, to which object
# and with what outcome stays for ever. A column added to audit_event must be listed here.
AUDIT_FIXED_COLUMNS = "id, at, actor_id, action, object_type, object_id, outcome"


def audit_details_clearable_ddl(dialect: str) -> list[str]:
    """Replace audit_event's append-only triggers (append_only_ddl) by ones that let an UPDATE
    set `details` to NULL and nothing else."""
    if dialect == "sqlite":
        return [
            "DROP TRIGGER audit_event_no_update",
            f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE OF {AUDIT_FIXED_COLUMNS} "
            "ON audit_event BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
            "CREATE TRIGGER audit_event_details_cleared_only BEFORE UPDATE OF details ON "
            "audit_event WHEN NEW.details IS NOT NULL "
            "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
        ]
    return [
        "DROP TRIGGER audit_event_append_only ON audit_event",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION refuse_change()",
        f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE OF {AUDIT_FIXED_COLUMNS} "
        "ON audit_event FOR EACH ROW EXECUTE FUNCTION refuse_change()",
        "CREATE TRIGGER audit_event_details_cleared_only BEFORE UPDATE OF details ON audit_event "
        "FOR EACH ROW WHEN (NEW.details IS NOT NULL) EXECUTE FUNCTION refuse_change()",
    ]


def audit_append_only_again_ddl(dialect: str) -> list[str]:
    """Undo audit_details_clearable_ddl: audit_event fully append-only again."""
    if dialect == "sqlite":
        return ["DROP TRIGGER audit_event_details_cleared_only", "DROP TRIGGER audit_event_no_update",
                "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"]
    return ["DROP TRIGGER audit_event_details_cleared_only ON audit_event",
            "DROP TRIGGER audit_event_no_update ON audit_event",
            "DROP TRIGGER audit_event_no_delete ON audit_event",
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION refuse_change()"]


def drop_append_only_ddl(dialect: str, table: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER {table}_no_update", f"DROP TRIGGER {table}_no_delete"]
    return [f"DROP TRIGGER {table}_append_only ON {table}",
            f"DROP TRIGGER {table}_no_truncate ON {table}"]

"""PostgreSQL: a request that only reads (GET, HEAD, OPTIONS) runs its statements outside any
transaction, on the same pool of connections in autocommit mode.

Why: a transaction costs each request two round trips (BEGIN before the first statement,
ROLLBACK at the end), and psycopg forgets its prepared statements at every ROLLBACK, so every
page parsed and planned again the few statements it runs on each request. Outside a transaction
the statements most used are prepared once per connection (psycopg prepares a statement on its
fifth run) and kept.

It reads nothing less consistent: at PostgreSQL's READ COMMITTED level each statement of a
transaction already sees the data committed when it starts, as it does outside one. Writing
needs a transaction: a GET that writes (an audited view) calls write_transaction() or
exclusive_transaction() (grants/database.py) first, as SQLite already requires, and its
statements then run in a transaction of the usual pool. A write outside a transaction during a
request is flagged with WriteWithoutLockWarning (an error in the tests).

A statement read in batches (yield_per: a server-side cursor) needs a transaction too: it gets
one, on a second connection if the request had read before.

Commands, background jobs, tests calling services and unsafe requests (POST…) are not
concerned: they are served by transactions as before. SQLite is not concerned either."""

import warnings
import weakref

import sqlalchemy as sa
from flask_sqlalchemy.session import Session

from grants.database import SAFE_METHODS, WriteWithoutLockWarning, request_writes, serving_method

_READING = {"isolation_level": "AUTOCOMMIT"}
_reading_engines: "weakref.WeakKeyDictionary[sa.Engine, sa.Engine]" = weakref.WeakKeyDictionary()


def reading_engine(engine: sa.Engine) -> sa.Engine:
    """The same engine and pool, its connections lent in autocommit mode (given back to the pool
    in their usual mode)."""
    reading = _reading_engines.get(engine)
    if reading is None:
        reading = _reading_engines[engine] = engine.execution_options(**_READING)
    return reading


def reads_outside_transaction() -> bool:
    """True while a request that only reads has not asked to write."""
    return serving_method.get() in SAFE_METHODS and not request_writes.get()


def is_reading(connection: sa.Connection) -> bool:
    return connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"


class RequestSession(Session):
    """Flask-SQLAlchemy's session, bound to the reading engine while a PostgreSQL request only
    reads. A transaction that already holds a connection in transaction mode (a test's own
    session shared with the request it sends) keeps using it: the request sees what it wrote."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        engine = super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
        if (bind is None and isinstance(engine, sa.Engine) and engine.dialect.name == "postgresql"
                and reads_outside_transaction() and not self.info.get("in_transaction_mode")
                and not _streams(clause)):
            return reading_engine(engine)
        return engine


def _streams(clause) -> bool:
    """A statement read in batches (yield_per): PostgreSQL's server-side cursor lives in a
    transaction."""
    options = getattr(clause, "get_execution_options", None)
    return options is not None and not _STREAMING.isdisjoint(options())


_STREAMING = frozenset({"yield_per", "stream_results"})


@sa.event.listens_for(RequestSession, "after_begin")
def _note_connection(session, _transaction, connection) -> None:
    session.info["reading" if is_reading(connection) else "in_transaction_mode"] = True


@sa.event.listens_for(RequestSession, "after_transaction_end")
def _forget_connections(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop("reading", None)
        session.info.pop("in_transaction_mode", None)


def holds_reading_connection(session) -> bool:
    """True if the session reads outside a transaction (it must end that before writing)."""
    return bool(session.info.get("reading"))


def refuse_writes_outside_transaction(engine: sa.Engine) -> None:
    """Warn when a request writes on a connection in autocommit mode: the statement is committed
    at once, alone, instead of with the rest of the request's changes."""

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _on_execute(connection, _cursor, statement, _parameters, context, _executemany):
        if (serving_method.get() is not None and is_reading(connection)
                and _writes(statement, context)):
            warnings.warn(f"{serving_method.get()} request writes outside a transaction (call "
                          f"write_transaction first): {statement[:60]}", WriteWithoutLockWarning,
                          stacklevel=2)


def _writes(statement: str, context) -> bool:
    """An INSERT, UPDATE or DELETE built by SQLAlchemy (with a WITH before it or not), or any
    text that is not a query."""
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        return True
    return not statement.lstrip()[:6].upper().startswith(("SELECT", "WITH"))

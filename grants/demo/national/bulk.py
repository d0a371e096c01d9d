"""Bulk loading for the national data set: ids given in memory, rows inserted with SQLAlchemy Core
(executemany on SQLite, COPY on PostgreSQL), readable references numbered like
services/references.py, audit rows gathered as the services would write them."""

import json
import operator
from datetime import UTC, date, datetime, time
from enum import Enum

import sqlalchemy as sa

from grants.extensions import db
from grants.models import AuditEvent, ReferenceCounter
from grants.services.references import FORMATS

CHUNK = 20_000


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), UTC)


class Loader:
    """Rows are given whole (every column a dict key, defaults filled here) so that both
    databases receive the same values; ids come from `new_id()` and the PostgreSQL sequences are
    moved past them at the end."""

    def __init__(self):
        self.conn = db.session.connection()
        self.postgresql = self.conn.dialect.name == "postgresql"
        self._next_id: dict[str, int] = {}
        self._tables: set[str] = set()
        self.counters = {(row.kind, row.year): row.last
                         for row in db.session.scalars(sa.select(ReferenceCounter))}
        self.counted: dict[str, int] = {}
        self.audit_rows: list[dict] = []

    # --- ids and references ---------------------------------------------------------------

    def new_id(self, table: sa.Table) -> int:
        if table.name not in self._next_id:
            self._next_id[table.name] = (self.conn.scalar(
                sa.select(sa.func.max(table.c.id))) or 0) + 1
        value = self._next_id[table.name]
        self._next_id[table.name] = value + 1
        return value

    def reference(self, kind: str, year: int) -> str:
        """The next reference of `kind` for `year`, as next_reference() would give it."""
        number = self.counters.get((kind, year), 0) + 1
        self.counters[kind, year] = number
        return FORMATS[kind].format(year=year, n=number)

    # --- inserting --------------------------------------------------------------------------

    def insert(self, table: sa.Table, rows: list[dict]) -> None:
        if not rows:
            return
        rows = _complete(table, rows)
        self._tables.add(table.name)
        self.counted[table.name] = self.counted.get(table.name, 0) + len(rows)
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            if self.postgresql:
                self._copy(table, chunk)
            else:
                self._executemany(table, chunk)

    def _copy(self, table: sa.Table, rows: list[dict]) -> None:
        columns = list(rows[0])
        convert = [_converter(table.c[name], self.conn.dialect) for name in columns]
        names = ", ".join(f'"{name}"' for name in columns)
        cursor = self.conn.connection.driver_connection.cursor()
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([fn(row[name]) for fn, name in zip(convert, columns, strict=True)])
        cursor.close()

    def _executemany(self, table: sa.Table, rows: list[dict]) -> None:
        """One INSERT run over every row by the driver, each value through its column type's
        own bind processor (what SQLAlchemy would store), without the per-row statement
        machinery."""
        columns = list(rows[0])
        dialect = self.conn.dialect
        processors = [(i, table.c[name].type._cached_bind_processor(dialect))
                      for i, name in enumerate(columns)]
        processors = [(i, fn) for i, fn in processors if fn is not None]
        take = operator.itemgetter(*columns)
        values = []
        for row in rows:
            value = list(take(row)) if len(columns) > 1 else [take(row)]
            for i, fn in processors:
                value[i] = fn(value[i])
            values.append(tuple(value))
        names = ", ".join(f'"{name}"' for name in columns)
        marks = ", ".join("?" for _ in columns)
        self.conn.exec_driver_sql(
            f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',  # noqa: S608 (our tables)
            values)

    def update(self, table: sa.Table, rows: list[dict]) -> None:
        """Rows of {"id": …, column: value}: one executemany UPDATE by id."""
        if not rows:
            return
        values = {name: sa.bindparam(f"v_{name}") for name in rows[0] if name != "id"}
        statement = table.update().where(table.c.id == sa.bindparam("v_id")).values(values)
        self.conn.execute(statement, [{f"v_{k}": v for k, v in row.items()} for row in rows])

    # --- the audit log ----------------------------------------------------------------------

    def audit(self, action: str, actor_id: int | None, table: str | None, object_id, at: datetime,
              details: dict | None = None) -> None:
        """An audit row as services/audit.record() writes it (identifiers and codes only)."""
        self.audit_rows.append(dict(
            id=None, at=at, actor_id=actor_id, action=action, object_type=table,
            object_id=None if object_id is None else str(object_id), outcome="ok",
            details=details or None))

    def finish(self) -> None:
        """Write the audit rows in time order, the reference counters, and move the
        PostgreSQL sequences past the ids given here."""
        table = AuditEvent.__table__
        self.audit_rows.sort(key=lambda row: row["at"])
        for row in self.audit_rows:
            row["id"] = self.new_id(table)
        self.insert(table, self.audit_rows)
        self.audit_rows = []
        counters = ReferenceCounter.__table__
        existing = set(self.conn.execute(sa.select(counters.c.kind, counters.c.year)).all())
        self.insert(counters, [dict(kind=k, year=y, last=n) for (k, y), n in self.counters.items()
                               if (k, y) not in existing])
        bumped = [dict(k=k, y=y, n=n) for (k, y), n in self.counters.items() if (k, y) in existing]
        if bumped:
            self.conn.execute(counters.update().where(
                counters.c.kind == sa.bindparam("k"), counters.c.year == sa.bindparam("y"))
                .values(last=sa.bindparam("n")), bumped)
        if self.postgresql:
            for name in sorted(self._tables & set(self._next_id)):
                sequence = f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), " \
                           f"(SELECT max(id) FROM \"{name}\"))"  # noqa: S608 (our tables)
                self.conn.execute(sa.text(sequence))


def _complete(table: sa.Table, rows: list[dict]) -> list[dict]:
    """Fill the columns a row leaves out with their Python default (or NULL); columns with only
    a server default are left to the database."""
    given = set(rows[0])
    fill = {}
    for column in table.columns:
        if column.name in given:
            continue
        if column.default is not None:
            fill[column.name] = column.default
        elif column.server_default is None:
            fill[column.name] = None
    if not fill:
        return rows
    now = datetime.now(UTC)
    values = {}
    for name, default in fill.items():
        if default is None:
            values[name] = None
        elif default.is_callable:
            values[name] = now if name.endswith("_at") else default.arg(None)
        else:
            values[name] = default.arg
    return [{**values, **row} for row in rows]


def _converter(column: sa.Column, dialect):
    """What COPY needs for a value of this column: enum codes, JSON text, naive UTC times."""
    column_type = column.type
    if isinstance(column_type, sa.JSON):
        return lambda value: None if value is None else json.dumps(value)
    if isinstance(column_type, sa.types.TypeDecorator):
        return lambda value: column_type.process_bind_param(value, dialect)
    return lambda value: value.value if isinstance(value, Enum) else value

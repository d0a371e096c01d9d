"""Readable, gap-free references: ML-2026-000123 for people, AP-2026-0042 for dossiers,
CS-2026-01 for committee sessions."""

import sqlalchemy as sa

from grants.extensions import db
from grants.models import ReferenceCounter

FORMATS = {"ML": "ML-{year}-{n:06d}", "AP": "AP-{year}-{n:04d}", "CS": "CS-{year}-{n:02d}",
           "CV": "CV-{year}-{n:04d}", "OP": "OP-{year}-{n:05d}", "LP": "LP-{year}-{n:04d}",
           "VS": "VS-{year}-{n:05d}"}


def next_reference(kind: str, year: int) -> str:
    """Take the next number of `kind` for `year` with one guarded UPDATE, safe under concurrency."""
    bump = (sa.update(ReferenceCounter)
            .where(ReferenceCounter.kind == kind, ReferenceCounter.year == year)
            .values(last=ReferenceCounter.last + 1)
            .returning(ReferenceCounter.last))
    number = db.session.execute(bump).scalar()
    if number is None:
        with db.session.begin_nested():  # first of the year; a concurrent first insert wins
            db.session.add(ReferenceCounter(kind=kind, year=year, last=0))
        number = db.session.execute(bump).scalar()
    return FORMATS[kind].format(year=year, n=number)


def reserve_references(kind: str, year: int, count: int) -> list[str]:
    """`count` consecutive references in one guarded UPDATE (a bulk import)."""
    if count <= 0:
        return []
    bump = (sa.update(ReferenceCounter)
            .where(ReferenceCounter.kind == kind, ReferenceCounter.year == year)
            .values(last=ReferenceCounter.last + count)
            .returning(ReferenceCounter.last))
    last = db.session.execute(bump).scalar()
    if last is None:
        with db.session.begin_nested():
            db.session.add(ReferenceCounter(kind=kind, year=year, last=0))
        last = db.session.execute(bump).scalar()
    assert last is not None  # the row exists now
    return [FORMATS[kind].format(year=year, n=n) for n in range(last - count + 1, last + 1)]

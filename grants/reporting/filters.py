"""What a figure is about: a period, an envelope or a funding source, a call, a region, and
the viewer's scope. The scope is not a choice: an intake agent or a field officer sees the
figures of their regions only, whatever the address asks (`for_viewer`)."""

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from grants.database import UTCDateTime
from grants.permissions import Permission, region_scope
from grants.reporting.breakdowns import GRANULARITIES, Context


@dataclass(frozen=True)
class ReportFilter:
    start: date | None = None  # inclusive
    end: date | None = None  # inclusive
    envelope_id: int | None = None
    funding_source: str | None = None
    call_id: int | None = None
    region_id: int | None = None  # the region asked for
    scope: frozenset[int] | None = None  # the viewer's regions; None: everywhere
    granularity: str = "month"

    def __post_init__(self):
        if self.granularity not in GRANULARITIES:
            raise ValueError(f"unknown granularity {self.granularity!r}")

    @classmethod
    def for_viewer(cls, user, **chosen) -> "ReportFilter":
        return cls(scope=region_scope(user, Permission.REPORT_VIEW), **chosen)

    def but(self, **changes) -> "ReportFilter":
        return replace(self, **changes)

    def context(self) -> Context:
        return Context(start=self.start, end=self.end, granularity=self.granularity)

    @property
    def sees_nothing(self) -> bool:
        return self.scope is not None and (not self.scope or (
            self.region_id is not None and self.region_id not in self.scope))

    # Clauses for the fact queries: each takes the column it filters.
    def regions(self, column) -> list:
        clauses = []
        if self.scope is not None:
            clauses.append(column.in_(sorted(self.scope)) if self.scope else sa.false())
        if self.region_id is not None:
            clauses.append(column == self.region_id)
        return clauses

    def dates(self, column) -> list:
        """`column` a date or a UTC timestamp (Mali is on UTC: a day is the same day)."""
        clauses = []
        if isinstance(column.type, UTCDateTime):  # compare with midnights, index-friendly
            if self.start is not None:
                clauses.append(column >= datetime.combine(self.start, time.min, UTC))
            if self.end is not None:
                clauses.append(column < datetime.combine(self.end + timedelta(days=1), time.min, UTC))
            return clauses
        if self.start is not None:
            clauses.append(column >= self.start)
        if self.end is not None:
            clauses.append(column <= self.end)
        return clauses

    def money_source(self, envelope_id_column, funding_source_column) -> list:
        clauses = []
        if self.envelope_id is not None:
            clauses.append(envelope_id_column == self.envelope_id)
        if self.funding_source is not None:
            clauses.append(funding_source_column == self.funding_source)
        return clauses

    def call(self, column) -> list:
        return [column == self.call_id] if self.call_id is not None else []

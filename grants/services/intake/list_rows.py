"""What the dossiers and returnees lists show for one page, read as plain columns by one
statement built once: a page's ids are chosen on narrow rows (grants/services/intake/queries.py,
beneficiaries.search), then those rows are read here. Loading them as ORM objects, with their
relations, cost more than the rest of the page's queries."""

import functools
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from grants.extensions import db
from grants.models import Application, Beneficiary, Region
from grants.vocabulary import ProjectType, Sector, Sex, VerificationStatus
from grants.workflow import ApplicationStatus


def _in_order(ids: list[int], row_type, statement) -> list:
    if not ids:
        return []
    found = {row[0]: row_type(*row) for row in db.session.execute(statement, {"ids": list(ids)})}
    return [found[i] for i in ids if i in found]


class DossierRow(NamedTuple):
    """A row of the dossiers list."""

    id: int
    reference: str | None
    title: str | None
    sector: Sector | None
    project_type: ProjectType
    status: ApplicationStatus
    requested_amount: int | None
    created_at: datetime
    region_name: str
    lead_code: str
    lead_first_name: str
    lead_last_name: str

    @property
    def display_reference(self) -> str:
        return self.reference or f"#{self.id}"

    @property
    def lead_name(self) -> str:
        return f"{self.lead_first_name} {self.lead_last_name}"


@functools.cache
def _dossiers_statement():
    return (sa.select(Application.id, Application.reference, Application.title,
                      Application.sector, Application.project_type, Application.status,
                      Application.requested_amount, Application.created_at, Region.name,
                      Beneficiary.code, Beneficiary.first_name, Beneficiary.last_name)
            .join(Region, Region.id == Application.region_id)
            .join(Beneficiary, Beneficiary.id == Application.lead_id)
            .where(Application.id.in_(sa.bindparam("ids", expanding=True))))


def dossiers(ids: list[int]) -> list[DossierRow]:
    """These dossiers' rows in this order, with their lead's name and code and their region."""
    return _in_order(ids, DossierRow, _dossiers_statement())


class ReturneeRow(NamedTuple):
    """A row of the returnees list."""

    id: int
    code: str
    first_name: str
    last_name: str
    sex: Sex | None
    phone: str | None
    region: str | None
    verification_status: VerificationStatus
    created_at: datetime

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@functools.cache
def _returnees_statement():
    return (sa.select(Beneficiary.id, Beneficiary.code, Beneficiary.first_name,
                      Beneficiary.last_name, Beneficiary.sex, Beneficiary.phone, Region.name,
                      Beneficiary.verification_status, Beneficiary.created_at)
            .outerjoin(Region, Region.id == Beneficiary.region_id)
            .where(Beneficiary.id.in_(sa.bindparam("ids", expanding=True))))


def returnees(ids: list[int]) -> list[ReturneeRow]:
    """These returnees' rows in this order, with their region's name."""
    return _in_order(ids, ReturneeRow, _returnees_statement())

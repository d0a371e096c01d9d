"""Finding dossiers: filtered, scoped to what the user may see, sorted, counted per status."""

from contextlib import suppress
from dataclasses import dataclass

from sqlalchemy import orm

from grants.extensions import db
from grants.models import Application, ApplicationMember, Beneficiary, User
from grants.permissions import Permission, owner_scope, region_scope
from grants.services.accounts import normalise_phone
from grants.services.errors import ValidationError
from grants.services.intake.beneficiaries import name_key

SORTS = {
    "recent": (Application.created_at.desc(), Application.id.desc()),
    "reference": (Application.reference, Application.id),
    "name": (Beneficiary.name_key, Application.id),
    "amount": (Application.requested_amount.desc(), Application.id),
}


@dataclass
class Filters:
    call_id: int | None = None
    status: str | None = None
    region_id: int | None = None
    sector: str | None = None
    project_type: str | None = None
    sex: str | None = None
    q: str | None = None
    sort: str = "recent"


def _scoped(actor: User, query):
    regions = region_scope(actor, Permission.APPLICATION_VIEW)
    if regions is not None and not owner_scope(actor, Permission.APPLICATION_VIEW):
        query = query.where(Application.region_id.in_(regions))
    if owner_scope(actor, Permission.APPLICATION_VIEW):
        mine = (db.select(ApplicationMember.application_id)
                .join(Beneficiary, Beneficiary.id == ApplicationMember.beneficiary_id)
                .where(Beneficiary.user_id == actor.id))
        query = query.where(Application.id.in_(mine))
    return query


def _filtered(query, f: Filters, *, with_status: bool = True):
    if f.call_id:
        query = query.where(Application.call_id == f.call_id)
    if f.status and with_status:
        query = query.where(Application.status == f.status)
    if f.region_id:
        query = query.where(Application.region_id == f.region_id)
    if f.sector:
        query = query.where(Application.sector == f.sector)
    if f.project_type:
        query = query.where(Application.project_type == f.project_type)
    if f.sex:
        query = query.where(Beneficiary.sex == f.sex)
    if f.q and f.q.strip():
        text = f.q.strip()
        conditions = [Application.reference == text.upper(), Beneficiary.code == text.upper(),
                      Beneficiary.name_key.contains(name_key(text, ""))]
        with suppress(ValidationError):
            conditions.append(Beneficiary.phone == normalise_phone(text))
        query = query.where(db.or_(*conditions))
    return query


def _with_lead(query, f: Filters, always: bool = False):
    """The lead joined when a filter or the sort reads it, or `always` (it is one row per
    dossier: counting without it gives the same numbers, without reading the registry)."""
    if always or f.sex or (f.q and f.q.strip()) or f.sort == "name":
        return query.join(Beneficiary, Beneficiary.id == Application.lead_id)
    return query


def search(actor: User, f: Filters, with_lead: bool = False):
    """A select of the dossiers `actor` may see that match `f`, sorted (to export; `with_lead`
    joins the lead whatever the filters, for a caller that reads the lead's columns)."""
    query = _filtered(_scoped(actor, _with_lead(db.select(Application), f, with_lead)), f)
    return query.order_by(*SORTS.get(f.sort, SORTS["recent"]))


def search_ids(actor: User, f: Filters):
    """The same dossiers' ids only, sorted: a page of them is chosen on narrow rows, then
    `list_rows.dossiers` reads that page (sorting whole joined rows of thousands of dossiers is slow)."""
    query = _filtered(_scoped(actor, _with_lead(db.select(Application.id), f)), f)
    return query.order_by(*SORTS.get(f.sort, SORTS["recent"]))


def status_counts(actor: User, f: Filters) -> dict[str, int]:
    """How many dossiers per status for the same filters (ignoring the status filter)."""
    query = _with_lead(db.select(Application.status, db.func.count(Application.id)), f)
    query = _filtered(_scoped(actor, query), f, with_status=False).group_by(Application.status)
    return {status.value: count for status, count in db.session.execute(query)}


def own_dossiers(actor: User, limit: int = 100) -> list[Application]:
    """The dossiers `actor` belongs to as a member (an applicant's own), newest first; a person
    holds a handful, the limit only bounds the page."""
    mine = (db.select(ApplicationMember.application_id)
            .join(Beneficiary, Beneficiary.id == ApplicationMember.beneficiary_id)
            .where(Beneficiary.user_id == actor.id))
    return list(db.session.scalars(
        db.select(Application).where(Application.id.in_(mine))
        .options(orm.lazyload(Application.lead))
        .order_by(Application.created_at.desc(), Application.id.desc()).limit(limit)))

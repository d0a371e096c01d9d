"""Mali's 20 regions as the pages list them (filters, forms, scopes): read once per process.
They are loaded by a migration and no page or command edits them, so a list page's filter
need not read and build them on every request (a statement and twenty objects each time)."""

from typing import NamedTuple

from flask import current_app

from grants.extensions import db
from grants.models import Region


class RegionRow(NamedTuple):
    id: int
    code: str
    name: str

    def __str__(self) -> str:
        return self.name


def all_regions() -> list[RegionRow]:
    """Every region by code; kept on the app (each test's app reads its own database)."""
    cached = current_app.extensions.get("grants.regions")
    if cached is None:
        cached = current_app.extensions["grants.regions"] = [
            RegionRow(*row) for row in db.session.execute(
                db.select(Region.id, Region.code, Region.name).order_by(Region.code))]
    return cached


def regions_in(ids) -> list[RegionRow]:
    """The regions of these ids (a scope), by code; every region for None."""
    if ids is None:
        return all_regions()
    wanted = set(ids)
    return [region for region in all_regions() if region.id in wanted]

"""A finalised session's ranking page in one statement: the page's dossiers in rank order with
what the page shows of each (their tallies read with them), and the figures of the whole ranking
that the page shows too: how many dossiers, what the selected ones are granted, where the
envelope's cut line falls. The same figures as ranked() and cut_index() on every dossier, which
a finalised session's page no longer reads one by one.

The dossiers a member is recused from are left out after the ranks were given: the others keep
their ranks, as in ranked()."""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from math import ceil

import sqlalchemy as sa

from grants.extensions import db
from grants.models import (
    Application,
    Beneficiary,
    CommitteeSession,
    Decision,
    Region,
    SessionDossier,
    SessionMember,
)
from grants.paging import SlicePage
from grants.services.committees.ranking import (
    PageRow,
    amount_column,
    page_row,
    param,
    recused_exists,
)
from grants.services.committees.scoring import tally_of, tally_subquery_of


@dataclass(frozen=True)
class RankingFigures:
    total: int  # dossiers shown
    granted: int  # F CFA: the amounts of the selected dossiers shown
    cut: int | None  # where the cut line falls: a position (from 0) among the dossiers shown
    cut_rank: int | None  # the rank it falls before


def decided_page(session: CommitteeSession, hidden_from: SessionMember | None, page: int,
                 per_page: int) -> tuple[list[PageRow], RankingFigures, SlicePage]:
    """The page `page` of the finalised session's ranking (the last one past the end)."""
    keys = {"session_id": session.id,
            "member_id": hidden_from.id if hidden_from is not None else None}
    found = _read(keys, page, per_page)
    if not found and page > 1:  # past the last page: the last one, as list_page shows it
        first = _read(keys, 1, 1)
        total = first[0].total if first else 0
        page = max(1, ceil(total / per_page))
        found = _read(keys, page, per_page)
    figures = _figures(found[0]) if found else RankingFigures(0, 0, None, None)
    labels: dict = {}
    rows = [page_row(row.dossier_id, row.rank or 0, row, tally_of(row), row.decision,
                     row.decision_reason_code, False, labels) for row in found]
    return rows, figures, SlicePage(figures.total, lambda _offset, _limit: rows, per_page, page)


def _read(keys: dict, page: int, per_page: int) -> Sequence[sa.Row]:
    return db.session.execute(_decided_page_select(), {
        **keys, "skipped": (page - 1) * per_page, "count": per_page}).all()


def _figures(row) -> RankingFigures:
    """cut_index(): the first dossier on the waiting list, else the one after the last selected."""
    if row.first_waiting is not None:
        cut, cut_rank = row.first_waiting, row.waiting_rank
    elif row.last_selected is not None:
        cut, cut_rank = row.last_selected + 1, row.after_selected_rank
    else:
        cut = cut_rank = None
    return RankingFigures(row.total, int(row.granted), cut, cut_rank)


@cache
def _decided_page_select() -> sa.Select:
    shown = (sa.select(SessionDossier.id.label("dossier_id"), SessionDossier.application_id,
                       SessionDossier.rank, SessionDossier.decision,
                       SessionDossier.decision_reason_code, amount_column().label("amount"))
             .join(Application, Application.id == SessionDossier.application_id)
             .where(SessionDossier.session_id == param("session_id"), ~recused_exists())
             .subquery("shown"))
    in_order = (shown.c.rank, shown.c.dossier_id)  # as _decided_select orders them
    placed = sa.select(
        shown, (sa.func.row_number().over(order_by=in_order) - 1).label("position"),
        sa.func.lead(shown.c.rank).over(order_by=in_order).label("next_rank"),
    ).subquery("placed")
    selected = placed.c.decision == Decision.SELECTED
    waiting = placed.c.decision == Decision.WAITLISTED
    whole = sa.func.count().over()  # each figure over every dossier shown, before the LIMIT
    page = (sa.select(
        placed.c.dossier_id, placed.c.application_id, placed.c.rank, placed.c.decision,
        placed.c.decision_reason_code, placed.c.position, whole.label("total"),
        sa.func.sum(sa.case((selected, placed.c.amount), else_=0)).over().label("granted"),
        sa.func.min(sa.case((waiting, placed.c.position))).over().label("first_waiting"),
        sa.func.min(sa.case((waiting, placed.c.rank))).over().label("waiting_rank"),
        sa.func.max(sa.case((selected, placed.c.position))).over().label("last_selected"),
        # The rank after the last selected dossier's (ranks grow with the position), or one
        # more than its own when it is the last.
        sa.func.max(sa.case((selected, sa.func.coalesce(placed.c.next_rank, placed.c.rank + 1))))
        .over().label("after_selected_rank"))
        .order_by(placed.c.position)
        .offset(sa.bindparam("skipped", type_=sa.Integer))
        .limit(sa.bindparam("count", type_=sa.Integer))
        .cte("page"))
    tally = tally_subquery_of(param("session_id"), sa.select(page.c.application_id))
    return (sa.select(page, Application.reference, Beneficiary.first_name,
                      Beneficiary.last_name, Application.title, Region.name.label("region"),
                      Application.requested_amount, SessionDossier.granted_amount,
                      SessionDossier.amount_reason, SessionDossier.justification,
                      SessionDossier.decision_reason, *tally.c[1:])
            .select_from(page)
            .join(SessionDossier, SessionDossier.id == page.c.dossier_id)
            .join(Application, Application.id == page.c.application_id)
            .join(Beneficiary, Beneficiary.id == Application.lead_id)
            .join(Region, Region.id == Application.region_id)
            .outerjoin(tally, tally.c.application_id == page.c.application_id)
            .order_by(page.c.position))

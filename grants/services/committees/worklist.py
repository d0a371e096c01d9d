"""A member's dossiers in a session, with where they stand (to declare, to score, draft,
submitted, recused): the state is worked out by the database, counted per group and read one
page at a time, so a session of thousands of dossiers costs the same as a small one."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from grants.extensions import db
from grants.models import (
    Application,
    CommitteeSession,
    InterestDeclaration,
    ScoreSheet,
    SessionDossier,
    SessionMember,
    SheetStatus,
)

# The filters of the session page: the states each one shows (None: all of them).
FILTERS: dict[str, tuple[str, ...] | None] = {
    "all": None, "to_declare": ("new",), "to_score": ("declared", "draft"),
    "submitted": ("submitted",), "recused": ("recused",)}
FILTER_LABELS = {"all": _l("All"), "to_declare": _l("To declare"), "to_score": _l("To score"),
                 "submitted": _l("Submitted"), "recused": _l("Recused")}


@dataclass(frozen=True)
class Item:
    application_id: int
    reference: str | None
    title: str | None
    state: str  # new, declared, draft, submitted or recused

    @property
    def display_reference(self) -> str:
        return self.reference or f"#{self.application_id}"


def _states(seat_ids: Sequence[int]) -> sa.Subquery:
    """Each dossier of the sessions of these seats (SessionMember ids) and its state for the
    seat's member."""
    declaration, sheet = aliased(InterestDeclaration), aliased(ScoreSheet)
    state = sa.case((declaration.conflicted.is_(True), "recused"),
                    (sheet.status == SheetStatus.SUBMITTED, "submitted"),
                    (sheet.status == SheetStatus.DRAFT, "draft"),
                    (declaration.id.is_not(None), "declared"), else_="new")
    return (sa.select(SessionMember.session_id, SessionDossier.id.label("dossier_id"),
                      SessionDossier.application_id, state.label("state"))
            .join(SessionMember, SessionMember.session_id == SessionDossier.session_id)
            .outerjoin(declaration, sa.and_(
                declaration.member_id == SessionMember.id,
                declaration.application_id == SessionDossier.application_id))
            .outerjoin(sheet, sa.and_(sheet.member_id == SessionMember.id,
                                      sheet.application_id == SessionDossier.application_id))
            .where(SessionMember.id.in_(seat_ids)).subquery("states"))


def counts_by_session(seats: Sequence[SessionMember]) -> dict[int, dict[str, int]]:
    """For each seat of a member, by its session: how many dossiers each filter shows (one
    GROUP BY for all the seats)."""
    states = _states([seat.id for seat in seats])
    per_state: dict[int, dict[str, int]] = defaultdict(dict)
    for session_id, state, n in db.session.execute(
            sa.select(states.c.session_id, states.c.state, sa.func.count())
            .group_by(states.c.session_id, states.c.state)):
        per_state[session_id][state] = n
    return {seat.session_id: {
        key: sum(n for state, n in per_state[seat.session_id].items()
                 if shown is None or state in shown)
        for key, shown in FILTERS.items()} for seat in seats}


def counts(session: CommitteeSession, member: SessionMember) -> dict[str, int]:
    """How many dossiers each filter shows (one GROUP BY)."""
    return counts_by_session([member])[session.id]


def items(session: CommitteeSession, member: SessionMember, shown: str, offset: int,
          limit: int) -> list[Item]:
    """One page of the member's dossiers under the filter `shown`, in the session's order."""
    states = _states([member.id])
    query = (sa.select(states.c.application_id, Application.reference, Application.title,
                       states.c.state)
             .join(Application, Application.id == states.c.application_id)
             .order_by(states.c.dossier_id).offset(offset).limit(limit))
    wanted = FILTERS[shown]
    if wanted is not None:
        query = query.where(states.c.state.in_(wanted))
    return [Item(*row) for row in db.session.execute(query)]

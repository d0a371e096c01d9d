"""A member's dossiers in a session, with where they stand (to declare, to score, draft,
submitted, recused): the state is worked out by the database, counted per group and read one
page at a time, so a session of thousands of dossiers costs the same as a small one."""

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


def _states(session: CommitteeSession, member: SessionMember) -> sa.Subquery:
    declaration, sheet = aliased(InterestDeclaration), aliased(ScoreSheet)
    state = sa.case((declaration.conflicted.is_(True), "recused"),
                    (sheet.status == SheetStatus.SUBMITTED, "submitted"),
                    (sheet.status == SheetStatus.DRAFT, "draft"),
                    (declaration.id.is_not(None), "declared"), else_="new")
    return (sa.select(SessionDossier.id.label("dossier_id"), SessionDossier.application_id,
                      state.label("state"))
            .outerjoin(declaration, sa.and_(
                declaration.member_id == member.id,
                declaration.application_id == SessionDossier.application_id))
            .outerjoin(sheet, sa.and_(sheet.member_id == member.id,
                                      sheet.application_id == SessionDossier.application_id))
            .where(SessionDossier.session_id == session.id).subquery("states"))


def counts(session: CommitteeSession, member: SessionMember) -> dict[str, int]:
    """How many dossiers each filter shows (one GROUP BY)."""
    states = _states(session, member)
    per_state: dict[str, int] = {state: n for state, n in db.session.execute(
        sa.select(states.c.state, sa.func.count()).group_by(states.c.state))}
    return {key: sum(n for state, n in per_state.items() if shown is None or state in shown)
            for key, shown in FILTERS.items()}


def items(session: CommitteeSession, member: SessionMember, shown: str, offset: int,
          limit: int) -> list[Item]:
    """One page of the member's dossiers under the filter `shown`, in the session's order."""
    states = _states(session, member)
    query = (sa.select(states.c.application_id, Application.reference, Application.title,
                       states.c.state)
             .join(Application, Application.id == states.c.application_id)
             .order_by(states.c.dossier_id).offset(offset).limit(limit))
    wanted = FILTERS[shown]
    if wanted is not None:
        query = query.where(states.c.state.in_(wanted))
    return [Item(*row) for row in db.session.execute(query)]

"""The ranking of a session as light rows computed by the database: one query ranks the dossiers
(ROW_NUMBER over the score aggregate), a second gives who is in each dossier; the proposal then
walks the ranks in order against the envelope. Pages show a slice of it and load only the
dossiers of that slice."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

from grants.extensions import db
from grants.models import (
    Application,
    ApplicationMember,
    Beneficiary,
    BudgetEnvelope,
    Call,
    CommitteeSession,
    Decision,
    DecisionReason,
    Grant,
    GrantStatus,
    Region,
    SessionDossier,
    SessionStatus,
)
from grants.services.committees.grids import grid_for
from grants.services.committees.scoring import Tally, tally_of, tally_subquery
from grants.services.intake.past_grants import active_past_grants
from grants.workflow import ACTIVE_GRANT_STATUSES, ApplicationStatus


@dataclass(frozen=True)
class Ranked:
    """One dossier's place in the ranking, without the dossier itself."""

    dossier_id: int
    application_id: int
    rank: int
    amount: int  # granted if lowered by the committee, else requested
    tally: Tally | None  # None: not scored (or, finalised, not asked for)
    decision: Decision | None
    reason: DecisionReason | None
    flagged: bool  # spread above the session's threshold: to discuss


def envelope_available(envelope: BudgetEnvelope, *, exclude_session: int | None = None) -> int:
    """What the envelope can still fund: its total, less what signed agreements commit, less
    the dossiers selected whose agreement is not signed yet (they hold a claim on it)."""
    from grants.models import Grant, GrantStatus

    signed = db.select(Grant.application_id).where(Grant.status != GrantStatus.DRAFT)
    waiting = (db.select(db.func.coalesce(db.func.sum(db.func.coalesce(
        SessionDossier.granted_amount, Application.requested_amount)), 0))
        .join(Application, Application.id == SessionDossier.application_id)
        .join(Call, Call.id == Application.call_id)
        .where(Call.envelope_id == envelope.id, SessionDossier.decision == Decision.SELECTED,
               Application.status == ApplicationStatus.SELECTED,
               Application.id.not_in(signed)))
    if exclude_session is not None:
        waiting = waiting.where(SessionDossier.session_id != exclude_session)
    committed = db.session.scalar(db.select(BudgetEnvelope.committed)
                                  .where(BudgetEnvelope.id == envelope.id))
    return envelope.total - int(committed) - int(db.session.scalar(waiting))


def available_to_session(session: CommitteeSession) -> int:
    """What the envelope holds for this session: its total less what the other sessions commit
    or claim. The agreements this session's dossiers signed since are counted back in, so the
    figure does not fall to 0 once its selections are signed (as "available" did)."""
    own = db.select(SessionDossier.application_id).where(SessionDossier.session_id == session.id)
    commits = sa.case((Grant.status == GrantStatus.CANCELLED, Grant.disbursed), else_=Grant.amount)
    signed = db.session.scalar(db.select(sa.func.coalesce(sa.func.sum(commits), 0)).where(
        Grant.application_id.in_(own), Grant.status != GrantStatus.DRAFT))
    return envelope_available(session.call.envelope, exclude_session=session.id) + int(signed)


def _amount():
    return sa.func.coalesce(SessionDossier.granted_amount, Application.requested_amount)


def ranking_select(session: CommitteeSession, *columns, people: bool = False) -> sa.Select:
    """The session's dossiers in rank order with a `rank` column, the tally columns and
    `columns` (of the dossier and its application; with `people`, of its lead beneficiary and
    region too). Scoring: ranked by mean score, ties by social priority then submission date
    (ROW_NUMBER); finalised: the ranks stored at the deliberation."""
    tally = tally_subquery(session)
    rank: sa.ColumnElement | InstrumentedAttribute
    if session.status == SessionStatus.SCORING:
        rank = sa.func.row_number().over(order_by=(
            sa.func.coalesce(tally.c.mean, -1).desc(), sa.func.coalesce(tally.c.social_mean, 0)
            .desc(), Application.submitted_at, SessionDossier.application_id))
    else:
        rank = SessionDossier.rank
    query = (sa.select(SessionDossier.id.label("dossier_id"), SessionDossier.application_id,
                       rank.label("rank"), *tally.c[1:], *columns)
             .join(Application, Application.id == SessionDossier.application_id)
             .outerjoin(tally, tally.c.application_id == SessionDossier.application_id)
             .where(SessionDossier.session_id == session.id))
    if people:
        query = (query.join(Beneficiary, Beneficiary.id == Application.lead_id)
                 .join(Region, Region.id == Application.region_id))
    ranked_rows = query.subquery("ranked")
    return sa.select(ranked_rows).order_by(ranked_rows.c.rank, ranked_rows.c.dossier_id)


def ranking_rows_select(session: CommitteeSession) -> sa.Select:
    """The ranking with what the export and the minutes' annex print of each dossier."""
    return ranking_select(
        session, Application.reference, Beneficiary.first_name, Beneficiary.last_name,
        Application.title, Region.name.label("region"), Application.requested_amount,
        SessionDossier.granted_amount, SessionDossier.decision,
        SessionDossier.decision_reason_code, SessionDossier.decision_reason, people=True)


def ranked(session: CommitteeSession, with_tallies: bool = True) -> list[Ranked]:
    """Every dossier of the session in rank order with its (proposed or decided) decision. Once
    finalised the decisions are read as stored, and the tallies only `with_tallies`."""
    if session.status != SessionStatus.SCORING:
        return _decided(session, with_tallies)
    grid = grid_for(session.call)
    rows = db.session.execute(ranking_select(
        session, SessionDossier.forced_decision, _amount().label("amount"))).all()
    people: dict[int, set[int]] = {}
    for dossier_id, beneficiary_id in db.session.execute(
            sa.select(SessionDossier.id, ApplicationMember.beneficiary_id)
            .join(ApplicationMember,
                  ApplicationMember.application_id == SessionDossier.application_id)
            .where(SessionDossier.session_id == session.id)):
        people.setdefault(dossier_id, set()).add(beneficiary_id)
    taken = _with_active_grant(session)
    available = envelope_available(session.call.envelope, exclude_session=session.id)
    available -= sum(r.amount for r in rows if r.forced_decision == Decision.SELECTED)
    result, envelope_full = [], False
    for row in rows:
        tally, members = tally_of(row), people.get(row.dossier_id, set())
        if row.forced_decision is not None:
            decision, reason = row.forced_decision, DecisionReason.CHAIR
        elif tally is None:
            decision, reason = Decision.REJECTED, DecisionReason.NOT_SCORED
        elif tally.unfundable:
            decision, reason = Decision.REJECTED, DecisionReason.ELIMINATORY
        elif tally.mean < grid.pass_mark:
            decision, reason = Decision.REJECTED, DecisionReason.BELOW_PASS_MARK
        elif members & taken:
            decision, reason = Decision.REJECTED, DecisionReason.HOLDS_GRANT
        elif not envelope_full and row.amount <= available:
            decision, reason = Decision.SELECTED, DecisionReason.WITHIN_ENVELOPE
            available -= row.amount
        else:
            envelope_full = True  # in rank order: once one does not fit, the rest wait
            decision, reason = Decision.WAITLISTED, DecisionReason.ENVELOPE_USED_UP
        if decision == Decision.SELECTED:
            taken |= members  # one active grant per beneficiary
        flagged = tally is not None and tally.spread > session.spread_threshold
        result.append(Ranked(row.dossier_id, row.application_id, row.rank, int(row.amount),
                             tally, decision, reason, flagged))
    return result


def _decided(session: CommitteeSession, with_tallies: bool) -> list[Ranked]:
    columns = (SessionDossier.decision, SessionDossier.decision_reason_code,
               _amount().label("amount"))
    if with_tallies:
        query = ranking_select(session, *columns)
    else:
        query = (sa.select(SessionDossier.id.label("dossier_id"), SessionDossier.application_id,
                           SessionDossier.rank, *columns)
                 .join(Application, Application.id == SessionDossier.application_id)
                 .where(SessionDossier.session_id == session.id)
                 .order_by(SessionDossier.rank, SessionDossier.id))
    return [Ranked(row.dossier_id, row.application_id, row.rank or 0, int(row.amount),
                   tally_of(row) if with_tallies else None, row.decision,
                   row.decision_reason_code, False)
            for row in db.session.execute(query)]


def _with_active_grant(session: CommitteeSession) -> set[int]:
    """Beneficiaries holding an active grant through a dossier outside this session, or a
    past grant of an earlier programme funded within PAST_GRANT_ACTIVE_MONTHS."""
    examined = sa.select(SessionDossier.application_id).where(
        SessionDossier.session_id == session.id)
    return set(db.session.scalars(sa.union(
        sa.select(ApplicationMember.beneficiary_id)
        .join(Application, Application.id == ApplicationMember.application_id)
        .where(Application.status.in_(ACTIVE_GRANT_STATUSES), Application.id.not_in(examined)),
        active_past_grants())))


def cut_index(rows: list[Ranked]) -> int | None:
    """Where the envelope cuts the ranking: the position of the first dossier on the waiting list,
    else the one after the last selected dossier; None when nothing is selected nor waiting."""
    for index, row in enumerate(rows):
        if row.decision == Decision.WAITLISTED:
            return index
    selected = [i for i, row in enumerate(rows) if row.decision == Decision.SELECTED]
    return selected[-1] + 1 if selected else None


def page_of(index: int, per_page: int) -> int:
    """The page (from 1) that shows the row at `index` (from 0)."""
    return index // per_page + 1

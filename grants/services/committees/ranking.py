"""The ranking of a session as light rows computed by the database: one query ranks the dossiers
(ROW_NUMBER over the score aggregate), a second gives who is in each dossier; the proposal then
walks the ranks in order against the envelope. Pages show a slice of it and load only the
dossiers of that slice."""

from functools import cache
from typing import NamedTuple

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
    InterestDeclaration,
    Region,
    ScoringGrid,
    SessionDossier,
    SessionMember,
    SessionStatus,
)
from grants.services.committees.grids import DEFAULT_PASS_MARK
from grants.services.committees.scoring import Tally, tally_of, tally_subquery_of
from grants.services.intake.past_grants import active_past_grants
from grants.vocabulary import LabelledEnum
from grants.workflow import ACTIVE_GRANT_STATUSES, ApplicationStatus


class Ranked(NamedTuple):
    """One dossier's place in the ranking, without the dossier itself (a named tuple: one for
    each of the session's dossiers on each ranking, built cheaply)."""

    dossier_id: int
    application_id: int
    rank: int
    amount: int  # granted if lowered by the committee, else requested
    tally: Tally | None  # None: not scored (or, finalised, not asked for)
    decision: Decision | None
    reason: DecisionReason | None
    flagged: bool  # spread above the session's threshold: to discuss


# The page's statements are built once with bound parameters (building one costs more than
# running it on a session of a few hundred dossiers); these name what each statement takes.
def param(name: str) -> sa.BindParameter:
    return sa.bindparam(name, type_=sa.Integer)


def _ids(name: str) -> sa.BindParameter:
    return sa.bindparam(name, expanding=True, type_=sa.Integer)


def _available_parts(exclude_session: bool) -> tuple[sa.ScalarSelect, sa.ScalarSelect]:
    """What signed agreements commit on the envelope (`envelope_id`), and what the dossiers
    selected whose agreement is not signed yet claim on it (outside the session `session_id`
    when `exclude_session`)."""
    signed = sa.select(Grant.application_id).where(Grant.status != GrantStatus.DRAFT)
    waiting = (sa.select(sa.func.coalesce(sa.func.sum(sa.func.coalesce(
        SessionDossier.granted_amount, Application.requested_amount)), 0))
        .join(Application, Application.id == SessionDossier.application_id)
        .join(Call, Call.id == Application.call_id)
        .where(Call.envelope_id == param("envelope_id"),
               SessionDossier.decision == Decision.SELECTED,
               Application.status == ApplicationStatus.SELECTED,
               Application.id.not_in(signed)))
    if exclude_session:
        waiting = waiting.where(SessionDossier.session_id != param("session_id"))
    committed = sa.select(BudgetEnvelope.committed).where(
        BudgetEnvelope.id == param("envelope_id"))
    return committed.scalar_subquery(), waiting.scalar_subquery()


@cache
def _envelope_select(exclude_session: bool) -> sa.Select:
    return sa.select(*_available_parts(exclude_session))


@cache
def _session_money_select() -> sa.Select:
    own = sa.select(SessionDossier.application_id).where(
        SessionDossier.session_id == param("session_id"))
    commits = sa.case((Grant.status == GrantStatus.CANCELLED, Grant.disbursed), else_=Grant.amount)
    signed = sa.select(sa.func.coalesce(sa.func.sum(commits), 0)).where(
        Grant.application_id.in_(own), Grant.status != GrantStatus.DRAFT)
    return sa.select(*_available_parts(True), signed.scalar_subquery())


def envelope_available(envelope: BudgetEnvelope, *, exclude_session: int | None = None) -> int:
    """What the envelope can still fund: its total, less what signed agreements commit, less
    the dossiers selected whose agreement is not signed yet (they hold a claim on it). One
    statement: both are read by the database, fresh."""
    committed, waiting = db.session.execute(
        _envelope_select(exclude_session is not None),
        {"envelope_id": envelope.id, "session_id": exclude_session}).one()
    return envelope.total - int(committed) - int(waiting)


def available_to_session(session: CommitteeSession) -> int:
    """What the envelope holds for this session: its total less what the other sessions commit
    or claim. The agreements this session's dossiers signed since are counted back in, so the
    figure does not fall to 0 once its selections are signed (as "available" did)."""
    envelope = session.call.envelope
    committed, waiting, own_signed = db.session.execute(
        _session_money_select(), {"envelope_id": envelope.id, "session_id": session.id}).one()
    return envelope.total - int(committed) - int(waiting) + int(own_signed)


def amount_column():
    return sa.func.coalesce(SessionDossier.granted_amount, Application.requested_amount)


def ranking_select(session: CommitteeSession, *columns, people: bool = False) -> sa.Select:
    """The session's dossiers in rank order with a `rank` column, the tally columns and
    `columns` (of the dossier and its application; with `people`, of its lead beneficiary and
    region too). Scoring: ranked by mean score, ties by social priority then submission date
    (ROW_NUMBER); finalised: the ranks stored at the deliberation."""
    return _ranking_select(session.status == SessionStatus.SCORING, session.id, *columns,
                           people=people)


def _ranking_select(scoring: bool, session_id, *columns,
                    people: bool = False) -> sa.Select:
    tally = tally_subquery_of(session_id)
    rank: sa.ColumnElement | InstrumentedAttribute
    if scoring:
        rank = sa.func.row_number().over(order_by=(
            sa.func.coalesce(tally.c.mean, -1).desc(), sa.func.coalesce(tally.c.social_mean, 0)
            .desc(), Application.submitted_at, SessionDossier.application_id))
    else:
        rank = SessionDossier.rank
    query = (sa.select(SessionDossier.id.label("dossier_id"), SessionDossier.application_id,
                       rank.label("rank"), *tally.c[1:], *columns)
             .join(Application, Application.id == SessionDossier.application_id)
             .outerjoin(tally, tally.c.application_id == SessionDossier.application_id)
             .where(SessionDossier.session_id == session_id))
    if people:
        query = (query.join(Beneficiary, Beneficiary.id == Application.lead_id)
                 .join(Region, Region.id == Application.region_id))
    ranked_rows = query.subquery("ranked")
    return sa.select(ranked_rows).order_by(ranked_rows.c.rank, ranked_rows.c.dossier_id)


def recused_exists() -> sa.Exists:
    """Whether the member `member_id` (None: nobody) is recused from the dossier."""
    return sa.exists().where(
        InterestDeclaration.member_id == param("member_id"),
        InterestDeclaration.application_id == SessionDossier.application_id,
        InterestDeclaration.conflicted.is_(True))


def _recused() -> sa.Label:
    return recused_exists().label("recused")


@cache
def _proposal_select() -> sa.Select:
    """A scored session's ranking with what the proposal needs of each dossier."""
    return _ranking_select(True, param("session_id"),
                           SessionDossier.forced_decision, amount_column().label("amount"),
                           _recused())


@cache
def _people_select() -> sa.Select:
    return (sa.select(SessionDossier.id, ApplicationMember.beneficiary_id)
            .join(ApplicationMember,
                  ApplicationMember.application_id == SessionDossier.application_id)
            .where(SessionDossier.session_id == param("session_id")))


_DECIDED = (SessionDossier.decision, SessionDossier.decision_reason_code,
            amount_column().label("amount"))


@cache
def _decided_select(with_tallies: bool) -> sa.Select:
    """A finalised session's ranking as decided (with the tallies: read with it)."""
    if with_tallies:
        return _ranking_select(False, param("session_id"), *_DECIDED,
                               _recused())
    return (sa.select(SessionDossier.id.label("dossier_id"), SessionDossier.application_id,
                      SessionDossier.rank, *_DECIDED, _recused())
            .join(Application, Application.id == SessionDossier.application_id)
            .where(SessionDossier.session_id == param("session_id"))
            .order_by(SessionDossier.rank, SessionDossier.id))


def ranking_rows_select(session: CommitteeSession) -> sa.Select:
    """The ranking with what the export and the minutes' annex print of each dossier."""
    return ranking_select(
        session, Application.reference, Beneficiary.first_name, Beneficiary.last_name,
        Application.title, Region.name.label("region"), Application.requested_amount,
        SessionDossier.granted_amount, SessionDossier.decision,
        SessionDossier.decision_reason_code, SessionDossier.decision_reason, people=True)


def ranked(session: CommitteeSession, with_tallies: bool = True, *,
           hidden_from: SessionMember | None = None) -> list[Ranked]:
    """Every dossier of the session in rank order with its (proposed or decided) decision. Once
    finalised the decisions are read as stored, and the tallies only `with_tallies`. With
    `hidden_from`, the dossiers that member is recused from are left out (after the ranking
    and the proposal, which count them: the others keep their ranks)."""
    keys = {"session_id": session.id,
            "member_id": hidden_from.id if hidden_from is not None else None}
    if session.status != SessionStatus.SCORING:
        return _decided(keys, with_tallies)
    pass_mark = _pass_mark(session)
    rows = db.session.execute(_proposal_select(), keys).all()
    people: dict[int, set[int]] = {}
    for dossier_id, beneficiary_id in db.session.execute(_people_select(), keys):
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
        elif tally.mean < pass_mark:
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
        if not row.recused:
            result.append(Ranked(row.dossier_id, row.application_id, row.rank, int(row.amount),
                                 tally, decision, reason, flagged))
    return result


def _pass_mark(session: CommitteeSession) -> int:
    """The pass mark of the session's grid (every session's call has one, made with the session;
    the default one's otherwise, as grid_for would make it)."""
    pass_mark = db.session.scalar(sa.select(ScoringGrid.pass_mark)
                                  .where(ScoringGrid.call_id == session.call_id))
    return DEFAULT_PASS_MARK if pass_mark is None else pass_mark


def _decided(keys: dict, with_tallies: bool) -> list[Ranked]:
    rows = db.session.execute(_decided_select(with_tallies), keys)
    if not with_tallies:  # by position: the columns of _decided_select(False)
        return [Ranked(dossier_id, application_id, rank or 0, int(amount), None, decision,
                       reason, False)
                for dossier_id, application_id, rank, decision, reason, amount, recused in rows
                if not recused]
    return [Ranked(row.dossier_id, row.application_id, row.rank or 0, int(row.amount),
                   tally_of(row), row.decision, row.decision_reason_code, False)
            for row in rows if not row.recused]


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


class PageRow(NamedTuple):
    """What the ranking page shows of one dossier: its place (from Ranked) and its words."""

    dossier_id: int
    rank: int
    reference: str
    name: str  # the lead's
    title: str | None
    region: str
    requested: int
    amount: int  # granted if lowered by the committee, else requested
    amount_reason: str | None
    justification: str | None  # the chair's, for a forced decision
    tally: Tally | None
    decision: Decision | None
    decision_label: str
    reason_text: str  # in the reader's language, or as it was written before the codes
    flagged: bool


@cache
def _page_select(read_tallies: bool) -> sa.Select:
    query = (sa.select(SessionDossier.id, Application.id.label("application_id"),
                       Application.reference, Beneficiary.first_name, Beneficiary.last_name,
                       Application.title, Region.name.label("region"),
                       Application.requested_amount, SessionDossier.granted_amount,
                       SessionDossier.amount_reason, SessionDossier.justification,
                       SessionDossier.decision_reason)
             .join(Application, Application.id == SessionDossier.application_id)
             .join(Beneficiary, Beneficiary.id == Application.lead_id)
             .join(Region, Region.id == Application.region_id)
             .where(SessionDossier.id.in_(_ids("dossier_ids"))))
    if read_tallies:
        tally = tally_subquery_of(param("session_id"), _ids("application_ids"))
        query = (query.add_columns(*tally.c[1:])
                 .outerjoin(tally, tally.c.application_id == SessionDossier.application_id))
    return query


def page_rows(session: CommitteeSession, ranks: list[Ranked], *,
              read_tallies: bool) -> list[PageRow]:
    """One page of the ranking (`ranks`, a slice of ranked()) with what the page shows of each
    dossier, in one statement; `read_tallies`: the tallies of these dossiers come with them (a
    finalised session ranked without its tallies), else they are those of `ranks`. Labels are
    translated once per value, not per row."""
    found = {row.id: row for row in db.session.execute(_page_select(read_tallies), {
        "dossier_ids": [r.dossier_id for r in ranks],
        "application_ids": [r.application_id for r in ranks],
        "session_id": session.id})}
    labels: dict[LabelledEnum, str] = {}
    rows = []
    for r in ranks:
        row = found[r.dossier_id]
        rows.append(page_row(r.dossier_id, r.rank, row, tally_of(row) if read_tallies else r.tally,
                             r.decision, r.reason, r.flagged, labels))
    return rows


def page_row(dossier_id: int, rank: int, row, tally: Tally | None, decision: Decision | None,
             reason: DecisionReason | None, flagged: bool, labels: dict) -> PageRow:
    """A PageRow from a row of the page's details; `labels` keeps each label translated once
    per page, not per row."""
    return PageRow(
        dossier_id, rank, row.reference or f"#{row.application_id}",
        f"{row.first_name} {row.last_name}", row.title, row.region, row.requested_amount,
        row.granted_amount or row.requested_amount, row.amount_reason, row.justification,
        tally, decision, _label(decision, labels),
        _label(reason, labels) if reason else (row.decision_reason or ""), flagged)


def _label(value: LabelledEnum | None, labels: dict) -> str:
    if value is None:
        return ""
    if value not in labels:
        labels[value] = str(value.label)
    return labels[value]

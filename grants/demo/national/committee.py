"""National committees: one session per past call on its 3 000 eligible dossiers, with the demo's
five members (four voting, one observer), their declarations and blind score sheets. The three
oldest sessions are deliberated with the committee's own rule (services/selection.propose() on
the inserted scores); the latest one is still scoring."""

from datetime import date, timedelta

from grants.demo.committee import MEMBERS, points_for_total
from grants.demo.national.bulk import at
from grants.extensions import db
from grants.models import (
    Application,
    Call,
    CommitteeSession,
    Decision,
    InterestDeclaration,
    Score,
    ScoreSheet,
    Seat,
    SessionDossier,
    SessionMember,
    SessionStatus,
    SheetStatus,
)
from grants.services.committees import grids, selection
from grants.services.committees.scoring import sheet_figures
from grants.workflow import ApplicationAction, ApplicationStatus

DELIBERATED = 3  # sessions of the three oldest calls are finalised; the fourth is scoring
STATUS_OF = {Decision.SELECTED: ApplicationStatus.SELECTED,
             Decision.WAITLISTED: ApplicationStatus.WAITLISTED,
             Decision.REJECTED: ApplicationStatus.REJECTED}
ACTION_OF = {Decision.SELECTED: ApplicationAction.SELECT,
             Decision.WAITLISTED: ApplicationAction.WAITLIST,
             Decision.REJECTED: ApplicationAction.REJECT}


def seed(ctx) -> None:
    for index in range(4):
        dossiers = [d for d in ctx.dossiers
                    if d.call == index and d.state == ApplicationStatus.ELIGIBLE]
        session_id = _session(ctx, index, dossiers)
        if index < DELIBERATED:
            _deliberate(ctx, session_id, index, dossiers)
        else:
            ctx.loader.update(Application.__table__, [
                dict(id=d.id, status=ApplicationStatus.UNDER_REVIEW) for d in dossiers])


def _session(ctx, index: int, dossiers) -> int:
    loader, call = ctx.loader, ctx.calls[index]
    year = call.opens_on.year
    scoring = index >= DELIBERATED
    meeting = ctx.today + timedelta(days=14) if scoring else date(year, 6, 12)
    due = meeting - timedelta(days=7)
    created = at(date(year, 5, 15))
    grid = grids.grid_for(db.session.get(Call, call.id))
    grid.locked_at = at(date(year, 5, 20))
    db.session.flush()
    session_id = loader.new_id(CommitteeSession.__table__)
    reference = loader.reference("CS", year)
    chair, manager = ctx.users["president"], ctx.users["gestionnaire"]
    loader.insert(CommitteeSession.__table__, [dict(
        id=session_id, reference=reference, call_id=call.id,
        title=f"Comité national de sélection des microprojets {year}",
        place="Bamako, salle du CNRM", meeting_on=meeting, scoring_due_on=due, quorum=3,
        spread_threshold=25, status=SessionStatus.SCORING, chair_id=chair,
        secretary_id=manager, created_at=created, finalised_at=None)])
    loader.audit("committee.session_created", manager, "committee_session", session_id, created,
                 {"members": len(MEMBERS), "dossiers": len(dossiers), "quorum": 3})
    members = []
    for name, seat, organisation in MEMBERS:
        members.append(dict(id=loader.new_id(SessionMember.__table__), session_id=session_id,
                            user_id=ctx.users[name], seat=seat, organisation=organisation,
                            declared_at=created, declaration="Aucun intérêt particulier.",
                            present=None if scoring else True))
        loader.audit("committee.session_declared", ctx.users[name], "committee_session",
                     session_id, created)
    loader.insert(SessionMember.__table__, members)
    loader.insert(SessionDossier.__table__, [dict(
        id=loader.new_id(SessionDossier.__table__), session_id=session_id, application_id=d.id)
        for d in dossiers])
    for d in dossiers:
        ctx.event(d.id, ApplicationAction.START_REVIEW, ApplicationStatus.ELIGIBLE,
                  ApplicationStatus.UNDER_REVIEW, manager, created, reference)
        d.state = ApplicationStatus.UNDER_REVIEW
    _scores(ctx, grid, session_id, members, dossiers, scoring, due)
    return session_id


def _scores(ctx, grid, session_id: int, members, dossiers, scoring: bool, due: date) -> None:
    """Declarations before each dossier, then the voting members' sheets (a few recused)."""
    rng, loader = ctx.rng, ctx.loader
    declarations, sheets, scores = [], [], []
    scored_on = at(min(due - timedelta(days=3), ctx.today), 15)
    for d in dossiers:
        quality = 95 if d.id == ctx.showcase else max(20, min(95, round(rng.gauss(55, 12))))
        for member in members:
            conflicted = member["seat"] == Seat.VOTING and rng.random() < 0.003
            declarations.append(dict(
                id=loader.new_id(InterestDeclaration.__table__), member_id=member["id"],
                application_id=d.id, conflicted=conflicted,
                details="Parent du porteur" if conflicted else None, declared_at=scored_on))
            if conflicted or member["seat"] != Seat.VOTING:
                continue
            draw = rng.random()
            if scoring and draw < 0.01:
                continue  # not opened yet
            submitted = not (scoring and draw < 0.03)
            sheet_id = loader.new_id(ScoreSheet.__table__)
            points = points_for_total(grid, max(0, min(100, quality + rng.randint(-3, 3))))
            total, social, failed = sheet_figures(grid.criteria, points)
            sheets.append(dict(id=sheet_id, member_id=member["id"], application_id=d.id,
                               status=SheetStatus.SUBMITTED if submitted else SheetStatus.DRAFT,
                               submitted_at=scored_on if submitted else None,
                               general_comment=None, total=total, social_points=social,
                               eliminatory_failed=failed))
            for criterion in grid.criteria:
                value = points[criterion.id]
                scores.append(dict(id=loader.new_id(Score.__table__), sheet_id=sheet_id,
                                   criterion_id=criterion.id, points=value,
                                   comment="Appréciation du membre"
                                   if value in (0, criterion.max_points) else None))
            if submitted:
                loader.audit("committee.sheet_submitted", member["user_id"], "application", d.id,
                             scored_on, {"session": session_id})
    loader.insert(InterestDeclaration.__table__, declarations)
    loader.insert(ScoreSheet.__table__, sheets)
    loader.insert(Score.__table__, scores)


def _deliberate(ctx, session_id: int, index: int, dossiers) -> None:
    """The chair records attendance and finalises: the ranking and decisions are those of
    services/selection.propose() on the scores just inserted."""
    loader, chair = ctx.loader, ctx.users["president"]
    session = db.session.get(CommitteeSession, session_id)
    reference, meeting = session.reference, at(session.meeting_on, 16)
    rows = selection.propose(session)
    by_id = {d.id: d for d in dossiers}
    updates, statuses = [], []
    for row in rows:
        updates.append(dict(id=row.dossier.id, rank=row.rank, decision=row.decision,
                            decision_reason_code=row.reason, decision_reason=None))
        target = STATUS_OF[row.decision]
        statuses.append(dict(id=row.dossier.application_id, status=target))
        ctx.event(row.dossier.application_id, ACTION_OF[row.decision],
                  ApplicationStatus.UNDER_REVIEW, target, chair, meeting,
                  f"{reference} #{row.rank}")
        dossier = by_id[row.dossier.application_id]
        dossier.state = target
        if row.decision == Decision.SELECTED:
            ctx.selected.append((index, dossier, row.dossier.amount, row.rank))
    db.session.expunge_all()  # the ORM copies are stale from here on: rows are updated below
    loader.update(SessionDossier.__table__, updates)
    loader.update(Application.__table__, statuses)
    loader.update(CommitteeSession.__table__, [dict(id=session_id, status=SessionStatus.FINALISED,
                                                    finalised_at=meeting)])
    present = sorted(ctx.users[name] for name, _seat, _organisation in MEMBERS)
    loader.audit("committee.attendance", chair, "committee_session", session_id, meeting,
                 {"present": present})
    loader.audit("committee.finalised", chair, "committee_session", session_id, meeting, {
        "selected": sum(r.decision == Decision.SELECTED for r in rows),
        "waitlisted": sum(r.decision == Decision.WAITLISTED for r in rows)})

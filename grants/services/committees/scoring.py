"""Blind, independent scoring: each member fills their own sheet; nobody sees another's scores
before submitting their own. Aggregates are computed by the database."""

from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from grants.database import utcnow
from grants.extensions import db
from grants.models import (
    Application,
    CommitteeSession,
    InterestDeclaration,
    Score,
    ScoreSheet,
    Seat,
    SessionDossier,
    SessionMember,
    SessionStatus,
    SheetStatus,
    User,
)
from grants.services import audit
from grants.services.committees.grids import grid_for
from grants.services.committees.sessions import declaration_for, in_session, membership
from grants.services.errors import ConflictError, ForbiddenError, ValidationError


def check_can_open(user: User, session: CommitteeSession, application: Application) -> SessionMember:
    """A member opens a dossier only after both declarations, and never when recused."""
    member = membership(user, session)
    if not in_session(session, application.id):
        raise ForbiddenError(_l("This dossier is not examined by this session."))
    if member.declared_at is None:
        raise ConflictError(_l("Make your declaration for the session first."))
    declaration = declaration_for(member, application.id)
    if declaration is None:
        raise ConflictError(_l("Declare your interests for this dossier first."))
    if declaration.conflicted:
        raise ForbiddenError(_l("You are recused from this dossier."))
    return member


def sheet_of(member: SessionMember, application_id: int) -> ScoreSheet | None:
    return db.session.scalar(db.select(ScoreSheet).where(
        ScoreSheet.member_id == member.id, ScoreSheet.application_id == application_id))


def save_sheet(user: User, session: CommitteeSession, application: Application,
               points: dict[int, int | None], comments: dict[int, str | None],
               general_comment: str | None = None, submit: bool = False) -> ScoreSheet:
    """Save a member's scores as a draft, or submit them (which locks the sheet).

    Each criterion takes a whole number from 0 to its maximum; a comment is required for 0 (an
    eliminatory failure on an eliminatory criterion) and for the maximum."""
    member = check_can_open(user, session, application)
    if member.seat != Seat.VOTING:
        raise ForbiddenError(_l("Observers do not score."))
    if session.status != SessionStatus.SCORING:
        raise ConflictError(_l("This session is finalised: scores are locked."))
    grid = grid_for(session.call)
    sheet = sheet_of(member, application.id)
    if sheet is not None and sheet.status == SheetStatus.SUBMITTED:
        raise ConflictError(_l("This sheet is submitted; only the chair can reopen it."))
    criteria = {c.id: c for c in grid.criteria}
    if set(points) - set(criteria):
        raise ValidationError(_l("Unknown criterion."), "points")
    for criterion_id, value in points.items():
        criterion = criteria[criterion_id]
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) \
                or not 0 <= value <= criterion.max_points:
            raise ValidationError(_l("%(code)s: enter a whole number from 0 to %(max)d.",
                                     code=criterion.code, max=criterion.max_points),
                                  f"points-{criterion_id}")
        if value in (0, criterion.max_points) and not (comments.get(criterion_id) or "").strip():
            raise ValidationError(_l("%(code)s: explain a score of 0 or of the maximum.",
                                     code=criterion.code), f"comment-{criterion_id}")
    if submit:
        missing = [c.code for c in grid.criteria if points.get(c.id) is None]
        if missing:
            raise ValidationError(_l("Score every criterion before submitting (missing: "
                                     "%(codes)s).", codes=", ".join(missing)), "points")
    if sheet is None:
        sheet = ScoreSheet(member_id=member.id, application_id=application.id)
        db.session.add(sheet)
    sheet.general_comment = (general_comment or "").strip() or None
    existing = {score.criterion_id: score for score in sheet.scores}
    for cid, value in sorted(points.items()):
        comment = (comments.get(cid) or "").strip() or None
        if value is None:
            if cid in existing:
                sheet.scores.remove(existing[cid])
        elif cid in existing:  # update in place: one row per criterion and sheet
            existing[cid].points, existing[cid].comment = value, comment
        else:
            sheet.scores.append(Score(criterion_id=cid, points=value, comment=comment))
    sheet.total, sheet.social_points, sheet.eliminatory_failed = sheet_figures(
        grid.criteria, {score.criterion_id: score.points for score in sheet.scores})
    if grid.locked_at is None:
        grid.locked_at = utcnow()  # the first score locks the grid
    if submit:
        sheet.status, sheet.submitted_at = SheetStatus.SUBMITTED, utcnow()
    db.session.flush()
    audit.record("committee.sheet_submitted" if submit else "committee.sheet_saved", user,
                 application, details={"session": session.id})
    return sheet


def sheet_figures(criteria, points: dict[int, int]) -> tuple[int, int, bool]:
    """A sheet's total, its points on the social-priority criterion, and whether it fails an
    eliminatory criterion (0 points there), from its points by criterion id."""
    by_id = {c.id: c for c in criteria}
    social = sum(value for cid, value in points.items()
                 if cid in by_id and by_id[cid].social_priority)
    failed = any(value == 0 for cid, value in points.items()
                 if cid in by_id and by_id[cid].eliminatory)
    return sum(points.values()), social, failed


def reopen_sheet(user: User, session: CommitteeSession, sheet: ScoreSheet, reason: str) -> None:
    if user.id != session.chair_id:
        raise ForbiddenError(_l("Only the chair can reopen a sheet."))
    if session.status != SessionStatus.SCORING:
        raise ConflictError(_l("This session is finalised: scores are locked."))
    if sheet.status != SheetStatus.SUBMITTED:
        raise ConflictError(_l("This sheet is not submitted."))
    if not reason.strip():
        raise ValidationError(_l("Say why the sheet is reopened."), "reason")
    sheet.status, sheet.submitted_at = SheetStatus.DRAFT, None
    db.session.flush()
    audit.record("committee.sheet_reopened", user, sheet,
                 details={"session": session.id, "member": sheet.member_id,
                          "reason": reason.strip()[:200]})


def may_see_scores(user: User, session: CommitteeSession, application_id: int) -> bool:
    """Blindness: a voting member sees others' scores on a dossier only after submitting their
    own sheet on it; people outside the session see them once the session is finalised."""
    member = session.member(user.id)
    if member is None or member.seat == Seat.OBSERVER:
        return session.status == SessionStatus.FINALISED
    sheet = sheet_of(member, application_id)
    return sheet is not None and sheet.status == SheetStatus.SUBMITTED


# --- aggregation --------------------------------------------------------------------------

class Tally(NamedTuple):
    application_id: int
    scorers: int
    mean: float
    lowest: int
    highest: int
    social_mean: float
    eliminatory_failures: int

    @property
    def spread(self) -> int:
        return self.highest - self.lowest

    @property
    def unfundable(self) -> bool:
        """An eliminatory failure by a majority of the scorers."""
        return self.eliminatory_failures * 2 > self.scorers


def tally_subquery(session: CommitteeSession, application_ids=None) -> sa.Subquery:
    """The tallies of `session` (see tally_subquery_of)."""
    return tally_subquery_of(session.id, application_ids)


def tally_subquery_of(session_id, application_ids=None) -> sa.Subquery:
    """Per dossier, over the submitted sheets of voting members (recused members have none): the
    number of scorers, mean, lowest and highest totals, mean social-priority score, and how many
    scorers failed an eliminatory criterion. One GROUP BY over the sheets' stored figures (not
    their scores); `application_ids` (a list, a select or an expanding bound parameter) narrows
    it to some dossiers. The session's id may be a bound parameter (a statement built once)."""
    query = (
        sa.select(ScoreSheet.application_id, sa.func.count().label("scorers"),
                  sa.func.avg(ScoreSheet.total).label("mean"),
                  sa.func.min(ScoreSheet.total).label("lowest"),
                  sa.func.max(ScoreSheet.total).label("highest"),
                  sa.func.avg(ScoreSheet.social_points).label("social_mean"),
                  sa.func.sum(sa.case((ScoreSheet.eliminatory_failed.is_(True), 1), else_=0))
                  .label("failures"))
        .join(SessionMember, SessionMember.id == ScoreSheet.member_id)
        .where(SessionMember.session_id == session_id, SessionMember.seat == Seat.VOTING,
               ScoreSheet.status == SheetStatus.SUBMITTED)
        .group_by(ScoreSheet.application_id))
    if application_ids is not None:
        query = query.where(ScoreSheet.application_id.in_(application_ids))
    return query.subquery("tally")


def tally_of(row) -> Tally | None:
    """A Tally from a row holding the columns of tally_subquery (None: nobody scored)."""
    if not row.scorers:
        return None
    return Tally(row.application_id, row.scorers, float(row.mean), int(row.lowest),
                 int(row.highest), float(row.social_mean), int(row.failures))


def tallies(session: CommitteeSession, application_ids=None) -> dict[int, Tally]:
    """The tallies of the session's scored dossiers (or of `application_ids` only), by dossier."""
    tally = tally_subquery(session, application_ids)
    found = (tally_of(row) for row in db.session.execute(sa.select(tally)))
    return {t.application_id: t for t in found if t is not None}


def progress(session: CommitteeSession, application_ids: list[int]) -> dict[tuple[int, int], str]:
    """For the chair, on a page of dossiers: (member id, application id) -> "submitted", "draft"
    or "recused"; no scores, only who has scored what."""
    states: dict[tuple[int, int], str] = {}
    member_ids = [m.id for m in session.members]
    for member_id, application_id, status in db.session.execute(
            sa.select(ScoreSheet.member_id, ScoreSheet.application_id, ScoreSheet.status)
            .where(ScoreSheet.member_id.in_(member_ids),
                   ScoreSheet.application_id.in_(application_ids))):
        states[member_id, application_id] = status.value
    for member_id, application_id in db.session.execute(
            sa.select(InterestDeclaration.member_id, InterestDeclaration.application_id)
            .where(InterestDeclaration.member_id.in_(member_ids),
                   InterestDeclaration.application_id.in_(application_ids),
                   InterestDeclaration.conflicted.is_(True))):
        states[member_id, application_id] = "recused"
    return states


def progress_counts(session: CommitteeSession) -> dict[int, dict[str, int]]:
    """For the chair: per member id, how many sheets are submitted or draft and how many
    dossiers the member is recused from (counted by the database)."""
    counts: dict[int, dict[str, int]] = {m.id: {} for m in session.members}
    member_ids = list(counts)
    for member_id, status, count in db.session.execute(
            sa.select(ScoreSheet.member_id, ScoreSheet.status, sa.func.count())
            .where(ScoreSheet.member_id.in_(member_ids))
            .group_by(ScoreSheet.member_id, ScoreSheet.status)):
        counts[member_id][status.value] = count
    for member_id, count in db.session.execute(
            sa.select(InterestDeclaration.member_id, sa.func.count())
            .where(InterestDeclaration.member_id.in_(member_ids),
                   InterestDeclaration.conflicted.is_(True))
            .group_by(InterestDeclaration.member_id)):
        counts[member_id]["recused"] = count
    return counts


def may_see_ranking(user: User, session: CommitteeSession) -> bool:
    """The ranking shows everyone's scores: once the session is finalised, or for the chair
    once their own sheets are all submitted (or recused) so nothing blind is left to them."""
    if session.status == SessionStatus.FINALISED:
        return True
    if user.id != session.chair_id:
        return False
    member = session.member(user.id)
    assert member is not None  # the chair always sits in the session (create_session)
    submitted = sa.select(ScoreSheet.id).where(
        ScoreSheet.member_id == member.id, ScoreSheet.status == SheetStatus.SUBMITTED,
        ScoreSheet.application_id == SessionDossier.application_id)
    recused = sa.select(InterestDeclaration.id).where(
        InterestDeclaration.member_id == member.id, InterestDeclaration.conflicted.is_(True),
        InterestDeclaration.application_id == SessionDossier.application_id)
    left = db.session.scalar(sa.select(SessionDossier.id).where(
        SessionDossier.session_id == session.id, ~submitted.exists(), ~recused.exists())
        .limit(1))
    return left is None


def recused_ids(user: User, session: CommitteeSession) -> set[int]:
    """The dossiers `user` is recused from in this session: hidden from them everywhere."""
    member = session.member(user.id)
    if member is None:
        return set()
    return set(db.session.scalars(db.select(InterestDeclaration.application_id).where(
        InterestDeclaration.member_id == member.id, InterestDeclaration.conflicted.is_(True))))

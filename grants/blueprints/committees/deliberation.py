"""The deliberation: the ranking and proposed selection, the chair's decisions, attendance,
finalisation, the minutes and the waiting list."""

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import orm

from grants import jobs
from grants.blueprints.committees import bp
from grants.blueprints.committees.forms import AmountForm, AttendanceForm, OverrideForm
from grants.extensions import db
from grants.forms import ConfirmForm, attempt, choices, posted
from grants.models import (
    Call,
    CommitteeSession,
    Decision,
    SessionDossier,
    SessionMember,
    SessionStatus,
    User,
)
from grants.paging import list_page, page_arg
from grants.permissions import Permission, get_or_404, require
from grants.services.committees import scoring, selection
from grants.services.committees.decided_page import RankingFigures, decided_page
from grants.services.committees.ranking import (
    available_to_session,
    cut_index,
    page_of,
    page_rows,
    ranked,
)


def _ranking_or_404(session_id: int, permission: Permission) -> CommitteeSession:
    meeting = get_or_404(CommitteeSession, session_id, permission)
    if not scoring.may_see_ranking(current_user, meeting):
        abort(404)
    return meeting


# The ranking page reads the session, its call's envelope and its members' seats in one
# statement: not the call's other columns and regions, the chair's account nor the members'
# (with their roles and regions).
_RANKING_LOAD = (orm.joinedload(CommitteeSession.call).options(
                     orm.load_only(Call.id, Call.envelope_id), orm.lazyload(Call.regions)),
                 orm.lazyload(CommitteeSession.chair),
                 orm.joinedload(CommitteeSession.members).lazyload(SessionMember.user))


@bp.route("/<int:session_id>/classement")
@require(Permission.COMMITTEE_VIEW)
def ranking(session_id: int):
    meeting = get_or_404(CommitteeSession, session_id, Permission.COMMITTEE_VIEW, _RANKING_LOAD)
    if not scoring.may_see_ranking(current_user, meeting):
        flash(_("The ranking shows everyone's scores: it opens once your own sheets are "
                "submitted and the session is deliberated."), "warning")
        return redirect(url_for("committees.session", session_id=meeting.id))
    scoring_open = meeting.status == SessionStatus.SCORING
    hidden_from = meeting.member(current_user.id)  # recused: not shown
    per_page = current_app.config["PAGE_SIZE"]
    if scoring_open:  # the proposal walks the whole ranking (light rows) against the envelope
        rows, figures, page = _proposal_page(meeting, hidden_from, per_page)
    else:  # decided: the page and the ranking's figures in one statement
        rows, figures, page = decided_page(meeting, hidden_from, page_arg(), per_page)
    cut = figures.cut
    # The chair's forms are shown while the session is scored only.
    deliberating = current_user.id == meeting.chair_id and scoring_open
    attendance = _attendance_form(meeting) if deliberating else None
    return render_template(
        "committees/ranking.html", meeting=meeting, rows=rows, granted=figures.granted,
        page=page, offset=(page.page - 1) * per_page, cut=cut, cut_rank=figures.cut_rank,
        cut_page=None if cut is None else page_of(min(cut, figures.total - 1), per_page),
        available=available_to_session(meeting), deliberating=deliberating,
        scorers=_("%(n)d scorers"),  # translated once, filled on each row
        attendance=attendance, present_voting=selection.present_voting(meeting),
        confirm=ConfirmForm(),
        amount_form=AmountForm(formdata=None) if deliberating else None,
        override_form=OverrideForm(formdata=None) if deliberating else None)


def _proposal_page(meeting: CommitteeSession, hidden_from, per_page: int):
    """A scored session's page: every dossier ranked by the database with its proposed decision
    (ranked()), then the page's dossiers."""
    ranks = ranked(meeting, with_tallies=True, hidden_from=hidden_from)
    page = list_page(ranks, per_page)
    rows = page_rows(meeting, page.items, read_tallies=False)
    cut = cut_index(ranks)
    figures = RankingFigures(
        len(ranks), sum(r.amount for r in ranks if r.decision == Decision.SELECTED), cut,
        None if cut is None else (ranks[cut].rank if cut < len(ranks) else ranks[-1].rank + 1))
    return rows, figures, page


def _attendance_form(meeting: CommitteeSession) -> AttendanceForm:
    """The members with their names and seats (one statement), those present ticked."""
    members = db.session.execute(
        sa.select(SessionMember.user_id, User.full_name, SessionMember.seat,
                  SessionMember.present)
        .join(User, User.id == SessionMember.user_id)
        .where(SessionMember.session_id == meeting.id).order_by(SessionMember.id)).all()
    form = AttendanceForm(formdata=None, present=[m.user_id for m in members if m.present])
    form.present.choices = choices((m.user_id, f"{m.full_name} ({m.seat.label})")
                                   for m in members)
    return form


def _dossier(meeting: CommitteeSession, dossier_id: int) -> SessionDossier:
    dossier = db.session.get(SessionDossier, dossier_id)
    if dossier is None or dossier.session_id != meeting.id:
        abort(404)
    return dossier


@bp.route("/<int:session_id>/dossiers-examines/<int:dossier_id>/montant", methods=["POST"])
@require(Permission.SELECTION_DECIDE)
def set_amount(session_id: int, dossier_id: int):
    meeting = _ranking_or_404(session_id, Permission.SELECTION_DECIDE)
    dossier = _dossier(meeting, dossier_id)
    form = AmountForm()
    if posted(form):
        attempt(lambda: selection.set_granted_amount(current_user, dossier, form.amount.data,
                                                     form.reason.data))
    return redirect(url_for("committees.ranking", session_id=meeting.id))


@bp.route("/<int:session_id>/dossiers-examines/<int:dossier_id>/decision", methods=["POST"])
@require(Permission.SELECTION_DECIDE)
def override(session_id: int, dossier_id: int):
    meeting = _ranking_or_404(session_id, Permission.SELECTION_DECIDE)
    dossier = _dossier(meeting, dossier_id)
    form = OverrideForm()
    if posted(form):
        decision = Decision(form.decision.data) if form.decision.data else None
        attempt(lambda: selection.force_decision(current_user, dossier, decision,
                                                 form.justification.data))
    return redirect(url_for("committees.ranking", session_id=meeting.id))


@bp.route("/<int:session_id>/presence", methods=["POST"])
@require(Permission.SELECTION_DECIDE)
def attendance(session_id: int):
    meeting = _ranking_or_404(session_id, Permission.SELECTION_DECIDE)
    form = AttendanceForm()
    form.present.choices = choices((m.user_id, m.user_id) for m in meeting.members)
    if posted(form) and attempt(lambda: selection.record_attendance(
            current_user, meeting, set(form.present.data))):
        flash(_("Attendance recorded."), "success")
    return redirect(url_for("committees.ranking", session_id=meeting.id))


@bp.route("/<int:session_id>/finaliser", methods=["POST"])
@require(Permission.SELECTION_DECIDE)
def finalise(session_id: int):
    meeting = _ranking_or_404(session_id, Permission.SELECTION_DECIDE)
    if ConfirmForm().validate_on_submit() and attempt(
            lambda: selection.finalise(current_user, meeting)):
        # The minutes (a PDF) are written in the background: their page shows the progress.
        job = jobs.start("minutes", {"session_id": meeting.id})
        flash(_("The session is finalised; its minutes are being written."), "success")
        return redirect(url_for("jobs.show", job_id=job.id))
    return redirect(url_for("committees.ranking", session_id=meeting.id))


@bp.route("/<int:session_id>/pv", methods=["POST"])
@require(Permission.SELECTION_DECIDE)
def regenerate_minutes(session_id: int):
    meeting = _ranking_or_404(session_id, Permission.SELECTION_DECIDE)
    if ConfirmForm().validate_on_submit():
        if not meeting.status.is_finalised:
            flash(_("The minutes are written once the session is finalised."), "danger")
            return redirect(url_for("committees.session", session_id=meeting.id))
        job = jobs.start("minutes", {"session_id": meeting.id})
        flash(_("A new version of the minutes is being written; earlier versions are kept."),
              "success")
        return redirect(url_for("jobs.show", job_id=job.id))
    return redirect(url_for("committees.session", session_id=meeting.id))


@bp.route("/<int:session_id>/liste-attente", methods=["POST"])
@require(Permission.SELECTION_DECIDE)
def promote(session_id: int):
    meeting = get_or_404(CommitteeSession, session_id, Permission.SELECTION_DECIDE)
    done = ConfirmForm().validate_on_submit() and attempt(
        lambda: selection.promote_next(current_user, meeting))
    if done:
        flash(_("%(ref)s is selected from the waiting list.",
                ref=done.value.application.display_reference), "success")
    return redirect(url_for("committees.ranking", session_id=meeting.id))

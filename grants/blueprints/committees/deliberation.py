"""The deliberation: the ranking and proposed selection, the chair's decisions, attendance,
finalisation, the minutes and the waiting list."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grants import jobs
from grants.blueprints.committees import bp
from grants.blueprints.committees.forms import AmountForm, AttendanceForm, OverrideForm
from grants.blueprints.committees.paging import list_page
from grants.extensions import db
from grants.forms import ConfirmForm, attempt, choices, posted
from grants.models import CommitteeSession, Decision, SessionDossier, SessionStatus
from grants.permissions import Permission, get_or_404, require
from grants.services.committees import scoring, selection
from grants.services.committees.ranking import (
    available_to_session,
    cut_index,
    page_of,
    ranked,
)


def _ranking_or_404(session_id: int, permission: Permission) -> CommitteeSession:
    meeting = get_or_404(CommitteeSession, session_id, permission)
    if not scoring.may_see_ranking(current_user, meeting):
        abort(404)
    return meeting


@bp.route("/<int:session_id>/classement")
@require(Permission.COMMITTEE_VIEW)
def ranking(session_id: int):
    meeting = get_or_404(CommitteeSession, session_id, Permission.COMMITTEE_VIEW)
    if not scoring.may_see_ranking(current_user, meeting):
        flash(_("The ranking shows everyone's scores: it opens once your own sheets are "
                "submitted and the session is deliberated."), "warning")
        return redirect(url_for("committees.session", session_id=meeting.id))
    # Light rows for the whole ranking (ranked by the database); ORM rows for one page only.
    scoring_open = meeting.status == SessionStatus.SCORING
    hidden = scoring.recused_ids(current_user, meeting)
    ranks = [r for r in ranked(meeting, with_tallies=scoring_open)
             if r.application_id not in hidden]
    granted = sum(r.amount for r in ranks if r.decision == Decision.SELECTED)
    per_page = current_app.config["PAGE_SIZE"]
    page = list_page(ranks, per_page)
    dossiers = {d.id: d for d in db.session.scalars(db.select(SessionDossier).where(
        SessionDossier.id.in_([r.dossier_id for r in page.items])))}
    scores = {} if scoring_open else scoring.tallies(
        meeting, [r.application_id for r in page.items])
    rows = [selection.Row(dossiers[r.dossier_id], r.tally or scores.get(r.application_id),
                          r.rank, r.decision, r.reason, r.flagged) for r in page.items]
    cut = cut_index(ranks)
    attendance = AttendanceForm(formdata=None,
                                present=[m.user_id for m in meeting.members if m.present])
    attendance.present.choices = choices((m.user_id, f"{m.user.full_name} ({m.seat.label})")
                                         for m in meeting.members)
    return render_template(
        "committees/ranking.html", meeting=meeting, rows=rows, granted=granted, page=page,
        offset=(page.page - 1) * per_page, cut=cut,
        cut_rank=None if cut is None else (ranks[cut].rank if cut < len(ranks)
                                           else ranks[-1].rank + 1),
        cut_page=None if cut is None else page_of(min(cut, len(ranks) - 1), per_page),
        available=available_to_session(meeting),
        is_chair=current_user.id == meeting.chair_id, attendance=attendance,
        present_voting=selection.present_voting(meeting), confirm=ConfirmForm(),
        amount_form=AmountForm(formdata=None), override_form=OverrideForm(formdata=None))


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

"""A member's work on one dossier: declare interests first, then read and score it, blind."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grants.blueprints.committees import bp
from grants.blueprints.committees.forms import DossierDeclarationForm, ReasonForm, SheetForm
from grants.extensions import db
from grants.forms import attempt
from grants.models import Application, CommitteeSession, ScoreSheet, Seat, SessionStatus
from grants.permissions import Decision, Permission, deny, get_or_404, require
from grants.services.committees import grids, scoring, sessions
from grants.services.intake import past_grants


def _load(session_id: int, application_id: int):
    meeting = get_or_404(CommitteeSession, session_id, Permission.COMMITTEE_SCORE)
    member = meeting.member(current_user.id)
    if member is None or not sessions.in_session(meeting, application_id):
        abort(404)
    application = db.session.get(Application, application_id)
    if sessions.is_recused(member, application_id):
        # A recused member cannot reach the dossier by any route: as if it did not exist.

        deny(Permission.COMMITTEE_SCORE, Decision(False, "recused"), application)
        abort(404)
    return meeting, member, application

def _sheet_form(meeting, sheet, grid) -> SheetForm:
    form = SheetForm()
    form.criterion_ids = [criterion.id for criterion in grid.criteria]
    if request.method == "GET":
        existing = {s.criterion_id: s for s in (sheet.scores if sheet else [])}
        for criterion in grid.criteria:
            score = existing.get(criterion.id)
            form.lines.append_entry({"points": score.points if score else None,
                                     "comment": score.comment if score else ""})
        form.general_comment.data = sheet.general_comment if sheet else ""
    return form

@bp.route("/<int:session_id>/dossiers/<int:application_id>", methods=["GET", "POST"])
@require(Permission.COMMITTEE_SCORE)
def dossier(session_id: int, application_id: int):
    meeting, member, application = _load(session_id, application_id)
    if member.declared_at is None:
        flash(_("Make your declaration for the session first."), "warning")
        return redirect(url_for("committees.session", session_id=meeting.id))
    if sessions.declaration_for(member, application.id) is None:
        return render_template("committees/declare_dossier.html", meeting=meeting,
                               application=application, form=DossierDeclarationForm())
    grid = grids.grid_for(meeting.call)
    sheet = scoring.sheet_of(member, application.id)
    form = _sheet_form(meeting, sheet, grid)
    if form.validate_on_submit():
        lines = list(zip(grid.criteria, form.lines, strict=False))  # a forged short form: None
        points = {c.id: entry.form.points.data for c, entry in lines}
        comments = {c.id: entry.form.comment.data for c, entry in lines}
        submit = request.form.get("action") == "submit"
        if attempt(lambda: scoring.save_sheet(current_user, meeting, application, points, comments,
                                              form.general_comment.data, submit=submit), form):
            flash(_("Your sheet is submitted.") if submit else _("Draft saved."), "success")
            return redirect(url_for("committees.session", session_id=meeting.id) if submit else
                            url_for("committees.dossier", session_id=meeting.id,
                                    application_id=application.id))
    editable = member.seat == Seat.VOTING and meeting.status == SessionStatus.SCORING and (
        sheet is None or sheet.status.is_draft)
    seen = scoring.may_see_scores(current_user, meeting, application.id)
    past = past_grants.past_dossiers_of(*(m.beneficiary_id for m in application.members))
    return render_template(
        "committees/dossier.html", meeting=meeting, application=application, grid=grid,
        past_dossiers=past, active_past={d.id for d in past if past_grants.counts_as_active(d)},
        form=form, rows=list(zip(grid.criteria, form.lines, strict=False)), sheet=sheet, editable=editable,
        tally=scoring.tallies(meeting, [application.id]).get(application.id) if seen else None)

@bp.route("/<int:session_id>/dossiers/<int:application_id>/declaration", methods=["POST"])
@require(Permission.COMMITTEE_SCORE)
def declare_dossier(session_id: int, application_id: int):
    meeting, _member, application = _load(session_id, application_id)
    form = DossierDeclarationForm()
    if form.validate_on_submit():
        conflicted = form.conflicted.data == "yes"
        if attempt(lambda: sessions.declare_for_dossier(current_user, meeting, application,
                                                          conflicted, form.details.data)):
            if conflicted:
                flash(_("You are recused from this dossier."), "info")
                return redirect(url_for("committees.session", session_id=meeting.id))
            return redirect(url_for("committees.dossier", session_id=meeting.id,
                                    application_id=application.id))
    elif set(form.errors) <= {"conflicted", "details"}:
        # Unanswered: the question again, its message beside it (a stale CSRF token: above).
        return render_template("committees/declare_dossier.html", meeting=meeting,
                               application=application, form=form)
    else:
        flash(_("Answer the question."), "danger")
    return redirect(url_for("committees.dossier", session_id=meeting.id,
                            application_id=application.id))

@bp.route("/<int:session_id>/fiches/<int:sheet_id>/rouvrir", methods=["POST"])
@require(Permission.SELECTION_DECIDE)
def reopen(session_id: int, sheet_id: int):
    meeting = get_or_404(CommitteeSession, session_id, Permission.SELECTION_DECIDE)
    sheet = db.session.get(ScoreSheet, sheet_id)
    if sheet is None or sheet.member.session_id != meeting.id:
        abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Give the reason."), "danger")
    elif attempt(lambda: scoring.reopen_sheet(current_user, meeting, sheet, form.reason.data)):
        flash(_("The sheet is reopened."), "success")
    return redirect(url_for("committees.session", session_id=meeting.id))


"""Committee sessions: the list, creation, the session page, the member's declaration, the
minutes and the ranking export."""

import io

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from grants.blueprints.committees import bp
from grants.blueprints.committees.forms import SessionDeclarationForm, SessionForm
from grants.extensions import db
from grants.forms import attempt, choices
from grants.models import (
    Call,
    CommitteeSession,
    Minutes,
    Role,
    Seat,
    User,
    UserRole,
)
from grants.paging import SlicePage
from grants.permissions import Permission, can, get_or_404, require
from grants.services.committees import minutes, scoring, sessions, worklist
from grants.vocabulary import CallStatus


@bp.route("/")
@require(Permission.COMMITTEE_VIEW)
def index():
    query = db.select(CommitteeSession).order_by(CommitteeSession.created_at.desc(),
                                                 CommitteeSession.id.desc())
    sessions = [s for s in db.session.scalars(query) if can(current_user, Permission.COMMITTEE_VIEW, s)]
    return render_template("committees/index.html", sessions=sessions)


def _committee_users() -> list[User]:
    return list(db.session.scalars(
        db.select(User).join(UserRole)
        .where(UserRole.role.in_([Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR]),
               User.active.is_(True))
        .distinct().order_by(User.full_name, User.id)))


@bp.route("/nouvelle", methods=["GET", "POST"])
@require(Permission.COMMITTEE_MANAGE)
def new():
    form = SessionForm()
    call_list = list(db.session.scalars(db.select(Call).where(Call.status != CallStatus.DRAFT)
                                        .order_by(Call.opens_on.desc(), Call.id.desc())))
    people = _committee_users()
    form.call_id.choices = choices((c.id, c.title) for c in call_list)
    form.chair_id.choices = choices((u.id, u.full_name) for u in people
                                    if u.has_role(Role.COMMITTEE_CHAIR))
    form.secretary_id.choices = choices([("", "—")] + [(u.id, u.full_name) for u in people])
    form.voting.choices = form.observers.choices = choices((u.id, u.full_name) for u in people)
    if form.validate_on_submit():
        by_id = {u.id: u for u in people}
        members = [sessions.MemberInput(by_id[i], Seat.VOTING) for i in form.voting.data]
        members += [sessions.MemberInput(by_id[i], Seat.OBSERVER) for i in form.observers.data
                     if i not in form.voting.data]
        call = next(c for c in call_list if c.id == form.call_id.data)
        done = attempt(lambda: sessions.create_session(
            current_user, call, title=form.title.data, chair=by_id[form.chair_id.data],
            members=members, secretary=by_id.get(form.secretary_id.data), place=form.place.data,
            meeting_on=form.meeting_on.data, scoring_due_on=form.scoring_due_on.data,
            quorum=form.quorum.data, spread_threshold=form.spread_threshold.data,
            applications=sessions.dossiers_by_reference(call, form.references.data)), form)
        if done:
            flash(_("The session %(ref)s is open for scoring.", ref=done.value.reference),
                  "success")
            return redirect(url_for("committees.session", session_id=done.value.id))
    return render_template("committees/new.html", form=form)


@bp.route("/<int:session_id>")
@require(Permission.COMMITTEE_VIEW)
def session(session_id: int):
    meeting = get_or_404(CommitteeSession, session_id, Permission.COMMITTEE_VIEW)
    member = meeting.member(current_user.id)
    is_chair = current_user.id == meeting.chair_id
    shown = request.args.get("show", "all")
    shown = shown if shown in worklist.FILTERS else "all"
    counts, page = {}, None
    if member is not None:  # one page of the member's dossiers, counted per state in SQL
        counts = worklist.counts(meeting, member)
        page = SlicePage(counts[shown], lambda offset, limit: worklist.items(
            meeting, member, shown, offset, limit), current_app.config["PAGE_SIZE"])
    on_page = [item.application_id for item in page.items] if page else []
    return render_template(
        "committees/session.html", meeting=meeting, member=member, page=page, counts=counts,
        shown=shown, filters=worklist.FILTER_LABELS, is_chair=is_chair,
        progress=scoring.progress(meeting, on_page) if is_chair else {},
        progress_counts=scoring.progress_counts(meeting) if is_chair else {},
        declaration_form=SessionDeclarationForm(formdata=None),
        minutes_versions=db.session.scalars(db.select(Minutes).where(
            Minutes.session_id == meeting.id).order_by(Minutes.version.desc())).all())


@bp.route("/<int:session_id>/declaration", methods=["POST"])
@require(Permission.COMMITTEE_SCORE)
def declare(session_id: int):
    meeting = get_or_404(CommitteeSession, session_id, Permission.COMMITTEE_SCORE)
    form = SessionDeclarationForm()
    if not form.validate_on_submit():
        flash(_("Tick the box to confirm your declaration."), "danger")
    elif attempt(lambda: sessions.declare_for_session(current_user, meeting,
                                                        form.declaration.data)):
        flash(_("Your declaration is recorded. You can now open the dossiers."), "success")
    return redirect(url_for("committees.session", session_id=meeting.id))


@bp.route("/<int:session_id>/pv/<int:minutes_id>")
@require(Permission.COMMITTEE_VIEW)
def download_minutes(session_id: int, minutes_id: int):
    meeting = get_or_404(CommitteeSession, session_id, Permission.COMMITTEE_VIEW)
    version = db.session.get(Minutes, minutes_id)
    if version is None or version.session_id != meeting.id:
        abort(404)
    content = io.BytesIO(minutes.minutes_path(version).read_bytes())
    return send_file(content, mimetype="application/pdf", as_attachment=True,
                     download_name=f"PV-{meeting.reference}-v{version.version}.pdf")


@bp.route("/<int:session_id>/classement.xlsx")
@require(Permission.COMMITTEE_VIEW)
def export_ranking(session_id: int):
    """Prepared in the background (a job calling write_ranking_xlsx for this user)."""
    from grants import jobs
    from grants.services.committees.scoring import may_see_ranking

    meeting = get_or_404(CommitteeSession, session_id, Permission.COMMITTEE_VIEW)
    if not may_see_ranking(current_user, meeting):
        abort(404)
    job = jobs.start("ranking.xlsx", {"session_id": meeting.id})
    return redirect(url_for("jobs.show", job_id=job.id))

"""Field work: the worklist, the visit form on a phone, and the supervisor's review and
assignments."""

from datetime import date

from flask import (
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from grants.blueprints.visits import bp
from grants.blueprints.visits.forms import (
    AssignForm,
    ReviewForm,
    UnscheduledVisitForm,
    WorklistFilterForm,
    report_form_for,
)
from grants.extensions import db
from grants.forms import attempt, choices, filtered, posted
from grants.models import Application, Grant, User, Visit, VisitPhoto, VisitSubmission
from grants.paging import id_arg, page_arg
from grants.permissions import Permission, can, get_or_404, region_scope, require
from grants.services import audit
from grants.services.followup import monitoring, sustainability, visit_reports, visits
from grants.services.followup.questionnaire import ITEMS, SUGGESTED_SERVICES, Dimension
from grants.services.followup.visit_reports import VisitReport
from grants.services.regions import regions_in
from grants.storage import send_stored
from grants.vocabulary import ActivityStatus, ItemPresence, Recommendation, VisitMode
from grants.workflow import VisitStatus


def _regions():
    return regions_in(region_scope(current_user, Permission.VISIT_VIEW))


@bp.route("/")
@require(Permission.VISIT_VIEW)
def worklist():
    supervisor = can(current_user, Permission.VISIT_SUPERVISE)
    mine = request.args.get("tout") is None and not supervisor
    region_id = id_arg("region")
    section_filter = filtered(WorklistFilterForm(request.args))
    work = monitoring.worklist(current_user, date.today(), mine=mine, region_id=region_id,
                               officer_id=id_arg("agent"),
                               page=page_arg(), section=section_filter.section.data or None)
    return render_template("visits/worklist.html", work=work, mine=mine, regions=_regions(),
                           region_id=region_id, today=date.today(), supervisor=supervisor,
                           section_filter=section_filter)


@bp.route("/charge", methods=["GET", "POST"])
@require(Permission.VISIT_SUPERVISE)
def load():
    """Each officer's load and lateness, and the assignment of open visits (a page of them: the
    form posts to the same address, so it is offered the same page)."""
    today = date.today()
    region_id = id_arg("region")
    work = monitoring.worklist(current_user, today, region_id=region_id, open_only=True,
                               page=page_arg())
    open_visits = work.open_visits
    form = AssignForm()
    rows = monitoring.officer_load(current_user, today)
    officers = {o.id: o for row in rows if (o := row.officer) is not None}
    form.officer_id.choices = choices([(0, _("Nobody"))] + [(o.id, o.full_name)
                                                             for o in officers.values()])
    form.visit_ids.choices = choices([(v.id, v.reference) for v in open_visits])
    if form.validate_on_submit():
        chosen = list(db.session.scalars(db.select(Visit).where(Visit.id.in_(
            [v.id for v in open_visits if v.id in form.visit_ids.data])).order_by(Visit.id)))
        officer = officers.get(form.officer_id.data)
        done = attempt(lambda: visits.assign(current_user, chosen, officer), form)
        if done:
            flash(_("%(n)d visit(s) assigned.", n=done.value), "success")
            return redirect(request.full_path)
    return render_template("visits/load.html", rows=rows, form=form, open_visits=open_visits,
                           page=work.page, regions=_regions(), region_id=region_id,
                           today=today)


@bp.route("/visites/<int:visit_id>")
@require(Permission.VISIT_VIEW)
def visit(visit_id: int):
    visit = get_or_404(Visit, visit_id, Permission.VISIT_VIEW)
    suggestions = sustainability.suggestions(visit)
    may_read = bool(visit.survey) and can(current_user, Permission.SURVEY_VIEW, visit)
    show_survey = may_read and request.args.get("reponses") == "1"
    if show_survey:  # psychosocial answers: each reading is audited (ARCHITECTURE.md, "Personal data")
        audit.record_reading("visit.survey_read", current_user, visit)
        db.session.commit()
    return render_template(
        "visits/visit.html", visit=visit, grant=visit.grant, application=visit.application,
        review_form=ReviewForm(formdata=None), items=ITEMS, Dimension=Dimension,
        may_read_survey=may_read, show_survey=show_survey,
        suggestions=[(d, SUGGESTED_SERVICES[d]) for d in suggestions], today=date.today())


def _report_of(form, visit: Visit) -> VisitReport:
    def enum_or_none(enum, value):
        return enum(value) if value else None

    items = {}
    for line in visit.application.budget_lines:
        answer = getattr(form, f"item_{line.id}").data
        if answer:
            items[line.id] = ItemPresence(answer)
    survey = {item.code: getattr(form, f"q_{item.code}").data or ""
              for item in ITEMS if visit.with_survey}
    return VisitReport(
        visited_on=form.visited_on.data, mode=enum_or_none(VisitMode, form.mode.data),
        activity_status=enum_or_none(ActivityStatus, form.activity_status.data),
        monthly_revenue=form.monthly_revenue.data, monthly_profit=form.monthly_profit.data,
        jobs_total=form.jobs_total.data, jobs_women=form.jobs_women.data,
        jobs_youth=form.jobs_youth.data, problems=form.problems.data or [],
        observations=form.observations.data or "",
        recommendation=enum_or_none(Recommendation, form.recommendation.data),
        items=items, survey=survey,
        latitude=float(form.latitude.data) if form.latitude.data is not None else None,
        longitude=float(form.longitude.data) if form.longitude.data is not None else None,
        gps_accuracy=form.gps_accuracy.data,
        photos=[(f.stream, f.filename) for f in (form.photos.data or [])
                if f and getattr(f, "filename", "")])


@bp.route("/visites/<int:visit_id>/rapport", methods=["GET", "POST"])
@require(Permission.VISIT_RECORD)
def report(visit_id: int):
    """The visit form on a phone. The offline script keeps a draft in the browser and sends it
    (with the same key) when the network returns."""
    visit = get_or_404(Visit, visit_id, Permission.VISIT_RECORD)
    if request.method == "GET" and visit.status != VisitStatus.PLANNED:
        flash(_("This visit is already recorded."), "info")
        return redirect(url_for("visits.visit", visit_id=visit.id))
    form = report_form_for(visit)
    if form.validate_on_submit():
        # A draft sent again after a lost answer: the first sending already left its message.
        replay = db.session.get(VisitSubmission, form.key.data or "") is not None
        done = attempt(lambda: visit_reports.submit_visit(current_user, visit.id,
                                                   _report_of(form, visit), form.key.data), form)
        if done and not replay:
            flash(_("The visit %(reference)s is recorded; a supervisor will validate it.",
                    reference=done.value.reference), "success")
        if done:
            target = url_for("visits.visit", visit_id=done.value.id)
            if request.headers.get("X-Requested-With") == "fetch":  # the offline script
                return jsonify(recorded=done.value.reference, url=target)
            return redirect(target)
    # 422 tells the offline script that the server answered but refused the report
    return render_template("visits/report.html", visit=visit, form=form,
                           application=visit.application, items=ITEMS,
                           Dimension=Dimension), 422 if form.errors else 200


def _review(visit_id: int, action, message: str):
    visit = get_or_404(Visit, visit_id, Permission.VISIT_SUPERVISE)
    form = ReviewForm()
    if posted(form) and attempt(lambda: action(current_user, visit.id,
                                                             form.comment.data or "")):
        flash(message, "success")
    return redirect(url_for("visits.visit", visit_id=visit.id))


@bp.route("/visites/<int:visit_id>/valider", methods=["POST"])
@require(Permission.VISIT_SUPERVISE)
def validate(visit_id: int):
    return _review(visit_id, visits.validate_visit, _("The visit is validated."))


@bp.route("/visites/<int:visit_id>/renvoyer", methods=["POST"])
@require(Permission.VISIT_SUPERVISE)
def send_back(visit_id: int):
    return _review(visit_id, visits.return_visit,
                   _("The visit is sent back to the field officer."))


@bp.route("/visites/<int:visit_id>/annuler", methods=["POST"])
@require(Permission.VISIT_SUPERVISE)
def cancel(visit_id: int):
    return _review(visit_id, visits.cancel_visit, _("The visit is cancelled."))


def grant_of(application_id: int, permission: Permission) -> tuple[Application, Grant]:
    """The dossier (in the user's scope) and its agreement, or 404 when it has no follow-up."""
    application = get_or_404(Application, application_id, permission)
    if not application.has_follow_up:
        abort(404)
    return application, application.grant


@bp.route("/dossiers/<int:application_id>/visite", methods=["GET", "POST"])
@require(Permission.VISIT_RECORD)
def plan_visit(application_id: int):
    application, grant = grant_of(application_id, Permission.VISIT_RECORD)
    supervisor = can(current_user, Permission.VISIT_SUPERVISE, application)
    form = UnscheduledVisitForm()
    if supervisor:
        officers = visits.field_officers_for(application.region_id)
        form.officer_id.choices = choices([(0, _("Nobody yet"))] + [(o.id, o.full_name)
                                                                     for o in officers])
    else:  # a field officer plans a visit for themself
        del form.gates_tranche, form.officer_id
    if form.validate_on_submit():
        assignee = db.session.get(User, form.officer_id.data) \
            if supervisor and form.officer_id.data else None
        done = attempt(lambda: visits.plan_unscheduled(
            current_user, grant, due_on=form.due_on.data, reason=form.reason.data,
            gates_tranche=supervisor and form.gates_tranche.data,
            with_survey=form.with_survey.data, assignee=assignee), form)
        if done:
            flash(_("The visit %(reference)s is planned.", reference=done.value.reference),
                  "success")
            return redirect(url_for("visits.project", application_id=application.id))
    return render_template("visits/plan.html", form=form, grant=grant, application=application,
                           waiting=supervisor and visits.waiting_tranche(grant))


@bp.route("/photos/<int:photo_id>")
@require(Permission.VISIT_VIEW)
def photo(photo_id: int):
    item = db.session.get(VisitPhoto, photo_id)
    if item is None:
        abort(404)
    get_or_404(Visit, item.visit_id, Permission.VISIT_VIEW)
    return send_stored(item)


@bp.app_template_global("visit_hold")
def visit_hold(grant: Grant):
    """For templates: why the agreement's visit-gated tranche waits (see _tranche_hold.html)."""
    return visits.tranche_hold(grant)

"""Dossiers: the list, creation, the dossier page, submission, withdrawal, documents, export."""

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grants.blueprints.applications import bp
from grants.blueprints.applications.forms import (
    ApplicationFilterForm,
    CommentForm,
    DocumentForm,
    NewApplicationForm,
)
from grants.extensions import db
from grants.filter_forms import DrawnFilters, drawn_filters
from grants.forms import ConfirmForm, attempt, choices, new_client_token, posted
from grants.models import Application, Attachment, Beneficiary, Call, OutboundMessage
from grants.paging import paginate
from grants.permissions import Permission, can, get_or_404, owner_scope, require
from grants.services.errors import DomainError
from grants.services.intake import applications, calls, list_rows, queries
from grants.services.regions import all_regions
from grants.storage import send_stored
from grants.vocabulary import ProjectType
from grants.workflow import ApplicationAction, ApplicationStatus, allowed_actions

# The filters the fold's badge counts (the call and the order are not counted).
_COUNTED = ("q", "status", "region_id", "sector", "project_type", "sex")


def _filters() -> tuple[queries.Filters, DrawnFilters]:
    """The list's filters from the address (a refused value filters nothing) and their form."""
    # Titles only: a Call entity would load its regions too (a statement of its own).
    all_calls = db.session.execute(
        db.select(Call.id, Call.title).order_by(Call.opens_on.desc(), Call.id.desc()))
    drawn = drawn_filters(
        ApplicationFilterForm, "applications/_filters.html",
        call_id=[("", _("All"))] + [(c.id, c.title) for c in all_calls],
        region_id=[("", _("All"))] + [(r.id, r.name) for r in all_regions()])
    v = drawn.values
    return queries.Filters(
        call_id=v["call_id"], status=v["status"], region_id=v["region_id"], sector=v["sector"],
        project_type=v["project_type"], sex=v["sex"], q=v["q"],
        sort=v["sort"] or "recent"), drawn


@bp.route("/")
@require(Permission.APPLICATION_VIEW)
def index():
    if owner_scope(current_user, Permission.APPLICATION_VIEW):
        return redirect(url_for("applications.mine"))  # an applicant: their own cards
    filters, drawn = _filters()
    counts = queries.status_counts(current_user, filters)
    page = paginate(queries.search_ids(current_user, filters),
                    per_page=current_app.config["PAGE_SIZE"], count=False)
    # The same filters counted per status: their sum (or the filtered status's) is the total.
    page.total = counts.get(filters.status, 0) if filters.status else sum(counts.values())
    page.items = list_rows.dossiers(page.items)
    return render_template("applications/index.html", filters=drawn, page=page, counts=counts,
                           active=sum(1 for name in _COUNTED if drawn.values[name]),
                           statuses=list(ApplicationStatus))


@bp.route("/mes-dossiers")
@require(Permission.APPLICATION_VIEW)
def mine():
    """An applicant's own dossiers as cards: the status in plain words and what happens next."""
    me = db.session.scalar(db.select(Beneficiary).where(Beneficiary.user_id == current_user.id))
    return render_template("applications/mine.html", me=me,
                           dossiers=queries.own_dossiers(current_user))


@bp.route("/export.xlsx")
@require(Permission.APPLICATION_EXPORT)
def export():
    """Prepared in the background (a job): the user follows it on the job's page."""
    from dataclasses import asdict

    from grants import jobs

    filters = asdict(_filters()[0])
    job = jobs.start("applications.xlsx", {"filters": filters})
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/nouveau/<int:beneficiary_id>", methods=["GET", "POST"])
@require(Permission.APPLICATION_EDIT)
def new(beneficiary_id: int):
    person = get_or_404(Beneficiary, beneficiary_id, Permission.APPLICATION_EDIT)
    open_calls = calls.open_calls(date.today())
    form = NewApplicationForm()
    form.call_id.choices = choices((c.id, c.title) for c in open_calls)
    if request.method == "GET":
        form.client_token.data = new_client_token()
    if form.validate_on_submit():
        created = attempt(lambda: applications.create_draft(
            current_user, call=next(c for c in open_calls if c.id == form.call_id.data),
            lead=person, project_type=ProjectType(form.project_type.data),
            client_token=form.client_token.data or None), form)
        if created:
            return redirect(url_for("applications.edit", application_id=created.value.id,
                                    section="projet"))
    return render_template("applications/new.html", form=form, person=person,
                           open_calls=open_calls)


def _document_form(app: Application) -> DocumentForm:
    """The upload form, the first document the call still requires chosen already."""
    missing = applications.missing_document_kinds(app)
    return DocumentForm(formdata=None, kind=missing[0].value if missing else None)


@bp.route("/<int:application_id>")
@require(Permission.APPLICATION_VIEW)
def detail(application_id: int):
    app = get_or_404(Application, application_id, Permission.APPLICATION_VIEW)
    editable = app.is_editable and can(current_user, Permission.APPLICATION_EDIT, app)
    revisable = app.is_revisable and can(current_user, Permission.APPLICATION_REVISE, app)
    return render_template(
        "applications/detail.html", app=app, editable=editable, revisable=revisable,
        missing=applications.missing_items(app) if editable else [],
        actions=allowed_actions(app.status), confirm=ConfirmForm(),
        comment_form=CommentForm(formdata=None),
        document_form=_document_form(app),
        messages=db.session.scalars(db.select(OutboundMessage).where(
            OutboundMessage.application_id == app.id).order_by(OutboundMessage.id)).all())


@bp.route("/<int:application_id>/soumettre", methods=["POST"])
@require(Permission.APPLICATION_EDIT)
def submit(application_id: int):
    app = get_or_404(Application, application_id, Permission.APPLICATION_EDIT)
    if not ConfirmForm().validate_on_submit():
        abort(400)

    def submit_or_list_missing() -> None:
        try:
            applications.submit(current_user, app)
        except applications.IncompleteDossier as error:  # the message names what is missing
            raise DomainError(_("The dossier is not complete yet. Missing: %(items)s.",
                                items="; ".join(error.missing))) from error

    if attempt(submit_or_list_missing):
        flash(_("The dossier is submitted with the reference %(ref)s.", ref=app.reference),
              "success")
    return redirect(url_for("applications.detail", application_id=app.id))


@bp.route("/<int:application_id>/retirer", methods=["POST"])
@require(Permission.APPLICATION_EDIT)
def withdraw(application_id: int):
    app = get_or_404(Application, application_id, Permission.APPLICATION_EDIT)
    form = CommentForm()
    if posted(form) and attempt(lambda: applications.transition(
            current_user, app, ApplicationAction.WITHDRAW, form.comment.data)):
        flash(_("The dossier has been withdrawn."), "success")
    return redirect(url_for("applications.detail", application_id=app.id))


@bp.route("/pieces/<int:attachment_id>")
@require(Permission.APPLICATION_VIEW)
def download(attachment_id: int):
    """A document, only for those who may see its dossier (or the person's record)."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    if attachment.application_id:
        get_or_404(Application, attachment.application_id, Permission.APPLICATION_VIEW)
    else:
        get_or_404(Beneficiary, attachment.beneficiary_id, Permission.BENEFICIARY_VIEW)
    return send_stored(attachment)

"""Administration: user accounts, reference data, the audit log."""

from datetime import date

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from grants.blueprints.admin import bp
from grants.blueprints.admin.forms import (
    AuditFilterForm,
    EditUserForm,
    UserFilterForm,
    UserForm,
    role_choices,
)
from grants.extensions import db
from grants.forms import ConfirmForm, attempt, choices, filtered
from grants.models import Region, Role, User
from grants.paging import paginate
from grants.permissions import Permission, get_or_404, require
from grants.services import accounts, audit, audit_reading


def _all_regions() -> list[Region]:
    return list(db.session.scalars(db.select(Region).order_by(Region.code)))


def _region_choices(regions: list[Region]):
    return choices((r.id, f"{r.code} {r.name}") for r in regions)


def _paginate(query):
    return paginate(query, per_page=current_app.config["PAGE_SIZE"])


@bp.route("/utilisateurs")
@require(Permission.USERS_MANAGE)
def users():
    form = UserFilterForm(request.args)
    form.role.choices = choices([("", _("All"))]) + role_choices()
    filtered(form)
    page = _paginate(accounts.search_users(q=form.q.data, role=form.role.data,
                                           status=form.status.data))
    return render_template("admin/users.html", form=form, page=page)


@bp.route("/utilisateurs/nouveau", methods=["GET", "POST"])
@require(Permission.USERS_MANAGE)
def new_user():
    regions = _all_regions()
    form = UserForm()
    form.regions.choices = _region_choices(regions)
    if form.validate_on_submit():
        chosen = [r for r in regions if r.id in form.regions.data]
        created = attempt(lambda: accounts.create_user(
            current_user, username=form.username.data, full_name=form.full_name.data,
            roles=[Role(r) for r in form.roles.data], regions=chosen,
            phone=form.phone.data, email=form.email.data, locale=form.locale.data,
            combined_duties_reason=form.combined_duties_reason.data), form)
        if created:
            user, temporary = created.value
            # Shown once, in this response only (never stored in the session cookie nor, like
            # every page of a logged-in user, in the browser's cache).
            return render_template("admin/temporary_password.html", user=user,
                                   password=temporary, created=True)
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/utilisateurs/<int:user_id>", methods=["GET", "POST"])
@require(Permission.USERS_MANAGE)
def edit_user(user_id: int):
    user = get_or_404(User, user_id, Permission.USERS_MANAGE)
    regions = _all_regions()
    form = EditUserForm(obj=user) if request.method == "GET" else EditUserForm()
    form.regions.choices = _region_choices(regions)
    if request.method == "GET":
        form.roles.data = sorted(user.roles)
        form.regions.data = sorted(user.region_ids)
    if form.validate_on_submit():
        chosen = [r for r in regions if r.id in form.regions.data]
        if attempt(lambda: accounts.update_user(
                current_user, user, full_name=form.full_name.data,
                roles=[Role(r) for r in form.roles.data], regions=chosen, phone=form.phone.data,
                email=form.email.data, locale=form.locale.data,
                combined_duties_reason=form.combined_duties_reason.data), form):
            flash(_("The account has been updated."), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=user, confirm=ConfirmForm())


@bp.route("/utilisateurs/<int:user_id>/activation", methods=["POST"])
@require(Permission.USERS_MANAGE)
def toggle_active(user_id: int):
    user = get_or_404(User, user_id, Permission.USERS_MANAGE)
    if ConfirmForm().validate_on_submit() and attempt(
            lambda: accounts.set_active(current_user, user, not user.active)):
        flash(_("The account has been reactivated.") if user.active
              else _("The account has been deactivated and its sessions closed."), "success")
    return redirect(url_for("admin.edit_user", user_id=user_id))


@bp.route("/utilisateurs/<int:user_id>/mot-de-passe", methods=["POST"])
@require(Permission.USERS_MANAGE)
def reset_password(user_id: int):
    user = get_or_404(User, user_id, Permission.USERS_MANAGE)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("admin.edit_user", user_id=user_id))
    temporary = accounts.reset_password(current_user, user)
    db.session.commit()
    return render_template("admin/temporary_password.html", user=user, password=temporary,
                           created=False)


@bp.route("/regions")
@require(Permission.REFERENCE_VIEW)
def regions():
    return render_template("admin/regions.html", regions=_all_regions())


def _audit_filters() -> dict:
    """The audit log's filters from the address (a refused value filters nothing)."""
    form = AuditFilterForm(request.args)
    filtered(form)
    return {"action": form.action.data, "actor_username": form.actor.data,
            "outcome": form.outcome.data, "object_type": form.object_type.data,
            "start": form.start.data, "end": form.end.data}


@bp.route("/journal")
@require(Permission.AUDIT_VIEW)
def audit_log():
    form = AuditFilterForm(request.args)
    filtered(form)
    page = _paginate(audit.search_events(**_audit_filters()))
    return render_template("admin/audit.html", form=form, page=page,
                           lines=audit_reading.lines(page.items))


@bp.route("/journal.csv")
@require(Permission.AUDIT_VIEW)
def audit_csv():
    from grants.exports.audit import audit_csv as chunks

    return Response(stream_with_context(chunks(_audit_filters())),
                    mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f"attachment; filename=journal-audit-{date.today()}.csv"})


@bp.route("/journal.xlsx")
@require(Permission.AUDIT_VIEW)
def audit_xlsx():
    """Written by a job (the whole log can be 200 000 rows), like the other workbooks."""
    from grants import jobs

    filters = {name: value.isoformat() if isinstance(value, date) else value
               for name, value in _audit_filters().items()}
    job = jobs.start("audit.xlsx", {"filters": filters})
    return redirect(url_for("jobs.show", job_id=job.id))

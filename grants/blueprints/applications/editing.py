"""Filling a dossier in short sections (easy on a phone): project, business plan, budget,
documents (the members have their own page: members.py). After submission, staff corrections go
through the same forms with a reason."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grants.blueprints.applications import bp
from grants.blueprints.applications.forms import BudgetForm, DocumentForm, PlanForm, ProjectForm
from grants.forms import attempt, choices, posted
from grants.models import Application
from grants.permissions import Permission, can, get_or_404, require
from grants.services.intake import applications
from grants.services.regions import all_regions
from grants.vocabulary import BudgetCategory

SECTIONS = {"projet": ProjectForm, "plan": PlanForm, "budget": BudgetForm}
BLANK_LINES = 3  # empty budget rows offered below the filled ones


def _values(form, section: str) -> dict:
    names = {"projet": applications.PROJECT_FIELDS, "plan": applications.PLAN_FIELDS,
             "budget": applications.BUDGET_FIELDS}[section]
    values = {name: getattr(form, name).data for name in names}
    for name in ("sector", "support_mode"):
        if name in values:
            values[name] = values[name] or None
    for name in ("own_contribution", "requested_amount"):
        if name in values and values[name] is None:
            values[name] = 0
    for name, value in values.items():
        if isinstance(value, str):
            values[name] = value.strip() or None
    return values


def _budget_lines(form: BudgetForm) -> list[dict]:
    lines = []
    for entry in form.lines.entries:
        line = entry.form
        if line.is_blank():  # (a line begun is complete: BudgetLineForm.validate)
            continue
        lines.append({"category": BudgetCategory(line.category.data), "item": line.item.data or "",
                      "quantity": line.quantity.data, "unit_cost": line.unit_cost.data})
    return lines


def _prepare(form, app: Application, section: str) -> None:
    if section == "projet":
        regions = all_regions()
        form.region_id.choices = choices((r.id, f"{r.code} {r.name}") for r in regions)
    if section == "budget" and request.method == "GET":
        while len(form.lines.entries):
            form.lines.pop_entry()
        for line in app.budget_lines:
            form.lines.append_entry({"category": line.category.value, "item": line.item,
                                     "quantity": line.quantity, "unit_cost": line.unit_cost})
        for _ in range(BLANK_LINES):
            form.lines.append_entry()


@bp.route("/<int:application_id>/<any(projet, plan, budget):section>", methods=["GET", "POST"])
@require(Permission.APPLICATION_EDIT)
def edit(application_id: int, section: str):
    app = get_or_404(Application, application_id, Permission.APPLICATION_EDIT)
    revising = app.is_revisable
    allowed = can(current_user, Permission.APPLICATION_REVISE, app) if revising \
        else app.is_editable
    if not allowed:
        flash(_("This dossier can no longer be changed."), "warning")
        return redirect(url_for("applications.detail", application_id=app.id))
    form = SECTIONS[section](obj=app)
    _prepare(form, app, section)

    def save() -> None:
        values = _values(form, section)
        lines = _budget_lines(form) if section == "budget" else None
        if revising:
            applications.revise(current_user, app, form.reason.data or "", values, lines)
        elif section == "budget":
            applications.set_budget(current_user, app, lines, values)
        else:
            applications.update_draft(current_user, app, values)

    if form.validate_on_submit() and attempt(save, form):
        flash(_("Saved."), "success")
        following = {"projet": "plan", "plan": "budget"}.get(section)
        if following and not revising:
            return redirect(url_for("applications.edit", application_id=app.id,
                                    section=following))
        return redirect(url_for("applications.detail", application_id=app.id))
    return render_template(f"applications/edit_{section}.html", form=form, app=app,
                           section=section, revising=revising)


@bp.route("/<int:application_id>/pieces", methods=["POST"])
@require(Permission.APPLICATION_EDIT)
def upload(application_id: int):
    app = get_or_404(Application, application_id, Permission.APPLICATION_EDIT)
    form = DocumentForm()
    if posted(form) and attempt(lambda: applications.add_attachment(
            current_user, app, form.kind.data, form.file.data.stream,
            form.file.data.filename or "")):
        flash(_("The document has been added."), "success")
    return redirect(url_for("applications.detail", application_id=app.id) + "#documents")

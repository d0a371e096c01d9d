"""Applications (dossiers): drafts, budget, documents, submission, revisions and the one
`transition()` that moves a dossier along grants/workflow.py (members: services/members.py)."""

from datetime import date
from enum import Enum

from flask_babel import lazy_gettext as _l

from grants import events, formatting
from grants.database import utcnow
from grants.extensions import db
from grants.models import (
    Application,
    ApplicationEvent,
    ApplicationMember,
    ApplicationRevision,
    Attachment,
    Beneficiary,
    BudgetLine,
    Call,
    User,
)
from grants.permissions import ACTION_PERMISSIONS, Permission, can
from grants.services import audit
from grants.services.errors import ConflictError, ForbiddenError, ValidationError
from grants.services.references import next_reference
from grants.vocabulary import (
    BudgetCategory,
    ConsentScope,
    ContributionKind,
    DocumentKind,
    ProjectType,
    VerificationStatus,
)
from grants.workflow import (
    COMMENT_REQUIRED,
    EDITABLE_STATUSES,
    REVISABLE_STATUSES,
    TRANSITIONS,
    ApplicationAction,
    ApplicationStatus,
)

# Fields a draft form may set (the budget, members and documents have their own services).
PROJECT_FIELDS = ("title", "sector", "activity", "region_id", "cercle", "commune",
                  "community_name", "training_needs")
PLAN_FIELDS = ("product_service", "customers_market", "competition", "suppliers",
               "monthly_revenue", "monthly_costs", "jobs_planned", "jobs_women", "jobs_youth")
BUDGET_FIELDS = ("own_contribution", "own_contribution_kind", "own_contribution_details",
                 "requested_amount", "support_mode")
EDITABLE_FIELDS = PROJECT_FIELDS + PLAN_FIELDS + BUDGET_FIELDS
MAX_BUDGET_LINES = 30


# --- the workflow -------------------------------------------------------------------------

def transition(actor: User, app: Application, action: ApplicationAction,
               comment: str | None = None) -> ApplicationEvent:
    """Move `app` by `action` if the table allows it and `actor` may; record who, when, why."""
    target = TRANSITIONS.get((app.status, action))
    if target is None:
        raise ConflictError(_l("This step is not possible for a dossier in the status "
                               "\"%(status)s\".", status=app.status.label))
    permission = ACTION_PERMISSIONS[action]
    if not can(actor, permission, app):
        raise ForbiddenError(_l("You may not do this step."))
    comment = (comment or "").strip() or None
    if action in COMMENT_REQUIRED and not comment:
        raise ValidationError(_l("A reason is required for this step."), "comment")
    event = ApplicationEvent(application_id=app.id, action=action, from_status=app.status,
                             to_status=target, actor_id=actor.id, comment=comment)
    db.session.add(event)
    app.status = target
    db.session.flush()
    audit.record("application." + action.value, actor, app,
                 details={"from": event.from_status.value, "to": target.value})
    events.application_status_changed.send(app, actor=actor, action=action,
                                           old=event.from_status, comment=comment)
    return event


# --- drafts -------------------------------------------------------------------------------

def create_draft(actor: User, *, call: Call, lead: Beneficiary, project_type: ProjectType,
                 client_token: str | None = None, today: date | None = None) -> Application:
    """A new dossier for `lead` on an open call. `today` exists for loading past data only."""
    if client_token:
        earlier = db.session.scalar(db.select(Application).where(
            Application.client_token == client_token))
        if earlier is not None:
            return earlier  # the same form sent twice: one dossier
    if not call.accepts_applications_on(today or date.today()):
        raise ConflictError(_l("This call is not open for applications."), "call_id")
    if project_type.value not in call.project_types:
        raise ValidationError(_l("This call does not accept this type of project."),
                              "project_type")
    _check_can_join(lead)
    if not can(actor, Permission.APPLICATION_EDIT, lead):
        raise ForbiddenError(_l("You may not create a dossier for this person."))
    app = Application(call=call, lead_id=lead.id, project_type=project_type,
                      region_id=lead.region_id, cercle=lead.cercle, commune=lead.commune,
                      created_by_id=actor.id, client_token=client_token,
                      status=ApplicationStatus.DRAFT)
    app.members = [ApplicationMember(beneficiary_id=lead.id, is_lead=True, share_percent=100)]
    db.session.add(app)
    db.session.flush()
    audit.record("application.created", actor, app, details={"call": call.id})
    return app


def person_refusal(person: Beneficiary):
    """Why `person` cannot be in a dossier at all (as its lead or a member), or None."""
    if not person.has_consent(ConsentScope.PROCESSING):
        return _l("%(code)s has not consented to the processing of their data.", code=person.code)
    if person.verification_status == VerificationStatus.REJECTED:
        return _l("The record %(code)s was rejected.", code=person.code)
    return None


def _check_can_join(person: Beneficiary) -> None:
    refusal = person_refusal(person)
    if refusal is not None:
        raise ConflictError(refusal, "lead_id")


def check_editable(actor: User, app: Application) -> None:
    if app.status not in EDITABLE_STATUSES:
        raise ConflictError(_l("A submitted dossier can only be corrected by staff, with a "
                               "reason."))
    if not can(actor, Permission.APPLICATION_EDIT, app):
        raise ForbiddenError(_l("You may not change this dossier."))


def _apply_fields(app: Application, values: dict) -> list[str]:
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    merged = {name: values.get(name, getattr(app, name)) for name in EDITABLE_FIELDS}
    for name in ("monthly_revenue", "monthly_costs", "own_contribution", "requested_amount"):
        if merged[name] is not None and merged[name] < 0:
            raise ValidationError(_l("The amount cannot be negative."), name)
    if (merged["requested_amount"] or 0) > app.call.cap_per_project:
        raise ValidationError(_l("The amount requested exceeds the call's cap of %(cap)s.",
                                 cap=formatting.money(app.call.cap_per_project)), "requested_amount")
    if {"requested_amount", "own_contribution"} & set(values):
        _check_financing_plan(app, merged["requested_amount"] or 0, merged["own_contribution"] or 0)
    if (merged["own_contribution"] or 0) > 0 and merged["own_contribution_kind"] in (
            None, ContributionKind.NONE):
        raise ValidationError(_l("Say whether the own contribution is in cash or in kind."),
                              "own_contribution_kind")
    planned = merged["jobs_planned"] or 0
    for name in ("jobs_women", "jobs_youth"):
        if merged[name] is not None and merged[name] > planned:
            raise ValidationError(_l("Cannot exceed the number of jobs planned."), name)
    changed = sorted(name for name in values if getattr(app, name) != values[name])
    for name in values:
        setattr(app, name, values[name])
    return changed


def _check_financing_plan(app: Application, requested: int, own: int) -> None:
    """The budget is the project's whole cost: the grant asked and the applicant's own
    contribution must pay for exactly it (less leaves part of the plan unfunded, more asks for
    money the plan does not spend). Checked once the budget has lines and an amount is asked."""
    if app.budget_total > 0 and requested > 0 and requested + own != app.budget_total:
        raise ValidationError(_financing_gap(app.budget_total, requested, own), "requested_amount")


def _financing_gap(budget: int, requested: int, own: int):
    return _l("The amount requested (%(requested)s) and the own contribution (%(own)s) add up to "
              "%(sum)s, but the budget totals %(budget)s: they must be equal.",
              requested=formatting.money(requested), own=formatting.money(own),
              sum=formatting.money(requested + own), budget=formatting.money(budget))


def update_draft(actor: User, app: Application, values: dict) -> None:
    check_editable(actor, app)
    changed = _apply_fields(app, values)
    if not can(actor, Permission.APPLICATION_EDIT, app):
        raise ValidationError(_l("Choose one of your regions."), "region_id")
    db.session.flush()
    audit.record("application.updated", actor, app, details={"fields": changed})


def _replace_budget_lines(app: Application, lines: list[dict]) -> None:
    if len(lines) > MAX_BUDGET_LINES:
        raise ValidationError(_l("At most %(n)d budget lines.", n=MAX_BUDGET_LINES), "lines")
    rows = []
    for position, line in enumerate(lines, start=1):
        quantity, unit_cost = line["quantity"], line["unit_cost"]
        if not line["item"].strip():
            raise ValidationError(_l("Line %(n)d: describe the item.", n=position), "lines")
        if quantity <= 0 or unit_cost <= 0:
            raise ValidationError(_l("Line %(n)d: quantity and unit cost must be above zero.",
                                     n=position), "lines")
        try:
            category = BudgetCategory(line["category"])
        except ValueError:
            raise ValidationError(_l("Line %(n)d: choose a category.", n=position), "lines") from None
        rows.append(BudgetLine(position=position, category=category,
                               item=line["item"].strip(), quantity=quantity, unit_cost=unit_cost,
                               total=quantity * unit_cost))
    app.budget_lines = rows
    app.budget_total = sum(row.total for row in rows)  # computed here, never trusted from input


def set_budget(actor: User, app: Application, lines: list[dict], values: dict) -> None:
    """Replace the budget lines and the money fields of a draft; totals computed here."""
    check_editable(actor, app)
    _replace_budget_lines(app, lines)
    changed = _apply_fields(app, values)
    db.session.flush()
    audit.record("application.budget", actor, app,
                 details={"lines": len(lines), "fields": changed})


# --- documents ----------------------------------------------------------------------------

def add_attachment(actor: User, app: Application, kind: str, stream, filename: str) -> Attachment:
    from grants.storage import save_upload

    if app.status not in EDITABLE_STATUSES | REVISABLE_STATUSES:
        raise ConflictError(_l("Documents can no longer be added to this dossier."))
    if app.status in REVISABLE_STATUSES and not can(actor, Permission.APPLICATION_REVISE, app):
        raise ForbiddenError(_l("Only staff can add documents after submission."))
    if app.status in EDITABLE_STATUSES:
        check_editable(actor, app)
    stored = save_upload(stream, filename)
    attachment = Attachment.recorded(stored, actor.id, application_id=app.id, kind=kind)
    db.session.add(attachment)
    db.session.flush()
    audit.record("application.document_added", actor, app,
                 details={"attachment": attachment.id, "kind": kind})
    return attachment


# --- submission and revisions -------------------------------------------------------------

def missing_items(app: Application) -> list[str]:
    """What a dossier still lacks before it can be submitted, in words for the applicant."""
    missing = []
    required = {"title": _l("a project title"), "sector": _l("the sector"),
                "activity": _l("a description of the activity"),
                "product_service": _l("the product or service"),
                "customers_market": _l("the customers and market"),
                "monthly_revenue": _l("the forecast monthly revenue"),
                "monthly_costs": _l("the forecast monthly costs"),
                "jobs_planned": _l("the number of jobs planned"),
                "support_mode": _l("the support mode")}
    missing += [str(label) for name, label in required.items() if getattr(app, name) in (None, "")]
    if app.project_type == ProjectType.COMMUNITY and not app.community_name:
        missing.append(str(_l("the name of the community or group")))
    if not app.budget_lines:
        missing.append(str(_l("at least one budget line")))
    if app.requested_amount <= 0:
        missing.append(str(_l("the amount requested")))
    elif app.requested_amount > app.call.cap_per_project:
        missing.append(str(_l("an amount requested within the cap")))
    elif app.budget_lines and app.requested_amount + app.own_contribution != app.budget_total:
        missing.append(str(_financing_gap(app.budget_total, app.requested_amount,
                                          app.own_contribution)))
    minimum = app.budget_total * app.call.min_contribution_percent // 100
    if app.own_contribution < minimum:
        missing.append(str(_l("an own contribution of at least %(pct)d %% of the budget",
                              pct=app.call.min_contribution_percent)))
    if app.project_type == ProjectType.COLLECTIVE:
        if len(app.members) < 2:
            missing.append(str(_l("at least two members")))
        if sum(m.share_percent for m in app.members) != 100:
            missing.append(str(_l("members' shares adding up to 100 %")))
    for kind in missing_document_kinds(app):
        missing.append(str(_l("the document: %(kind)s", kind=kind.label)))
    return missing


def missing_document_kinds(app: Application) -> list[DocumentKind]:
    """The documents the call requires that the dossier does not hold yet, in the call's order
    (the upload form offers the first one)."""
    held = {a.kind.value for a in app.attachments}
    return [DocumentKind(kind) for kind in app.call.required_documents if kind not in held]


def _plain(value):
    return value.value if isinstance(value, Enum) else value


def snapshot(app: Application) -> dict:
    """A frozen, JSON-ready copy of what the dossier says."""
    return {
        "fields": {name: _plain(getattr(app, name)) for name in EDITABLE_FIELDS},
        "budget_total": app.budget_total,
        "budget_lines": [{"category": _plain(line.category), "item": line.item,
                          "quantity": line.quantity, "unit_cost": line.unit_cost,
                          "total": line.total} for line in app.budget_lines],
        "members": [{"beneficiary": m.beneficiary_id, "lead": m.is_lead,
                     "share": m.share_percent} for m in app.members],
        "attachments": [a.id for a in app.attachments],
    }


def submit(actor: User, app: Application, today: date | None = None) -> None:
    """Check completeness, give the reference and freeze the submitted version."""
    missing = missing_items(app)
    if missing:
        raise IncompleteDossier(missing)
    if app.status == ApplicationStatus.DRAFT and \
            not app.call.accepts_applications_on(today or date.today()):
        raise ConflictError(_l("This call is closed: the dossier can no longer be submitted."))
    if app.reference is None:  # before the transition: its receivers tell the reference
        app.reference = next_reference("AP", app.call.opens_on.year)
    transition(actor, app, ApplicationAction.SUBMIT)
    app.submitted_at = utcnow()
    _add_revision(actor, app, str(_l("Submitted version")))


class IncompleteDossier(ValidationError):
    def __init__(self, missing: list[str]):
        super().__init__(_l("The dossier is not complete yet."))
        self.missing = missing


def _add_revision(actor: User, app: Application, reason: str) -> ApplicationRevision:
    number = len(app.revisions) + 1
    revision = ApplicationRevision(application_id=app.id, number=number, snapshot=snapshot(app),
                                   reason=reason, author_id=actor.id)
    db.session.add(revision)
    app.revisions.append(revision)
    db.session.flush()
    return revision


def revise(actor: User, app: Application, reason: str, values: dict,
           lines: list[dict] | None = None) -> ApplicationRevision:
    """A staff correction after submission: applied, frozen as a new revision with its reason."""
    if app.status not in REVISABLE_STATUSES:
        raise ConflictError(_l("This dossier can no longer be corrected."))
    if not can(actor, Permission.APPLICATION_REVISE, app):
        raise ForbiddenError(_l("Only staff can correct a submitted dossier."))
    if not reason.strip():
        raise ValidationError(_l("Say why the dossier is corrected."), "reason")
    if lines is not None:
        _replace_budget_lines(app, lines)
    changed = _apply_fields(app, values)
    revision = _add_revision(actor, app, reason.strip())
    audit.record("application.revised", actor, app,
                 details={"revision": revision.number, "fields": changed})
    return revision

"""Who may do what: the one place where roles become permissions.

Views declare what they need with @require(Permission.X); object loaders call
get_or_404(), which answers 404 for an object outside the user's scope so that its
existence is not revealed. Every refusal is written to the audit log."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user

from grants.database import write_transaction
from grants.extensions import db
from grants.models import REGION_SCOPED_ROLES, Role
from grants.workflow import ApplicationAction


class Permission(StrEnum):
    USERS_MANAGE = "users.manage"
    AUDIT_VIEW = "audit.view"
    REFERENCE_VIEW = "reference.view"
    # Programme: envelopes and calls for proposals
    PROGRAMME_VIEW = "programme.view"
    PROGRAMME_MANAGE = "programme.manage"
    # Returnee registry
    BENEFICIARY_VIEW = "beneficiary.view"
    BENEFICIARY_EDIT = "beneficiary.edit"
    BENEFICIARY_RESTRICTED = "beneficiary.restricted"  # vulnerabilities and health
    BENEFICIARY_VERIFY = "beneficiary.verify"
    # Bring a partner's list into the registry in bulk, and undo such an import (supervisors:
    # a file may hold people of every region).
    BENEFICIARY_IMPORT = "beneficiary.import"
    # Applications (dossiers)
    APPLICATION_VIEW = "application.view"
    APPLICATION_EDIT = "application.edit"  # fill and submit drafts
    APPLICATION_REVISE = "application.revise"  # staff corrections after submission
    # Choose a collective dossier's members among registered returnees, and their shares: staff
    # only, since choosing means searching the registry.
    APPLICATION_MEMBERS = "application.members"
    APPLICATION_SCREEN = "application.screen"  # eligibility
    APPLICATION_EXPORT = "application.export"
    # Selection committees
    COMMITTEE_VIEW = "committee.view"
    COMMITTEE_SCORE = "committee.score"
    COMMITTEE_MANAGE = "committee.manage"  # grids, sessions, members
    SELECTION_DECIDE = "selection.decide"  # deliberation, overrides, waiting list
    # Later stages of the workflow
    FINANCE_VIEW = "finance.view"
    GRANT_MANAGE = "grant.manage"  # agreements and payment orders (ordonnateur)
    PAYMENT_EXECUTE = "payment.execute"  # payments and reversals (comptable)
    # Follow-up of the funded activities
    VISIT_VIEW = "visit.view"  # visits, scores, survival figures
    VISIT_RECORD = "visit.record"  # fill and submit visits (field officer)
    VISIT_SUPERVISE = "visit.supervise"  # plan, assign, validate or send back visits
    SURVEY_VIEW = "survey.view"  # the answers of the sustainability questionnaire
    REFERRAL_MANAGE = "referral.manage"  # refer returnees to partners, follow the referrals
    # Programme figures: dashboards' figures and the indicator report (within the region scope)
    REPORT_VIEW = "report.view"
    REPORT_ISSUE = "report.issue"  # issue a frozen version of the donor report
    # A person's rights over their data (law n°2013-015): their file on request, erasure
    DATA_PROTECTION = "privacy.manage"

    MESSAGES_VIEW = "messages.view"  # the outbox of messages to returnees, their monthly cost
    MESSAGES_CALL = "messages.call"  # the call list of those who asked to be called
    MESSAGES_TEMPLATES = "messages.templates"  # edit the messages' templates
    # One's own reminders (what waits for one, from the deadlines) and their daily digest
    REMINDERS_VIEW = "reminders.view"


_STAFF_READ = {Permission.REFERENCE_VIEW, Permission.PROGRAMME_VIEW, Permission.REMINDERS_VIEW}
_INTAKE = {Permission.REPORT_VIEW, Permission.BENEFICIARY_VIEW, Permission.BENEFICIARY_EDIT,
           Permission.BENEFICIARY_RESTRICTED, Permission.APPLICATION_VIEW,
           Permission.APPLICATION_EDIT, Permission.APPLICATION_REVISE,
           Permission.APPLICATION_MEMBERS, Permission.APPLICATION_SCREEN}
# Field officers and their supervisors (programme managers) follow the activities; the
# questionnaire's answers (psychosocial) stay with them, auditors see the scores only.
_FOLLOW_UP = {Permission.REPORT_VIEW, Permission.VISIT_VIEW, Permission.VISIT_RECORD, Permission.SURVEY_VIEW,
              Permission.REFERRAL_MANAGE}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # The administrator sees the programme's figures (counts and sums, no person) on the home.
    Role.ADMIN: frozenset({Permission.USERS_MANAGE, Permission.AUDIT_VIEW, *_STAFF_READ,
                           Permission.REPORT_VIEW, Permission.MESSAGES_VIEW,
                           Permission.MESSAGES_TEMPLATES}),
    Role.INTAKE_AGENT: frozenset({*_STAFF_READ, *_INTAKE, Permission.MESSAGES_CALL}),
    # Applicants reach only their own records (ownership scope in can()).
    Role.APPLICANT: frozenset({Permission.APPLICATION_VIEW, Permission.APPLICATION_EDIT}),
    Role.COMMITTEE_MEMBER: frozenset({*_STAFF_READ, Permission.COMMITTEE_VIEW,
                                      Permission.COMMITTEE_SCORE}),
    Role.COMMITTEE_CHAIR: frozenset({*_STAFF_READ, Permission.COMMITTEE_VIEW,
                                     Permission.COMMITTEE_SCORE, Permission.SELECTION_DECIDE}),
    Role.FINANCE_OFFICER: frozenset({*_STAFF_READ, Permission.BENEFICIARY_VIEW,
                                     Permission.APPLICATION_VIEW, Permission.APPLICATION_EXPORT,
                                     Permission.FINANCE_VIEW, Permission.GRANT_MANAGE,
                                     Permission.REPORT_VIEW}),
    Role.ACCOUNTANT: frozenset({*_STAFF_READ, Permission.BENEFICIARY_VIEW,
                                Permission.APPLICATION_VIEW, Permission.FINANCE_VIEW,
                                Permission.PAYMENT_EXECUTE, Permission.REPORT_VIEW}),
    Role.FIELD_OFFICER: frozenset({*_STAFF_READ, Permission.BENEFICIARY_VIEW,
                                   Permission.APPLICATION_VIEW, *_FOLLOW_UP}),
    Role.PROGRAMME_MANAGER: frozenset({*_STAFF_READ, *_INTAKE, Permission.PROGRAMME_MANAGE,
                                       Permission.BENEFICIARY_VERIFY,
                                       Permission.BENEFICIARY_IMPORT,
                                       Permission.APPLICATION_EXPORT,
                                       Permission.COMMITTEE_VIEW, Permission.COMMITTEE_MANAGE,
                                       Permission.SELECTION_DECIDE, Permission.FINANCE_VIEW,
                                       *_FOLLOW_UP, Permission.VISIT_SUPERVISE,
                                       Permission.REPORT_ISSUE, Permission.MESSAGES_VIEW,
                                       Permission.MESSAGES_CALL}),
    Role.AUDITOR: frozenset({Permission.AUDIT_VIEW, *_STAFF_READ, Permission.BENEFICIARY_VIEW,
                             Permission.APPLICATION_VIEW, Permission.APPLICATION_EXPORT,
                             Permission.COMMITTEE_VIEW, Permission.FINANCE_VIEW,
                             Permission.VISIT_VIEW, Permission.REPORT_VIEW}),
    # A role of its own rather than the administrator's: erasing a person is a decision on
    # their rights, kept apart from managing accounts (and from the staff who hold the data).
    Role.DATA_PROTECTION_OFFICER: frozenset({*_STAFF_READ, Permission.BENEFICIARY_VIEW,
                                             Permission.DATA_PROTECTION}),
}

# Which permission each step of the dossier workflow needs (see grants/workflow.py).
ACTION_PERMISSIONS: dict[ApplicationAction, Permission] = {
    ApplicationAction.SUBMIT: Permission.APPLICATION_EDIT,
    ApplicationAction.WITHDRAW: Permission.APPLICATION_EDIT,
    ApplicationAction.DECLARE_ELIGIBLE: Permission.APPLICATION_SCREEN,
    ApplicationAction.DECLARE_INELIGIBLE: Permission.APPLICATION_SCREEN,
    ApplicationAction.DECLARE_INCOMPLETE: Permission.APPLICATION_SCREEN,
    ApplicationAction.START_REVIEW: Permission.SELECTION_DECIDE,
    ApplicationAction.SELECT: Permission.SELECTION_DECIDE,
    ApplicationAction.WAITLIST: Permission.SELECTION_DECIDE,
    ApplicationAction.REJECT: Permission.SELECTION_DECIDE,
    ApplicationAction.SIGN_AGREEMENT: Permission.GRANT_MANAGE,
    ApplicationAction.START_DISBURSEMENT: Permission.PAYMENT_EXECUTE,  # the first payment
    ApplicationAction.START_FOLLOW_UP: Permission.PROGRAMME_MANAGE,
    ApplicationAction.CLOSE: Permission.PROGRAMME_MANAGE,
    ApplicationAction.CANCEL: Permission.PROGRAMME_MANAGE,
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # an ASCII code, written to the audit log

    def __bool__(self) -> bool:
        return self.allowed


# How far a role reaches on objects; roles not listed reach everything their permissions allow.
ROLE_SCOPES: dict[Role, str] = {
    Role.INTAKE_AGENT: "region", Role.FIELD_OFFICER: "region",  # obj.region_id
    Role.APPLICANT: "owner",  # obj.owner_user_ids: the person's own records
    Role.COMMITTEE_MEMBER: "member", Role.COMMITTEE_CHAIR: "member",  # obj.member_user_ids
}
_SCOPE_ATTRIBUTE = {"region": "region_id", "owner": "owner_user_ids", "member": "member_user_ids"}


def _reach(user, role: Role, obj: Any) -> str | None:
    """The reason `role` reaches `obj` for `user`, or None."""
    scope = ROLE_SCOPES.get(role)
    if scope is None or not hasattr(obj, _SCOPE_ATTRIBUTE[scope]):
        return "role"  # a national role, or an object that belongs to no region or person
    if scope == "owner":
        return "owner" if user.id in obj.owner_user_ids else None
    if scope == "member":
        return "member" if user.id in obj.member_user_ids else None
    if obj.region_id is not None:
        return "region" if obj.region_id in user.region_ids else None
    # A record that keeps no region (a consent refusal) stays visible to the one who made it.
    return "creator" if getattr(obj, "created_by_id", None) == user.id else None


def can(user, permission: Permission, obj: Any = None) -> Decision:
    """Decide whether `user` holds `permission`, on `obj` when given (see ROLE_SCOPES): the
    decision holds the reason, an ASCII code written to the audit log when access is refused."""
    if not getattr(user, "is_authenticated", False):
        return Decision(False, "not_authenticated")
    if not user.is_active:
        return Decision(False, "inactive")
    granting = [role for role in user.roles if permission in ROLE_PERMISSIONS[role]]
    if not granting:
        return Decision(False, "missing_permission")
    if obj is None:
        return Decision(True, "role")
    reasons = {_reach(user, role, obj) for role in granting} - {None}
    if not reasons:
        return Decision(False, "out_of_scope")
    return Decision(True, "role" if "role" in reasons else sorted(reasons)[0])


def deny(permission: Permission, decision: Decision, obj: Any = None) -> None:
    from grants.services.audit import record_denied

    write_transaction(db.session)  # a GET page writes the audit row
    record_denied(current_user, permission, decision.reason, obj)
    db.session.commit()


def require(permission: Permission) -> Callable:
    """View decorator: anonymous users go to the login page, others without the permission get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from grants.extensions import login_manager

                return login_manager.unauthorized()
            decision = can(current_user, permission)
            if not decision:
                deny(permission, decision)
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_permission = permission  # read by the route × role matrix test
        return wrapped

    return decorator


def get_or_404(model, object_id: Any, permission: Permission, options: Sequence[Any] = ()):
    """Load an object the current user may act on with `permission`; 404 otherwise (an id no
    row can have, such as one posted beyond the database's integers, is not found either).
    `options`: loader options, for a page that needs less (or more) of the object's relations."""
    if not isinstance(object_id, int) or not 0 < object_id < 2**63:
        abort(404)
    obj = db.session.get(model, object_id, options=options) if options else \
        db.session.get(model, object_id)
    if obj is None:
        abort(404)
    decision = can(current_user, permission, obj)
    if not decision:
        deny(permission, decision, obj)
        abort(404)
    return obj


def region_scope(user, permission: Permission) -> frozenset[int] | None:
    """For lists: None when `user` holds `permission` everywhere, else the regions it reaches."""
    granting = {role for role in user.roles if permission in ROLE_PERMISSIONS[role]}
    if granting - REGION_SCOPED_ROLES - {Role.APPLICANT}:
        return None
    return user.region_ids if granting & REGION_SCOPED_ROLES else frozenset()


def owner_scope(user, permission: Permission) -> bool:
    """For lists: True when `user` reaches `permission` only as an owner (applicants)."""
    granting = {role for role in user.roles if permission in ROLE_PERMISSIONS[role]}
    return granting == {Role.APPLICANT}

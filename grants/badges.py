"""The one colour table of status badges: each status a page shows as a badge has its Bootstrap
colour here, and `{{ badge(status) }}` (templates/_badges.html) reads it through the `colour`
filter. A new status gets its colour here, never in a template.

Keyed by enum first: members of two enums with the same code are equal strings
(`VisitStatus.SUBMITTED == SheetStatus.SUBMITTED`), so one flat dict would mix them up."""

from enum import Enum

from grants.models.audit import Outcome as AuditOutcome
from grants.models.committees import Decision, SessionStatus, SheetStatus
from grants.models.finance import BatchStatus, GrantStatus, TrancheStatus
from grants.models.imports import ImportStatus, RowOutcome, RowStatus
from grants.models.jobs import JobStatus
from grants.models.notifications import MessageState
from grants.services.money.batches import Outcome as ImportOutcome
from grants.vocabulary import CallStatus, Recommendation, VerificationStatus
from grants.workflow import ApplicationStatus, ReferralStatus, VisitStatus

S = ApplicationStatus

COLOURS: dict[type[Enum], dict[Enum, str]] = {
    # intake
    ApplicationStatus: {
        S.DRAFT: "secondary", S.SUBMITTED: "primary", S.ELIGIBLE: "success",
        S.INELIGIBLE: "danger", S.INCOMPLETE: "warning", S.UNDER_REVIEW: "info",
        S.SELECTED: "success", S.WAITLISTED: "warning", S.REJECTED: "danger",
        S.AGREEMENT_SIGNED: "success", S.IN_DISBURSEMENT: "success", S.IN_FOLLOW_UP: "success",
        S.CLOSED: "dark", S.WITHDRAWN: "dark", S.CANCELLED: "dark"},
    VerificationStatus: {
        VerificationStatus.UNVERIFIED: "secondary", VerificationStatus.VERIFIED: "success",
        VerificationStatus.SUSPECTED_DUPLICATE: "warning", VerificationStatus.REJECTED: "danger"},
    CallStatus: {CallStatus.DRAFT: "secondary", CallStatus.OPEN: "success",
                 CallStatus.CLOSED: "dark"},
    # committees (a decision colours its row of the ranking: `table-<colour>`)
    SessionStatus: {SessionStatus.SCORING: "primary", SessionStatus.FINALISED: "success"},
    SheetStatus: {SheetStatus.DRAFT: "warning", SheetStatus.SUBMITTED: "success"},
    Decision: {Decision.SELECTED: "success", Decision.WAITLISTED: "warning",
               Decision.REJECTED: "danger"},
    # background jobs
    JobStatus: {JobStatus.QUEUED: "secondary", JobStatus.RUNNING: "primary",
                JobStatus.DONE: "success", JobStatus.FAILED: "danger"},
    # messages to returnees
    MessageState: {MessageState.QUEUED: "secondary", MessageState.SENT: "primary",
                   MessageState.DELIVERED: "success", MessageState.FAILED: "danger",
                   MessageState.CANCELLED: "dark"},
    # money
    GrantStatus: {GrantStatus.DRAFT: "secondary", GrantStatus.SIGNED: "success",
                  GrantStatus.CANCELLED: "dark"},
    TrancheStatus: {TrancheStatus.PLANNED: "secondary", TrancheStatus.ELIGIBLE: "primary",
                    TrancheStatus.ORDERED: "warning", TrancheStatus.PAID: "success",
                    TrancheStatus.CANCELLED: "dark"},
    BatchStatus: dict.fromkeys(BatchStatus, "secondary"),
    ImportOutcome: {**dict.fromkeys(ImportOutcome, "danger"), ImportOutcome.PAID: "success",
                    ImportOutcome.FAILED: "warning", ImportOutcome.ALREADY: "secondary"},
    # follow-up
    VisitStatus: {VisitStatus.PLANNED: "secondary", VisitStatus.SUBMITTED: "warning",
                  VisitStatus.VALIDATED: "success", VisitStatus.CANCELLED: "dark"},
    Recommendation: {Recommendation.FAVOURABLE: "success", Recommendation.RESERVATIONS: "info",
                     Recommendation.UNFAVOURABLE: "danger"},
    ReferralStatus: {ReferralStatus.PROPOSED: "secondary", ReferralStatus.ACCEPTED: "primary",
                     ReferralStatus.DONE: "success", ReferralStatus.REFUSED: "danger",
                     ReferralStatus.NO_FOLLOW_UP: "dark"},
    # imports of partner lists
    ImportStatus: {ImportStatus.UPLOADED: "secondary", ImportStatus.PREVIEWED: "primary",
                   ImportStatus.QUEUED: "warning", ImportStatus.IMPORTED: "success",
                   ImportStatus.UNDONE: "dark", ImportStatus.EXPIRED: "light"},
    RowStatus: {RowStatus.NEW: "success", RowStatus.DUPLICATE: "info",
                RowStatus.FILE_DUPLICATE: "warning", RowStatus.ERROR: "danger"},
    RowOutcome: {RowOutcome.CREATED: "success", RowOutcome.LINKED: "info",
                 RowOutcome.SKIPPED: "secondary", RowOutcome.REMOVED: "dark"},
    # the audit log
    AuditOutcome: {AuditOutcome.OK: "success", AuditOutcome.DENIED: "danger",
                   AuditOutcome.FAILED: "warning"},
}


def colour(status: Enum) -> str:
    """The Bootstrap colour of a status (KeyError for one without a colour: add it above)."""
    return COLOURS[type(status)][status]


def register(app) -> None:
    app.add_template_filter(colour, "colour")

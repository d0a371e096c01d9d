"""Every model, imported here so that Alembic sees the whole schema."""

from grants.models.accounts import (
    REGION_SCOPED_ROLES,
    SEGREGATED_ROLES,
    Role,
    User,
    UserRole,
    UserSession,
    user_region,
)
from grants.models.applications import (
    Application,
    ApplicationEvent,
    ApplicationMember,
    ApplicationRevision,
    Attachment,
    BudgetLine,
    ReferenceCounter,
)
from grants.models.audit import AuditEvent, Outcome
from grants.models.beneficiaries import Beneficiary, BeneficiaryRestricted, Consent, DuplicateReview
from grants.models.calls import Call, call_region
from grants.models.committees import (
    CommitteeSession,
    Criterion,
    Decision,
    DecisionReason,
    InterestDeclaration,
    Minutes,
    Score,
    ScoreSheet,
    ScoringGrid,
    Seat,
    SessionDossier,
    SessionMember,
    SessionStatus,
    SheetStatus,
)
from grants.models.finance import (
    Account,
    AgreementCopy,
    BatchLine,
    BatchStatus,
    BudgetEnvelope,
    Channel,
    Grant,
    GrantStatus,
    LedgerEntry,
    LineResult,
    MoneyAction,
    Payment,
    PaymentBatch,
    PaymentKind,
    Tranche,
    TrancheCondition,
    TrancheStatus,
)
from grants.models.imports import (
    ImportBatch,
    ImportHolds,
    ImportMapping,
    ImportRow,
    ImportStatus,
    PastDossier,
    PastOutcome,
    RowDecision,
    RowOutcome,
    RowStatus,
)
from grants.models.jobs import Job, JobStatus
from grants.models.notifications import (
    ContactChannel,
    ContactPreference,
    DigestChannel,
    MessageEvent,
    MessageState,
    MessageTemplate,
    OutboundMessage,
    ReminderPreference,
)
from grants.models.reference import Region
from grants.models.reports import REPORT_FORMATS, IndicatorReport, IndicatorReportFile
from grants.models.screening import CheckItem, CheckResult, Screening, ScreeningItem, ScreeningOutcome
from grants.models.visits import (
    Partner,
    Referral,
    SustainabilityScore,
    Visit,
    VisitItem,
    VisitPhoto,
    VisitSubmission,
    WeightSet,
)

__all__ = [
    "Account", "AgreementCopy", "BatchLine", "BatchStatus", "LineResult", "PaymentBatch",
    "Channel", "Grant", "GrantStatus", "LedgerEntry", "MoneyAction", "Payment",
    "PaymentKind", "Tranche", "TrancheCondition", "TrancheStatus",
    "REGION_SCOPED_ROLES", "SEGREGATED_ROLES", "Application", "ApplicationEvent", "ApplicationMember",
    "ApplicationRevision", "Attachment", "AuditEvent", "Beneficiary", "BeneficiaryRestricted",
    "BudgetEnvelope", "BudgetLine", "Call", "CheckItem", "CheckResult", "CommitteeSession",
    "Consent", "Criterion", "Decision", "DecisionReason", "InterestDeclaration", "Minutes",
    "Score", "ScoreSheet", "ScoringGrid", "Seat", "SessionDossier", "SessionMember",
    "SessionStatus", "SheetStatus",
    "DuplicateReview", "Outcome", "ReferenceCounter", "Region", "Role", "Screening",
    "ScreeningItem", "ScreeningOutcome", "User", "UserRole", "UserSession", "call_region",
    "user_region", "Partner", "Referral", "SustainabilityScore", "Visit", "VisitItem",
    "VisitPhoto", "VisitSubmission", "WeightSet", "Job", "JobStatus",
    "IndicatorReport", "IndicatorReportFile", "REPORT_FORMATS",
    "ContactChannel", "ContactPreference", "DigestChannel", "MessageEvent", "MessageState",
    "MessageTemplate", "ReminderPreference",
    "OutboundMessage",
    "ImportBatch", "ImportHolds", "ImportMapping", "ImportRow", "ImportStatus", "PastDossier",
    "PastOutcome", "RowDecision", "RowOutcome",
    "RowStatus",
]

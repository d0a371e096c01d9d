"""The life of an application (dossier), as data: one status enum, one transition table.

`transition()` in services/applications.py is the only way to change a dossier's status; it
looks the move up here, checks the permission named here and records who did it, when and why.
Keys are ASCII and never translated; only labels are."""

from flask_babel import lazy_gettext as _l

from grants.vocabulary import LabelledEnum


class ApplicationStatus(LabelledEnum):
    DRAFT = "draft", _l("Draft")
    SUBMITTED = "submitted", _l("Submitted")
    ELIGIBLE = "eligible", _l("Eligible")
    INELIGIBLE = "ineligible", _l("Ineligible")
    INCOMPLETE = "incomplete", _l("Incomplete")
    UNDER_REVIEW = "under_review", _l("Under review by the committee")
    SELECTED = "selected", _l("Selected")
    WAITLISTED = "waitlisted", _l("Waiting list")
    REJECTED = "rejected", _l("Not selected")
    AGREEMENT_SIGNED = "agreement_signed", _l("Agreement signed")
    IN_DISBURSEMENT = "in_disbursement", _l("In disbursement")
    IN_FOLLOW_UP = "in_follow_up", _l("In follow-up")
    CLOSED = "closed", _l("Closed")
    WITHDRAWN = "withdrawn", _l("Withdrawn")
    CANCELLED = "cancelled", _l("Cancelled")

    @property
    def is_editable(self) -> bool:
        """The applicant or intake staff may still change the dossier freely."""
        return self in EDITABLE_STATUSES

    @property
    def is_revisable(self) -> bool:
        """Staff may correct the submitted dossier, as a revision with a reason."""
        return self in REVISABLE_STATUSES

    @property
    def awaits_screening(self) -> bool:
        return self == ApplicationStatus.SUBMITTED

    @property
    def plain_label(self) -> str:
        """The status as the applicant reads it on "My dossiers"."""
        return str(APPLICANT_WORDS[self][0])

    @property
    def next_step(self) -> str:
        """What happens next, in a sentence for the applicant."""
        return str(APPLICANT_WORDS[self][1])

    @property
    def is_closed_for_applicant(self) -> bool:
        """Nothing more will happen to the dossier (its card is shown muted)."""
        return self in (S.INELIGIBLE, S.REJECTED, S.CLOSED, S.WITHDRAWN, S.CANCELLED)


class ApplicationAction(LabelledEnum):
    SUBMIT = "submit", _l("Submit")
    DECLARE_ELIGIBLE = "declare_eligible", _l("Declare eligible")
    DECLARE_INELIGIBLE = "declare_ineligible", _l("Declare ineligible")
    DECLARE_INCOMPLETE = "declare_incomplete", _l("Send back as incomplete")
    START_REVIEW = "start_review", _l("Send to the committee")
    SELECT = "select", _l("Select")
    WAITLIST = "waitlist", _l("Put on the waiting list")
    REJECT = "reject", _l("Reject")
    SIGN_AGREEMENT = "sign_agreement", _l("Sign the agreement")
    START_DISBURSEMENT = "start_disbursement", _l("Start disbursement")
    START_FOLLOW_UP = "start_follow_up", _l("Start follow-up")
    CLOSE = "close", _l("Close")
    WITHDRAW = "withdraw", _l("Withdraw")
    CANCEL = "cancel", _l("Cancel")


S, A = ApplicationStatus, ApplicationAction

TRANSITIONS: dict[tuple[ApplicationStatus, ApplicationAction], ApplicationStatus] = {
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.INCOMPLETE, A.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, A.DECLARE_ELIGIBLE): S.ELIGIBLE,
    (S.SUBMITTED, A.DECLARE_INELIGIBLE): S.INELIGIBLE,
    (S.SUBMITTED, A.DECLARE_INCOMPLETE): S.INCOMPLETE,
    (S.ELIGIBLE, A.START_REVIEW): S.UNDER_REVIEW,
    (S.UNDER_REVIEW, A.SELECT): S.SELECTED,
    (S.UNDER_REVIEW, A.WAITLIST): S.WAITLISTED,
    (S.UNDER_REVIEW, A.REJECT): S.REJECTED,
    (S.WAITLISTED, A.SELECT): S.SELECTED,  # promotion from the waiting list
    (S.WAITLISTED, A.REJECT): S.REJECTED,
    (S.SELECTED, A.SIGN_AGREEMENT): S.AGREEMENT_SIGNED,
    (S.AGREEMENT_SIGNED, A.START_DISBURSEMENT): S.IN_DISBURSEMENT,
    (S.IN_DISBURSEMENT, A.START_FOLLOW_UP): S.IN_FOLLOW_UP,
    (S.IN_FOLLOW_UP, A.CLOSE): S.CLOSED,
    **{(status, A.WITHDRAW): S.WITHDRAWN for status in (
        S.DRAFT, S.SUBMITTED, S.INCOMPLETE, S.ELIGIBLE, S.UNDER_REVIEW, S.SELECTED, S.WAITLISTED)},
    **{(status, A.CANCEL): S.CANCELLED for status in (
        S.SELECTED, S.AGREEMENT_SIGNED, S.IN_DISBURSEMENT, S.IN_FOLLOW_UP)},
}

# Statuses in which a dossier holds (or is about to hold) a grant: one at a time per person.
ACTIVE_GRANT_STATUSES = frozenset({S.SELECTED, S.AGREEMENT_SIGNED, S.IN_DISBURSEMENT,
                                   S.IN_FOLLOW_UP})
# Statuses in which the applicant or intake staff may still change the dossier freely.
EDITABLE_STATUSES = frozenset({S.DRAFT, S.INCOMPLETE})
# After submission, staff may correct a dossier (as a revision with a reason) until review.
REVISABLE_STATUSES = frozenset({S.SUBMITTED, S.ELIGIBLE})
# Statuses where the comment of a transition is compulsory.
COMMENT_REQUIRED = frozenset({A.DECLARE_INELIGIBLE, A.DECLARE_INCOMPLETE, A.WITHDRAW, A.CANCEL})


# The applicant's words for each status, and what happens next ("My dossiers").
APPLICANT_WORDS: dict[ApplicationStatus, tuple[object, object]] = {
    S.DRAFT: (_l("Being prepared"), _l(
        "Complete your dossier and submit it. The intake office checks it once submitted.")),
    S.SUBMITTED: (_l("Received, being checked"), _l(
        "The intake office checks that your dossier is complete and meets the call's conditions. "
        "We will call you or send you a message.")),
    S.INCOMPLETE: (_l("Something is missing"), _l(
        "Your dossier lacks a document or some information: complete it and submit it again, or "
        "go to the intake office.")),
    S.ELIGIBLE: (_l("Accepted for the committee"), _l(
        "Your dossier will be examined by the selection committee at its next session.")),
    S.INELIGIBLE: (_l("Not eligible"), _l(
        "Your dossier does not meet the call's conditions. The intake office can explain why.")),
    S.UNDER_REVIEW: (_l("Being examined by the committee"), _l(
        "The selection committee is scoring the dossiers. We will tell you its decision.")),
    S.SELECTED: (_l("Selected"), _l(
        "Your project is selected. The finance office will call you to sign the agreement.")),
    S.WAITLISTED: (_l("On the waiting list"), _l(
        "Your project may be funded if money becomes available. We will contact you.")),
    S.REJECTED: (_l("Not selected"), _l(
        "Your project was not selected this time. You may apply to a next call.")),
    S.AGREEMENT_SIGNED: (_l("Agreement signed"), _l(
        "The first payment is being prepared; you will receive it as the agreement says.")),
    S.IN_DISBURSEMENT: (_l("Being paid"), _l(
        "The payments of your grant are under way. A field officer will visit your project "
        "before the next one.")),
    S.IN_FOLLOW_UP: (_l("Followed up"), _l(
        "A field officer visits your project regularly to support it.")),
    S.CLOSED: (_l("Completed"), _l("The follow-up of your project is over. Nothing more to do.")),
    S.WITHDRAWN: (_l("Withdrawn"), _l(
        "This dossier was withdrawn. You may apply to a next call.")),
    S.CANCELLED: (_l("Cancelled"), _l(
        "This dossier was cancelled. The intake office can explain why.")),
}


def allowed_actions(status: ApplicationStatus) -> list[ApplicationAction]:
    return [action for (source, action) in TRANSITIONS if source == status]


# --- follow-up visits ------------------------------------------------------------------------
# `services/visits.py` moves visits through this table (and checks who may).

class VisitStatus(LabelledEnum):
    PLANNED = "planned", _l("Planned")
    SUBMITTED = "submitted", _l("Submitted, to validate")
    VALIDATED = "validated", _l("Validated")
    CANCELLED = "cancelled", _l("Cancelled")

    @property
    def is_planned(self) -> bool:
        """Not reported yet: the field officer fills it in (again, when sent back)."""
        return self == VisitStatus.PLANNED

    @property
    def awaits_validation(self) -> bool:
        return self == VisitStatus.SUBMITTED

    @property
    def is_open(self) -> bool:
        """Planned or waiting for validation: it may still be cancelled or reassigned."""
        return self in OPEN_VISIT_STATUSES

    @property
    def is_reported(self) -> bool:
        """The officer's report is in (submitted or validated)."""
        return self in (VisitStatus.SUBMITTED, VisitStatus.VALIDATED)

    @property
    def is_validated(self) -> bool:
        return self == VisitStatus.VALIDATED


class VisitAction(LabelledEnum):
    SUBMIT = "submit", _l("Submit")
    VALIDATE = "validate", _l("Validate")
    RETURN = "return", _l("Send back to the field officer")
    CANCEL = "cancel", _l("Cancel")


V, VA = VisitStatus, VisitAction
VISIT_TRANSITIONS: dict[tuple[VisitStatus, VisitAction], VisitStatus] = {
    (V.PLANNED, VA.SUBMIT): V.SUBMITTED,
    (V.SUBMITTED, VA.VALIDATE): V.VALIDATED,
    (V.SUBMITTED, VA.RETURN): V.PLANNED,  # corrected and submitted again by the officer
    (V.PLANNED, VA.CANCEL): V.CANCELLED,
    (V.SUBMITTED, VA.CANCEL): V.CANCELLED,
}
OPEN_VISIT_STATUSES = frozenset({V.PLANNED, V.SUBMITTED})


# --- referrals to partner services -----------------------------------------------------------

class ReferralStatus(LabelledEnum):
    PROPOSED = "proposed", _l("Proposed")
    ACCEPTED = "accepted", _l("Accepted by the partner")
    DONE = "done", _l("Service delivered")
    REFUSED = "refused", _l("Refused")
    NO_FOLLOW_UP = "no_follow_up", _l("No follow-up")


R = ReferralStatus
REFERRAL_TRANSITIONS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    R.PROPOSED: frozenset({R.ACCEPTED, R.REFUSED, R.NO_FOLLOW_UP}),
    R.ACCEPTED: frozenset({R.DONE, R.NO_FOLLOW_UP}),
    R.DONE: frozenset(), R.REFUSED: frozenset(), R.NO_FOLLOW_UP: frozenset(),
}

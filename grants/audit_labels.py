"""What the audit log's codes mean in words: each action as a sentence ("Tranche payée"), each
object type and detail key by its name. The codes stay ASCII in the database
(`services/audit.py` writes them); only these labels are translated, when shown.

An action is grouped under a theme ("Paiements", "Comités"): the log's filter searches the
theme and the sentence in the viewer's language, so "paiement" finds the tranches ordered and
paid, the reversals and the mobile-money batches."""

import unicodedata

from flask_babel import lazy_gettext as _l

from grants.workflow import ApplicationAction, ReferralStatus, VisitAction

# theme -> {action code: sentence}. A new audit.record("x.y") adds its code here
# (tests/test_audit_labels.py fails for a code without a sentence).
ACTION_THEMES: dict[str, tuple[object, dict[str, object]]] = {
    "accounts": (_l("Sign-in and accounts"), {
        "access.denied": _l("Access refused"),
        "auth.login": _l("Sign-in attempt"),
        "auth.session_started": _l("Session opened"),
        "auth.logout": _l("Signed out"),
        "auth.password_changed": _l("Password changed"),
        "user.locale_changed": _l("Language changed"),
        "user.created": _l("Account created"),
        "user.updated": _l("Account changed"),
        "user.activated": _l("Account reactivated"),
        "user.deactivated": _l("Account deactivated"),
        "user.password_reset": _l("Password reset"),
        "user.duties_combined": _l("Finance officer and accountant duties combined"),
        "user.duties_separated": _l("Finance officer and accountant duties separated again"),
    }),
    "returnees": (_l("Returnees"), {
        "beneficiary.registered": _l("Returnee registered"),
        "beneficiary.updated": _l("Returnee's record changed"),
        "beneficiary.not_duplicate": _l("Possible duplicate dismissed"),
        "beneficiary.consent_recorded": _l("Consent recorded"),
        "beneficiary.consent_withdrawn": _l("Consent withdrawn"),
        "beneficiary.restricted_read": _l("Confidential data read"),
        "beneficiary.restricted_updated": _l("Confidential data changed"),
        "import.imported": _l("Partner list imported"),
        "import.undone": _l("Import undone"),
        "import.mapping_saved": _l("Column mapping of an import saved"),
        "beneficiary.verification": _l("Identity verification changed"),
    }),
    "dossiers": (_l("Dossiers"), {
        "application.created": _l("Dossier created"),
        "application.updated": _l("Dossier changed"),
        "application.budget": _l("Dossier budget changed"),
        "application.document_added": _l("Document added to the dossier"),
        "application.revised": _l("Dossier corrected (revision)"),
        "application.member_added": _l("Member added to the dossier"),
        "application.member_removed": _l("Member removed from the dossier"),
        "application.shares": _l("Members' shares changed"),
        **{f"application.{action.value}": sentence for action, sentence in {
            ApplicationAction.SUBMIT: _l("Dossier submitted"),
            ApplicationAction.DECLARE_ELIGIBLE: _l("Dossier declared eligible"),
            ApplicationAction.DECLARE_INELIGIBLE: _l("Dossier declared ineligible"),
            ApplicationAction.DECLARE_INCOMPLETE: _l("Dossier sent back as incomplete"),
            ApplicationAction.START_REVIEW: _l("Dossier sent to the committee"),
            ApplicationAction.SELECT: _l("Dossier selected"),
            ApplicationAction.WAITLIST: _l("Dossier put on the waiting list"),
            ApplicationAction.REJECT: _l("Dossier not selected"),
            ApplicationAction.SIGN_AGREEMENT: _l("Dossier's agreement signed"),
            ApplicationAction.START_DISBURSEMENT: _l("Dossier's disbursement started"),
            ApplicationAction.START_FOLLOW_UP: _l("Dossier's follow-up started"),
            ApplicationAction.CLOSE: _l("Dossier closed"),
            ApplicationAction.WITHDRAW: _l("Dossier withdrawn"),
            ApplicationAction.CANCEL: _l("Dossier cancelled"),
        }.items()},
    }),
    "calls": (_l("Calls for projects"), {
        "call.created": _l("Call for projects created"),
        "call.updated": _l("Call for projects changed"),
        "call.status": _l("Call for projects' status changed"),
        "grid.saved": _l("Scoring grid saved"),
    }),
    "committees": (_l("Selection committees"), {
        "committee.session_created": _l("Committee session created"),
        "committee.session_declared": _l("Declaration of interests made for the session"),
        "committee.interest_declared": _l("Interest declared on a dossier"),
        "committee.sheet_saved": _l("Score sheet saved"),
        "committee.sheet_submitted": _l("Score sheet submitted"),
        "committee.sheet_reopened": _l("Score sheet reopened"),
        "committee.attendance": _l("Committee attendance recorded"),
        "committee.amount_set": _l("Amount granted set"),
        "committee.decision_forced": _l("Decision set by the chair"),
        "committee.finalised": _l("Committee decisions finalised"),
        "committee.promoted": _l("Dossier promoted from the waiting list"),
        "committee.minutes": _l("Committee minutes issued"),
    }),
    "agreements": (_l("Agreements"), {
        "grant.prepared": _l("Agreement drafted"),
        "grant.signed": _l("Agreement signed"),
        "grant.signed_copy_added": _l("Signed copy of the agreement added"),
        "grant.signed_copy_replaced": _l("Signed copy of the agreement replaced"),
        "grant.cancelled": _l("Agreement cancelled"),
    }),
    "payments": (_l("Payments"), {
        "tranche.condition_met": _l("Tranche due: its condition is met"),
        "tranche.ordered": _l("Tranche payment ordered"),
        "tranche.paid": _l("Tranche paid"),
        "payment.reversed": _l("Payment reversed"),
        "batch.created": _l("Mobile-money batch prepared"),
        "batch.approved": _l("Mobile-money batch approved"),
        "batch.line": _l("Mobile-money batch line result recorded"),
        "batch.line_removed": _l("Line removed from a mobile-money batch"),
        "batch.completed": _l("Mobile-money batch completed"),
    }),
    "envelopes": (_l("Budget envelopes"), {
        "envelope.created": _l("Budget envelope created"),
        "envelope.updated": _l("Budget envelope changed"),
        "envelope.closed": _l("Budget envelope closed"),
    }),
    "visits": (_l("Follow-up visits"), {
        "visits.planned": _l("Follow-up visits planned"),
        "visit.planned": _l("Follow-up visit planned"),
        "visits.assigned": _l("Follow-up visits assigned"),
        "visit.survey_read": _l("Visit questionnaire read"),
        "weight_set.loaded": _l("Sustainability weights loaded"),
        **{f"visit.{action.value}": sentence for action, sentence in {
            VisitAction.SUBMIT: _l("Follow-up visit submitted"),
            VisitAction.VALIDATE: _l("Follow-up visit validated"),
            VisitAction.RETURN: _l("Follow-up visit sent back to the field officer"),
            VisitAction.CANCEL: _l("Follow-up visit cancelled"),
        }.items()},
    }),
    "referrals": (_l("Referrals"), {
        "partner.saved": _l("Partner saved"),
        **{f"referral.{status.value}": sentence for status, sentence in {
            ReferralStatus.PROPOSED: _l("Referral proposed"),
            ReferralStatus.ACCEPTED: _l("Referral accepted by the partner"),
            ReferralStatus.DONE: _l("Referral: service delivered"),
            ReferralStatus.REFUSED: _l("Referral refused"),
            ReferralStatus.NO_FOLLOW_UP: _l("Referral without follow-up"),
        }.items()},
    }),
    "messages": (_l("Text messages"), {
        "message_template.saved": _l("Message text saved"),
        "message.called": _l("Returnee called instead of a text message"),
        "contact_preference.saved": _l("Contact preference saved"),
        "reminder_preference.saved": _l("Reminder preference saved"),
    }),
    "privacy": (_l("Data protection"), {
        "privacy.file_produced": _l("Personal file produced"),
        "privacy.erased": _l("Returnee erased on request"),
        "privacy.retention_applied": _l("Retention rules applied"),
    }),
    "reports": (_l("Reports"), {
        "report.issued": _l("Indicator report issued"),
    }),
}

ACTION_LABELS: dict[str, object] = {
    code: sentence for _theme, actions in ACTION_THEMES.values() for code, sentence in actions.items()}

OBJECT_LABELS: dict[str, object] = {
    "application": _l("Dossier"), "beneficiary": _l("Returnee"), "user_account": _l("Account"),
    "grant_agreement": _l("Agreement"), "tranche": _l("Tranche"),
    "payment_batch": _l("Mobile-money batch"), "budget_envelope": _l("Budget envelope"),
    "committee_session": _l("Committee session"), "score_sheet": _l("Score sheet"),
    "scoring_grid": _l("Scoring grid"), "call": _l("Call for projects"),
    "visit": _l("Follow-up visit"), "referral": _l("Referral"), "partner": _l("Partner"),
    "weight_set": _l("Weight set"), "message_template": _l("Message text"),
    "indicator_report": _l("Indicator report"),
    "import_batch": _l("Import"), "import_mapping": _l("Column mapping"),
}

DETAIL_LABELS: dict[str, object] = {
    "amount": _l("Amount"), "total": _l("Total"), "committed": _l("Committed"),
    "disbursed": _l("Disbursed"), "granted": _l("Amount granted"),
    "released": _l("Amount released"), "order": _l("Payment order"), "payment": _l("Payment no."),
    "visit": _l("Visit"), "visits": _l("Visits"), "session": _l("Session"),
    "members": _l("Members"), "dossiers": _l("Dossiers"), "quorum": _l("Quorum"),
    "conflicted": _l("Conflict of interest"), "decision": _l("Decision"),
    "present": _l("Members present"), "selected": _l("Selected"),
    "waitlisted": _l("On the waiting list"), "rank": _l("Rank"), "version": _l("Version"),
    "sha256": _l("SHA-256 fingerprint"), "member": _l("Committee member"),
    "reason": _l("Reason"), "criteria": _l("Criteria"), "pass_mark": _l("Pass mark"),
    "due_on": _l("Planned for"), "officer": _l("Field officer"), "partner": _l("Partner"),
    "service": _l("Service"), "from": _l("Before"), "to": _l("After"), "format": _l("Format"),
    "files": _l("Files"), "lines": _l("Lines"), "operator": _l("Operator"), "line": _l("Line"),
    "tranche": _l("Tranche"), "result": _l("Result"), "fiscal_year": _l("Fiscal year"),
    "event": _l("Event"), "language": _l("Language"), "locale": _l("Language"),
    "channel": _l("Channel"), "beneficiary": _l("Returnee"), "shares": _l("Shares (%)"),
    "call": _l("Call for projects"), "fields": _l("Fields changed"),
    "attachment": _l("Document"), "kind": _l("Kind of document"), "revision": _l("Revision"),
    "others": _l("Other records"), "processing_consent": _l("Consent to processing"),
    "scopes": _l("Consents"), "permission": _l("Permission"), "before": _l("Before"),
    "after": _l("After"), "filters": _l("Filters"), "recomputed": _l("Scores recomputed"),
    "roles": _l("Roles"), "regions": _l("Regions"), "active": _l("Active"),
    "file": _l("File"), "created": _l("Created"), "linked": _l("Linked"),
    "skipped": _l("Skipped"), "removed": _l("Removed"), "name": _l("Name"),
    "digest": _l("Daily digest"), "quiet": _l("Quiet hours"),
}

# Detail keys whose value is an amount in F CFA (written with money()).
MONEY_KEYS = frozenset({"amount", "total", "committed", "disbursed", "granted", "released"})


def action_label(code: str) -> str:
    """The sentence of an action code; an unknown code (an old row) is shown as it is."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def object_label(object_type: str | None) -> str:
    if not object_type:
        return ""
    label = OBJECT_LABELS.get(object_type)
    return str(label) if label is not None else object_type


def detail_label(key: str) -> str:
    label = DETAIL_LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ")


def folded(text: str) -> str:
    """Lower case without accents: "Paiement" and "paiément" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def matching_actions(typed: str) -> list[str]:
    """The action codes whose theme and sentence (in the current language) or code contain every
    word typed: "paiement" finds the payments' actions, "dossier soumis" the submissions."""
    words = folded(typed).split()
    if not words:
        return []
    found = []
    for theme, actions in ACTION_THEMES.values():
        for code, sentence in actions.items():
            haystack = folded(f"{theme} {sentence} {code}")
            if all(word in haystack for word in words):
                found.append(code)
    return found

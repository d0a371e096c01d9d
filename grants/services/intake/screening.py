"""Eligibility screening: the checklist of the call, suggested from the data, confirmed by staff."""

from datetime import date

from flask_babel import lazy_gettext as _l

from grants.extensions import db
from grants.models import (
    Application,
    CheckItem,
    CheckResult,
    Screening,
    ScreeningItem,
    ScreeningOutcome,
    User,
)
from grants.services.errors import ConflictError, ValidationError
from grants.services.intake.applications import transition
from grants.services.intake.members import active_grant_holders
from grants.vocabulary import VerificationStatus
from grants.workflow import ApplicationAction, ApplicationStatus

OUTCOME_ACTIONS = {
    ScreeningOutcome.ELIGIBLE: ApplicationAction.DECLARE_ELIGIBLE,
    ScreeningOutcome.INELIGIBLE: ApplicationAction.DECLARE_INELIGIBLE,
    ScreeningOutcome.INCOMPLETE: ApplicationAction.DECLARE_INCOMPLETE,
}


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def members_with_active_grant(app: Application) -> set[int]:
    """Members of `app` who already hold an active grant through another dossier."""
    return set(active_grant_holders([m.beneficiary_id for m in app.members], app.id))


def suggest(app: Application) -> dict[CheckItem, CheckResult]:
    """What the data says for each item of the checklist; staff confirm or overrule."""
    call, lead = app.call, app.lead
    yes, no = CheckResult.PASS, CheckResult.FAIL
    people = [m.beneficiary for m in app.members]
    ages_ok = all(p.birth_date and call.min_age <= _age_on(p.birth_date, call.closes_on)
                  <= call.max_age for p in people)
    documents = {a.kind.value for a in app.attachments}
    return {
        CheckItem.TARGET_GROUP: yes if lead.category and lead.category.value in call.target_categories
        else no,
        CheckItem.AGE: yes if ages_ok else no,
        CheckItem.REGION: yes if app.region_id in call.region_ids else no,
        CheckItem.DOCUMENTS: yes if set(call.required_documents) <= documents else no,
        CheckItem.AMOUNT_CAP: yes if 0 < app.requested_amount <= call.cap_per_project else no,
        CheckItem.NOT_DUPLICATE: yes if all(p.verification_status not in (
            VerificationStatus.SUSPECTED_DUPLICATE, VerificationStatus.REJECTED)
            for p in people) else no,
        CheckItem.NO_ACTIVE_GRANT: no if members_with_active_grant(app) else yes,
    }


def screen(actor: User, app: Application, *, results: dict[CheckItem, CheckResult],
           comments: dict[CheckItem, str], outcome: ScreeningOutcome,
           reason: str | None) -> Screening:
    """Record the checklist and move the dossier to eligible, ineligible or incomplete."""
    if app.status != ApplicationStatus.SUBMITTED:
        raise ConflictError(_l("Only a submitted dossier can be screened."))
    if set(results) != set(CheckItem):
        raise ValidationError(_l("Answer every item of the checklist."), "items")
    reason = (reason or "").strip() or None
    failed = [item for item, result in results.items() if result == CheckResult.FAIL]
    if outcome == ScreeningOutcome.ELIGIBLE and failed:
        raise ValidationError(_l("A dossier that fails an item cannot be declared eligible."),
                              "outcome")
    if outcome != ScreeningOutcome.ELIGIBLE and not reason:
        raise ValidationError(
            _l("Give the reason (ineligible) or say what is missing (incomplete)."), "reason")
    for item in failed:
        if not (comments.get(item) or "").strip():
            raise ValidationError(_l("Explain each item answered \"No\"."), "items")
    suggested = suggest(app)
    screening = Screening(application_id=app.id, outcome=outcome, reason=reason,
                          screened_by_id=actor.id)
    screening.items = [ScreeningItem(item=item, result=results[item], suggested=suggested[item],
                                     comment=(comments.get(item) or "").strip() or None)
                       for item in CheckItem]
    db.session.add(screening)
    transition(actor, app, OUTCOME_ACTIONS[outcome], reason)
    return screening

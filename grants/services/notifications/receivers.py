"""The domain events a returnee hears about, each turned into one message (grants/events.py).
Each key names the event and its object, so that a step sent twice queues one message. The
values are a closed list (templates.PLACEHOLDERS): nothing of health, vulnerabilities or
scores can reach a text."""

from datetime import date

import sqlalchemy as sa
from flask_babel import force_locale

from grants import events
from grants.extensions import db
from grants.models import (
    Application,
    ApplicationEvent,
    Beneficiary,
    Grant,
    MessageEvent,
    Payment,
    Tranche,
    Visit,
)
from grants.services.notifications.outbox import (
    cancel_queued,
    date_text,
    money_text,
    preference,
    queue,
)
from grants.vocabulary import ConsentScope
from grants.workflow import ApplicationAction

A = ApplicationAction
STEPS = {
    A.SUBMIT: MessageEvent.SUBMITTED,
    A.DECLARE_INCOMPLETE: MessageEvent.INCOMPLETE,
    A.DECLARE_ELIGIBLE: MessageEvent.ELIGIBLE,
    A.DECLARE_INELIGIBLE: MessageEvent.INELIGIBLE,
    A.SELECT: MessageEvent.SELECTED,
    A.WAITLIST: MessageEvent.WAITLISTED,
    A.REJECT: MessageEvent.NOT_SELECTED,
}
MISSING_MAX = 120  # the screening's words, cut to keep the message short


def _label(person: Beneficiary, labelled) -> str:
    """An enum's label in the returnee's language."""
    with force_locale(preference(person)[0]):
        return labelled.label


@events.returnee_registered.connect
def _registered(person: Beneficiary, **_) -> None:
    queue(person, MessageEvent.REGISTERED, f"registered:{person.id}", {})


@events.application_status_changed.connect
def _dossier_step(app: Application, action: ApplicationAction, comment: str | None = None,
                  **_) -> None:
    event = STEPS.get(action)
    if event is None:
        return
    # The n-th time this step happens to the dossier (a dossier may be incomplete twice).
    times = db.session.scalar(sa.select(sa.func.count()).select_from(ApplicationEvent).where(
        ApplicationEvent.application_id == app.id, ApplicationEvent.action == action))
    values = {"reference": app.reference or "", "date": date_text(date.today())}
    if event is MessageEvent.INCOMPLETE:
        values["missing"] = " ".join((comment or "").split())[:MISSING_MAX]
    queue(app.lead, event, f"{event.value}:{app.id}:{times}", values, app)


@events.agreement_prepared.connect
def _agreement_ready(grant: Grant, **_) -> None:
    app = grant.application
    queue(app.lead, MessageEvent.AGREEMENT_READY, f"agreement_ready:{grant.id}",
          {"agreement": grant.number, "amount": money_text(grant.amount),
           "reference": app.reference or ""}, app)


@events.tranche_paid.connect
def _tranche_paid(tranche: Tranche, payment: Payment, **_) -> None:
    app = tranche.grant.application
    queue(app.lead, MessageEvent.TRANCHE_PAID, f"tranche_paid:{payment.id}",
          {"amount": money_text(payment.amount), "date": date_text(payment.paid_on),
           "channel": _label(app.lead, payment.channel), "reference": app.reference or "",
           "agreement": tranche.grant.number}, app)


@events.visit_validated.connect
def _visit_result(visit: Visit, **_) -> None:
    app = visit.application
    result = _label(app.lead, visit.recommendation) if visit.recommendation else ""
    queue(app.lead, MessageEvent.VISIT_RESULT, f"visit_result:{visit.id}",
          {"date": date_text(visit.visited_on), "result": result,
           "reference": app.reference or ""}, app)


@events.consent_changed.connect
def _consent_changed(person: Beneficiary, consent=None, **_) -> None:
    """Opt-out: without the follow-up consent, nothing queued leaves."""
    if consent is None or ConsentScope.FOLLOW_UP not in consent.scopes:
        cancel_queued(person.id)

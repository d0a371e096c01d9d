"""Domain events: what one domain tells the others, in one place.

A service that changes something other domains care about sends a named signal (blinker, as
Flask and Indico do) instead of importing their services; the domains that react connect a
receiver in their own module. Receivers run at once, in the sender's transaction: what they
write is committed or rolled back with the change that caused it, and an exception in a receiver
refuses the whole operation. Work that may wait (a text message, a report) is queued by its
receiver as a background job, never done in the request.

Every signal is sent with the changed object as `sender` and these keyword arguments:

=========================== =============================== ===================================
signal                      sent by                         keyword arguments
=========================== =============================== ===================================
application_status_changed  intake.applications.transition  actor, action (ApplicationAction),
                                                            old (ApplicationStatus), comment
returnee_registered         intake.beneficiaries.register   actor
consent_changed             intake.beneficiaries            actor, consent (the new Consent or
                            (record_consent, withdraw)      None when withdrawn)
agreement_prepared          money.agreements.prepare_       actor
                            agreement
agreement_signed            money.agreements.sign_agreement actor
agreement_cancelled         money.agreements.cancel_grant   actor, reason
tranche_paid                money.payments.pay_ordered      actor, payment (Payment)
payment_reversed            money.payments.reverse_payment  actor, reversal (Payment),
                                                            original (Payment)
visit_validated             followup.visits.validate_visit  actor
=========================== =============================== ===================================

Receivers today: followup.visits plans the visits at the first payment (tranche_paid) and cancels
the planned ones of a cancelled agreement (agreement_cancelled); money.payments makes the tranche
that a validated favourable visit decides due (visit_validated); notifications.receivers queues
the returnee's message of each step they hear about (registration, the dossier's steps, the
agreement to sign, a tranche paid, a visit's result) and cancels the queued ones when the
follow-up consent is withdrawn (consent_changed). `connect_receivers()` imports the
modules that hold receivers; the application factory calls it."""

from importlib import import_module

from blinker import Namespace

_signals = Namespace()

application_status_changed = _signals.signal("application-status-changed", doc=(
    "A dossier moved through the workflow (grants/workflow.py)."))
returnee_registered = _signals.signal("returnee-registered", doc=(
    "A returnee was registered (with the consent read to them)."))
consent_changed = _signals.signal("consent-changed", doc=(
    "A returnee's consent was recorded, replaced or withdrawn."))
agreement_prepared = _signals.signal("agreement-prepared", doc=(
    "An agreement was drafted: it waits for the returnee's signature."))
agreement_signed = _signals.signal("agreement-signed", doc=(
    "An agreement was signed: the envelope is committed and the first tranche is due."))
agreement_cancelled = _signals.signal("agreement-cancelled", doc=(
    "A signed agreement was cancelled: its unpaid part went back to the envelope."))
tranche_paid = _signals.signal("tranche-paid", doc=(
    "A tranche was paid (on its own or as a line of a mobile-money batch)."))
payment_reversed = _signals.signal("payment-reversed", doc=(
    "A payment was reversed: mirror ledger legs, and the tranche is due again."))
visit_validated = _signals.signal("visit-validated", doc=(
    "A supervisor validated a follow-up visit."))

# The modules that connect receivers at import.
RECEIVERS = ("grants.services.followup.visits", "grants.services.money.payments",
             "grants.services.notifications.receivers")


def connect_receivers() -> None:
    for module in RECEIVERS:
        import_module(module)

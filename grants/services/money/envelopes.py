"""Budget envelopes: their appropriation (total), creation and closing. The total moves through
the transaction core (core.py) like every other amount."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from grants.database import utcnow
from grants.extensions import db
from grants.models import Account, BudgetEnvelope, User
from grants.permissions import Permission
from grants.services import audit
from grants.services.amounts import parse_amount
from grants.services.errors import ConflictError, ValidationError
from grants.services.money.core import allow, guarded, post_legs
from grants.vocabulary import FundingSource


class EnvelopeExhausted(ConflictError):
    """The envelope cannot cover the amount."""


class EnvelopeClosed(ConflictError):
    """The envelope is closed: nothing new is committed on it."""


def save_envelope(actor: User, envelope: BudgetEnvelope | None, *, name: str, fiscal_year: int,
                  funding_source: FundingSource | str, budget_line: str,
                  total: int) -> BudgetEnvelope:
    """Create or edit an envelope; its total is appropriated through the ledger."""
    total = parse_amount(total, "total", allow_zero=False)
    if not 2000 <= fiscal_year <= 2100:
        raise ValidationError(_l("Enter a fiscal year such as 2026."), "fiscal_year")
    if envelope is not None and envelope.closed_at is not None:
        raise ConflictError(_l("A closed envelope cannot be changed."))
    created = envelope is None
    if envelope is None:
        envelope = BudgetEnvelope()
    envelope.name, envelope.fiscal_year = name.strip(), fiscal_year
    envelope.funding_source = FundingSource(funding_source)  # a form gives its value
    envelope.budget_line = budget_line.strip()
    set_envelope_total(actor, envelope, total)  # the appropriation goes through the ledger
    audit.record("envelope.created" if created else "envelope.updated", actor, envelope,
                 details={"total": total, "fiscal_year": fiscal_year})
    return envelope


def set_envelope_total(actor: User, envelope: BudgetEnvelope, total: int) -> None:
    """The appropriation of an envelope; lowering it below what is committed is refused."""
    total = parse_amount(total, "total", allow_zero=False)
    delta = total - envelope.total if envelope.id else total
    if envelope.id is None:
        envelope.total = total
        db.session.add(envelope)
        db.session.flush()
    elif delta:
        guarded(sa.update(BudgetEnvelope).where(BudgetEnvelope.id == envelope.id,
                                                BudgetEnvelope.total == total - delta,
                                                BudgetEnvelope.committed <= total)
                .values(total=total),
                ValidationError(_l("The total cannot be below what is already committed."),
                                "total"))
        db.session.refresh(envelope)
    if delta > 0:
        post_legs("appropriation", envelope.id, actor,
                  [(Account.AVAILABLE, "D", delta), (Account.APPROPRIATION, "C", delta)])
    elif delta < 0:
        post_legs("appropriation", envelope.id, actor,
                  [(Account.APPROPRIATION, "D", -delta), (Account.AVAILABLE, "C", -delta)])


def close_envelope(actor: User, envelope: BudgetEnvelope) -> None:
    """Close the envelope for good: no new agreement is signed on it (the signature's guarded
    UPDATE checks it); the agreements already signed are paid as usual."""
    allow(actor, Permission.PROGRAMME_MANAGE)
    guarded(sa.update(BudgetEnvelope).where(BudgetEnvelope.id == envelope.id,
                                            BudgetEnvelope.closed_at.is_(None))
            .values(closed_at=utcnow()), _l("This envelope is already closed."))
    db.session.refresh(envelope)
    audit.record("envelope.closed", actor, envelope, details={
        "total": envelope.total, "committed": envelope.committed,
        "disbursed": envelope.disbursed})


def commitment_refused(envelope_id: int) -> ConflictError:
    """Why a guarded commitment changed no row of the envelope: it is closed, or it cannot cover
    the amount. Read after the refusal, only to word the message (nothing moves)."""
    closed = db.session.scalar(sa.select(BudgetEnvelope.closed_at)
                               .where(BudgetEnvelope.id == envelope_id))
    if closed is not None:
        return EnvelopeClosed(_l("The envelope is closed: no new agreement can be signed on it."))
    return EnvelopeExhausted(_l("The envelope cannot cover this agreement."))

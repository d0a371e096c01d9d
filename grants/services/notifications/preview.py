"""A template previewed with real data: the latest dossier, agreement and payment of the
programme fill its placeholders, and the text's SMS segments are counted on the server."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app

from grants.extensions import db
from grants.models import Application, Grant, Payment
from grants.services.notifications import segments, templates
from grants.services.notifications.outbox import date_text, money_text
from grants.vocabulary import Recommendation


@dataclass(frozen=True)
class Preview:
    text: str
    segments: segments.Segments


def sample_values() -> dict[str, str]:
    app = db.session.scalar(sa.select(Application).where(Application.reference.is_not(None))
                            .order_by(Application.id.desc()).limit(1))
    grant = db.session.scalar(sa.select(Grant).order_by(Grant.id.desc()).limit(1))
    payment = db.session.scalar(sa.select(Payment).order_by(Payment.id.desc()).limit(1))
    values = {"first_name": "Awa", "code": "ML-2026-000123", "reference": "AP-2026-0001",
              "missing": "la copie de la pièce d'identité", "agreement": "CV-2026-0001",
              "amount": money_text(1_500_000), "channel": "Orange Money",
              "date": date_text(date.today()), "result": Recommendation.FAVOURABLE.label}
    if app is not None:
        values.update(first_name=app.lead.first_name, code=app.lead.code,
                      reference=app.reference or "")
    if grant is not None:
        values.update(agreement=grant.number, amount=money_text(grant.amount))
    if payment is not None:
        values.update(amount=money_text(payment.amount), channel=payment.channel.label,
                      date=date_text(payment.paid_on))
    return values


def preview(body: str, values: dict[str, str] | None = None) -> Preview:
    """The text as a returnee would read it (refuses an unknown placeholder at "body")."""
    text = templates.render(templates.check_body(body), values or sample_values())
    if current_app.config["SMS_TO_GSM7"]:
        text = segments.to_gsm7(text)
    return Preview(text, segments.count_segments(text))

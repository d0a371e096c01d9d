"""The demo's messages: the walk through the services queued them (registration, each step of
the dossiers, agreements, payments, visits); with the development gateway, the ones due are
"sent" now, so that the SMS page shows them sent and the monthly count has a figure."""

from flask import current_app

from grants.extensions import db
from grants.models import ContactChannel, MessageState, OutboundMessage
from grants.services.notifications import gateways, sending


def seed() -> list[str]:
    if current_app.config["SMS_GATEWAY"] == "dev":
        sending.send_due(gateways.DevGateway(), current_app.config["SMS_MAX_ATTEMPTS"],
                         commit=db.session.commit)
    db.session.commit()
    counts = dict(db.session.execute(
        db.select(OutboundMessage.state, db.func.count()).group_by(OutboundMessage.state)).all())
    calls = db.session.scalar(db.select(db.func.count()).select_from(OutboundMessage).where(
        OutboundMessage.channel == ContactChannel.CALL,
        OutboundMessage.state == MessageState.QUEUED))
    return [f"Messages to returnees: {counts.get(MessageState.SENT, 0)} SMS sent (dev gateway), "
            f"{calls} on the agents' call lists"]

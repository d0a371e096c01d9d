"""The SMS gateways, plug-ins chosen by the SMS_GATEWAY setting: a name of GATEWAYS or
"package.module:Class". A gateway sends one message and returns the operator's id for it, or
raises GatewayError (the job then retries later) or MessageRejected (the operator will never take
this message: failed at once). The Orange HTTP gateway is in orange.py."""

import importlib
import itertools
from typing import Protocol


class GatewayError(Exception):
    """The gateway did not take the message (unreachable, refused): try again later."""


class MessageRejected(GatewayError):
    """The operator refused this message for good (a wrong number, a text it will not carry):
    sending it again would fail the same way."""


class Gateway(Protocol):
    name: str

    # `reference` is our message's id, which the operator's delivery receipt gives back.
    def send(self, phone: str, text: str, reference: str = "") -> str: ...


class DevGateway:
    """Development and demo: the message is "sent" at once and kept in memory; the outbox page
    (SMS sent) shows it like any other."""

    name = "dev"
    _numbers = itertools.count(1)
    sent: list[tuple[str, str]] = []  # (phone, text), the latest ones

    def send(self, phone: str, text: str, reference: str = "") -> str:
        DevGateway.sent = [*DevGateway.sent[-99:], (phone, text)]
        return f"dev-{next(self._numbers)}"


class FailingGateway:
    """Refuses every message, as an unreachable operator would (tests of the retries)."""

    name = "failing"

    def send(self, phone: str, text: str, reference: str = "") -> str:
        raise GatewayError("gateway unreachable")


GATEWAYS: dict[str, type] = {"dev": DevGateway, "failing": FailingGateway}
# Plug-ins by name, imported only when chosen (the HTTP client is not needed otherwise).
NAMED = {"orange": "grants.services.notifications.orange:OrangeGateway"}


def gateway_named(setting: str) -> Gateway:
    if setting in GATEWAYS:
        return GATEWAYS[setting]()
    setting = NAMED.get(setting, setting)
    module, _, attribute = setting.partition(":")
    if not attribute:
        raise ValueError(f"SMS_GATEWAY: unknown gateway {setting!r}")
    return getattr(importlib.import_module(module), attribute)()

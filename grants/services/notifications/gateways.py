"""The SMS gateways, plug-ins chosen by the SMS_GATEWAY setting: a name of GATEWAYS or
"package.module:Class". A gateway sends one message and returns the operator's id for it, or
raises GatewayError (the job then retries later). The Orange HTTP gateway, with its delivery
receipts, is a later plug-in (issue 14)."""

import importlib
import itertools
from typing import Protocol


class GatewayError(Exception):
    """The gateway did not take the message (unreachable, refused): try again later."""


class Gateway(Protocol):
    name: str

    def send(self, phone: str, text: str) -> str: ...


class DevGateway:
    """Development and demo: the message is "sent" at once and kept in memory; the outbox page
    (SMS sent) shows it like any other."""

    name = "dev"
    _numbers = itertools.count(1)
    sent: list[tuple[str, str]] = []  # (phone, text), the latest ones

    def send(self, phone: str, text: str) -> str:
        DevGateway.sent = [*DevGateway.sent[-99:], (phone, text)]
        return f"dev-{next(self._numbers)}"


class FailingGateway:
    """Refuses every message, as an unreachable operator would (tests of the retries)."""

    name = "failing"

    def send(self, phone: str, text: str) -> str:
        raise GatewayError("gateway unreachable")


GATEWAYS: dict[str, type] = {"dev": DevGateway, "failing": FailingGateway}


def gateway_named(setting: str) -> Gateway:
    if setting in GATEWAYS:
        return GATEWAYS[setting]()
    module, _, attribute = setting.partition(":")
    if not attribute:
        raise ValueError(f"SMS_GATEWAY: unknown gateway {setting!r}")
    return getattr(importlib.import_module(module), attribute)()

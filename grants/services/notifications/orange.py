"""The Orange SMS API (the operator's public "SMS Mali" API), chosen by SMS_GATEWAY = "orange".

An OAuth2 client-credentials token (client id and secret in HTTP Basic) is asked for once and
kept by the process until shortly before it expires; then one POST per message to the outbound
endpoint of our sender address. The operator's answers decide what the sending job does:

- 201: sent; the request's id (the end of its resourceURL) is the message's gateway id;
- 401: the token was revoked or expired early: a new token, and the message once more;
- 429, 5xx, a timeout or no connection: GatewayError, tried again later with the back-off;
- any other 4xx: MessageRejected, failed at once (sending it again would fail the same way).

Delivery receipts come back by callback (grants/services/notifications/receipts.py): each request
asks for one at our callback address (PUBLIC_URL, SMS_RECEIPT_SECRET) with our message's id as
its callbackData."""

import threading
import time
from collections.abc import Callable
from urllib.parse import quote

import requests
from flask import current_app

from grants.services.notifications.gateways import GatewayError, MessageRejected
from grants.services.notifications.receipts import receipt_url

TOKEN_MARGIN_SECONDS = 60  # a token this close to its expiry is renewed before use
RETRY_LATER = {408, 425, 429}  # and every 5xx


def _address(number: str) -> str:
    return number if number.startswith("tel:") else f"tel:{number}"


def _refusal(response: requests.Response) -> str:
    """The operator's reason, short: its JSON error text when it sends one."""
    try:
        body = response.json()
    except ValueError:
        body = None
    reason = ""
    if isinstance(body, dict):
        exception = body.get("requestError", {})
        if isinstance(exception, dict):
            for kind in ("serviceException", "policyException"):
                if isinstance(exception.get(kind), dict):
                    found = exception[kind]
                    reason = f"{found.get('messageId', '')} {found.get('text', '')}"
        reason = reason or str(body.get("description") or body.get("message") or "")
    return f"HTTP {response.status_code} {reason}".strip()[:300]


class OrangeGateway:
    name = "orange"
    # (base URL, client id) -> (token, monotonic time it stops being used): shared by every
    # gateway of the process, since the sending job makes a new one at each run.
    _tokens: dict[tuple[str, str], tuple[str, float]] = {}
    _lock = threading.Lock()

    def __init__(self, config=None, clock: Callable[[], float] = time.monotonic,
                 session: requests.Session | None = None):
        config = config if config is not None else current_app.config
        self.base_url = config["ORANGE_SMS_BASE_URL"].rstrip("/")
        self.client_id = config["ORANGE_SMS_CLIENT_ID"] or ""
        self.client_secret = config["ORANGE_SMS_CLIENT_SECRET"] or ""
        self.sender = _address(config["ORANGE_SMS_SENDER"] or "")
        self.sender_name = config["ORANGE_SMS_SENDER_NAME"]
        public, secret = config["PUBLIC_URL"], config["SMS_RECEIPT_SECRET"]
        self.receipt_url = receipt_url(public, secret) if public and secret else None
        self.timeout = config["ORANGE_SMS_TIMEOUT_SECONDS"]
        self.clock = clock
        self.http = session or requests.Session()
        if not (self.client_id and self.client_secret and self.sender != "tel:"):
            raise GatewayError("Orange SMS: ORANGE_SMS_CLIENT_ID, ORANGE_SMS_CLIENT_SECRET "
                               "and ORANGE_SMS_SENDER must be set")

    # --- the token ------------------------------------------------------------------------

    @property
    def _key(self) -> tuple[str, str]:
        return (self.base_url, self.client_id)

    def token(self) -> str:
        with self._lock:
            kept = self._tokens.get(self._key)
            if kept and kept[1] > self.clock():
                return kept[0]
            token, lifetime = self._new_token()
            self._tokens[self._key] = (token, self.clock() + max(lifetime - TOKEN_MARGIN_SECONDS, 0))
            return token

    def forget_token(self) -> None:
        with self._lock:
            self._tokens.pop(self._key, None)

    @classmethod
    def forget_all_tokens(cls) -> None:
        """After new credentials (and between tests): every process token asked again."""
        with cls._lock:
            cls._tokens.clear()

    def _new_token(self) -> tuple[str, int]:
        try:
            response = self.http.post(
                f"{self.base_url}/oauth/v3/token", data={"grant_type": "client_credentials"},
                auth=(self.client_id, self.client_secret),
                headers={"Accept": "application/json"}, timeout=self.timeout)
        except requests.RequestException as error:
            raise GatewayError(f"Orange token: {type(error).__name__}") from error
        if response.status_code != 200:
            # Wrong credentials are ours to fix, not the message's fault: it waits meanwhile.
            raise GatewayError(f"Orange token: {_refusal(response)}")
        try:
            body = response.json()
            return str(body["access_token"]), int(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError) as error:
            raise GatewayError("Orange token: unreadable answer") from error

    # --- a message ------------------------------------------------------------------------

    def send(self, phone: str, text: str, reference: str = "") -> str:
        response = self._post(phone, text, reference, self.token())
        if response.status_code == 401:  # revoked or expired early: one new token, once
            self.forget_token()
            response = self._post(phone, text, reference, self.token())
        return self._outcome(response)

    def _post(self, phone: str, text: str, reference: str, token: str) -> requests.Response:
        request: dict = {"address": _address(phone), "senderAddress": self.sender,
                         "outboundSMSTextMessage": {"message": text}}
        if self.sender_name:
            request["senderName"] = self.sender_name
        if self.receipt_url and reference:
            request["receiptRequest"] = {"notifyURL": self.receipt_url, "callbackData": reference}
        try:
            return self.http.post(
                f"{self.base_url}/smsmessaging/v1/outbound/{quote(self.sender, safe='')}/requests",
                json={"outboundSMSMessageRequest": request}, timeout=self.timeout,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
        except requests.RequestException as error:
            raise GatewayError(f"Orange SMS: {type(error).__name__}") from error

    @staticmethod
    def _outcome(response: requests.Response) -> str:
        status = response.status_code
        if status in (200, 201):
            try:
                url = response.json()["outboundSMSMessageRequest"]["resourceURL"]
            except (ValueError, KeyError, TypeError):
                url = ""
            return (str(url).rstrip("/").rsplit("/", 1)[-1] or "orange")[:100]
        if status == 401 or status in RETRY_LATER or status >= 500:
            raise GatewayError(f"Orange SMS: {_refusal(response)}")
        raise MessageRejected(f"Orange SMS: {_refusal(response)}")

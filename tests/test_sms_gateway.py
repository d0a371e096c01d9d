"""The Orange SMS gateway against a fake Orange server on loopback (a threaded werkzeug server
on a free port, scripted by each test): the token and its reuse, one POST per message, the
operator's refusals and what the sending job makes of them, and the delivery receipts posted
back to our callback address."""

import base64
import json
import threading
import time
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from grants.database import utcnow
from grants.extensions import db
from grants.models import MessageState, OutboundMessage, Role, User
from grants.services.notifications import gateways, receipts, sending
from grants.services.notifications.gateways import GatewayError
from grants.services.notifications.orange import OrangeGateway
from tests import factories
from tests.conftest import committed

PHONE = "+22376000001"
SECRET = "test-receipt-secret"  # tests/conftest.py's SMS_RECEIPT_SECRET
SENDER = "tel:+2230000"


class FakeOrange:
    """The two endpoints of the Orange SMS API that the gateway uses. Answers are taken from
    the scripted lists first (status, JSON body or "slow"), then the normal answer."""

    def __init__(self):
        self.token_script: list = []
        self.send_script: list = []
        self.token_requests: list[dict] = []
        self.send_requests: list[dict] = []
        self.tokens = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        request = Request(environ)
        with self.lock:
            if request.path == "/oauth/v3/token" and request.method == "POST":
                answer = self._token(request)
            elif request.path.startswith("/smsmessaging/v1/outbound/") and request.method == "POST":
                answer = self._send(request)
            else:
                answer = (404, {"code": 404})
        if answer == "slow":
            time.sleep(1.5)
            answer = (201, {})
        status, body = answer
        return Response(json.dumps(body), status, content_type="application/json")(
            environ, start_response)

    def _token(self, request):
        self.token_requests.append({"authorization": request.headers.get("Authorization"),
                                    "form": parse_qs(request.get_data(as_text=True))})
        if self.token_script:
            return self.token_script.pop(0)
        self.tokens += 1
        return 200, {"token_type": "Bearer", "access_token": f"tok-{self.tokens}",
                     "expires_in": 3600}

    def _send(self, request):
        self.send_requests.append({"path": request.environ["RAW_URI"],  # as sent, encoded
                                   "authorization": request.headers.get("Authorization"),
                                   "body": request.get_json(silent=True)})
        if self.send_script:
            return self.send_script.pop(0)
        number = len(self.send_requests)
        return 201, {"outboundSMSMessageRequest": {
            "resourceURL": f"http://fake/smsmessaging/v1/outbound/tel%3A%2B2230000/requests/"
                           f"req-{number}"}}


@pytest.fixture
def orange():
    fake = FakeOrange()
    server = make_server("127.0.0.1", 0, fake, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    OrangeGateway.forget_all_tokens()  # each test starts without a token
    yield fake, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    OrangeGateway.forget_all_tokens()


def _config(url: str, **changes) -> dict:
    return {"ORANGE_SMS_BASE_URL": url, "ORANGE_SMS_CLIENT_ID": "client",
            "ORANGE_SMS_CLIENT_SECRET": "s3cret", "ORANGE_SMS_SENDER": SENDER,
            "ORANGE_SMS_SENDER_NAME": None, "ORANGE_SMS_TIMEOUT_SECONDS": 5,
            "PUBLIC_URL": "https://subventions.example.ml", "SMS_RECEIPT_SECRET": SECRET,
            **changes}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def queued(app, make_user):
    """A registered returnee with their queued messages; returns their ids."""
    manager_id = make_user(Role.PROGRAMME_MANAGER)
    with committed(app):
        person = factories.person(db.session.get(User, manager_id), phone=PHONE)
        person_id = person.id
    with app.app_context():
        ids = list(db.session.scalars(sa.select(OutboundMessage.id).where(
            OutboundMessage.beneficiary_id == person_id).order_by(OutboundMessage.id)))
    assert ids
    return ids


def _message(message_id: int) -> OutboundMessage:
    db.session.expire_all()
    return db.session.get_one(OutboundMessage, message_id)


def test_the_token_is_asked_once_then_reused_for_each_message(orange):
    fake, url = orange
    gateway = OrangeGateway(_config(url))
    assert gateway.send(PHONE, "Bonjour", "1") == "req-1"
    assert OrangeGateway(_config(url)).send(PHONE, "Bonjour encore", "2") == "req-2"
    assert len(fake.token_requests) == 1
    token_request = fake.token_requests[0]
    assert token_request["authorization"] == "Basic " + base64.b64encode(b"client:s3cret").decode()
    assert token_request["form"] == {"grant_type": ["client_credentials"]}
    assert [r["authorization"] for r in fake.send_requests] == ["Bearer tok-1"] * 2
    sent = fake.send_requests[0]
    assert sent["path"] == "/smsmessaging/v1/outbound/tel%3A%2B2230000/requests"
    assert sent["body"] == {"outboundSMSMessageRequest": {
        "address": f"tel:{PHONE}", "senderAddress": SENDER,
        "outboundSMSTextMessage": {"message": "Bonjour"},
        "receiptRequest": {
            "notifyURL": f"https://subventions.example.ml/messages/accuses-reception/{SECRET}",
            "callbackData": "1"}}}


def test_an_expiring_token_is_renewed_before_use(orange):
    fake, url = orange
    clock = Clock()
    fake.token_script = [(200, {"access_token": "short", "expires_in": 120})]
    gateway = OrangeGateway(_config(url), clock=clock)
    gateway.send(PHONE, "Un", "1")
    clock.now += 59  # still a minute left: kept
    gateway.send(PHONE, "Deux", "2")
    clock.now += 2  # under a minute left: renewed
    gateway.send(PHONE, "Trois", "3")
    assert [r["authorization"] for r in fake.send_requests] == [
        "Bearer short", "Bearer short", "Bearer tok-1"]
    assert len(fake.token_requests) == 2


def test_a_refused_token_keeps_the_message_for_later(orange):
    fake, url = orange
    fake.token_script = [(401, {"error": "invalid_client"})]
    with pytest.raises(GatewayError, match="token: HTTP 401"):
        OrangeGateway(_config(url)).send(PHONE, "Bonjour", "1")
    assert fake.send_requests == []


def test_a_gateway_without_credentials_refuses_to_start(orange):
    with pytest.raises(GatewayError, match="must be set"):
        OrangeGateway(_config(orange[1], ORANGE_SMS_CLIENT_SECRET=None))


def test_the_orange_setting_chooses_this_gateway(app, orange):
    with app.app_context():
        app.config.update(_config(orange[1]))
        assert isinstance(gateways.gateway_named("orange"), OrangeGateway)


def test_the_sending_job_sends_through_orange_and_records_its_id(app, orange, queued):
    fake, url = orange
    with app.app_context():
        app.config.update(_config(url))
        sent, refused = sending.send_due(gateways.gateway_named("orange"), 5)
        assert (sent, refused) == (len(queued), 0)
        first = _message(queued[0])
        assert (first.state, first.gateway_id, first.attempts) == (MessageState.SENT, "req-1", 1)
        assert fake.send_requests[0]["body"]["outboundSMSMessageRequest"]["receiptRequest"][
            "callbackData"] == str(first.id)
        assert fake.send_requests[0]["body"]["outboundSMSMessageRequest"][
            "outboundSMSTextMessage"]["message"] == first.text
        assert sending.send_due(gateways.gateway_named("orange"), 5) == (0, 0)  # nothing twice


def test_an_expired_token_401_gets_a_new_token_and_the_message_goes(app, orange, queued):
    fake, url = orange
    fake.send_script = [(401, {"code": 42, "message": "Expired credentials"})]
    with app.app_context():
        app.config.update(_config(url))
        sending.send_one(queued[0], gateways.gateway_named("orange"), utcnow(), 5)
        db.session.commit()
        message = _message(queued[0])
        assert (message.state, message.attempts) == (MessageState.SENT, 1)
    assert [r["authorization"] for r in fake.send_requests] == ["Bearer tok-1", "Bearer tok-2"]


def test_a_401_twice_waits_for_later_rather_than_failing(app, orange, queued):
    fake, url = orange
    fake.send_script = [(401, {}), (401, {})]
    with app.app_context():
        app.config.update(_config(url))
        now = utcnow()
        sending.send_one(queued[0], gateways.gateway_named("orange"), now, 5)
        message = _message(queued[0])
        assert (message.state, message.next_attempt_at) == (MessageState.QUEUED,
                                                            now + timedelta(minutes=1))
    assert len(fake.token_requests) == 2  # one renewal, not a loop


@pytest.mark.parametrize("status", [500, 503, 429])
def test_an_operator_error_is_retried_later_with_the_back_off(app, orange, queued, status):
    fake, url = orange
    fake.send_script = [(status, {"requestError": {"serviceException": {
        "messageId": "SVC0001", "text": "A service error occurred"}}})]
    with app.app_context():
        app.config.update(_config(url))
        now = utcnow()
        gateway = gateways.gateway_named("orange")
        sending.send_one(queued[0], gateway, now, 5)
        message = _message(queued[0])
        assert (message.state, message.attempts) == (MessageState.QUEUED, 1)
        assert message.next_attempt_at == now + timedelta(minutes=1)
        assert f"HTTP {status} SVC0001" in message.error
        assert sending.due_ids(now + timedelta(seconds=30)) == queued[1:]  # not due yet
        later = now + timedelta(minutes=1)
        sending.send_one(queued[0], gateway, later, 5)
        message = _message(queued[0])
        assert (message.state, message.attempts, message.error) == (MessageState.SENT, 2, None)


def test_a_message_the_operator_rejects_fails_at_once(app, orange, queued):
    fake, url = orange
    fake.send_script = [(400, {"requestError": {"serviceException": {
        "messageId": "SVC0004", "text": "No valid addresses provided"}}})]
    with app.app_context():
        app.config.update(_config(url))
        sending.send_one(queued[0], gateways.gateway_named("orange"), utcnow(), 5)
        message = _message(queued[0])
        assert (message.state, message.attempts, message.next_attempt_at) == (
            MessageState.FAILED, 1, None)
        assert "HTTP 400 SVC0004 No valid addresses provided" in message.error


def test_a_timeout_is_retried_later(app, orange, queued):
    fake, url = orange
    fake.send_script = ["slow"]
    with app.app_context():
        app.config.update(_config(url, ORANGE_SMS_TIMEOUT_SECONDS=0.3))
        started = time.monotonic()
        sending.send_one(queued[0], gateways.gateway_named("orange"), utcnow(), 5)
        assert time.monotonic() - started < 1.4  # it did not wait for the answer
        message = _message(queued[0])
        assert (message.state, message.attempts) == (MessageState.QUEUED, 1)
        assert "Timeout" in message.error


def test_an_unreachable_operator_is_retried_later(app, queued):
    with app.app_context():
        # A port nobody listens on: connection refused at once.
        app.config.update(_config("http://127.0.0.1:9"))
        sending.send_one(queued[0], gateways.gateway_named("orange"), utcnow(), 5)
        message = _message(queued[0])
        assert (message.state, message.attempts) == (MessageState.QUEUED, 1)
        assert "ConnectionError" in message.error


# --- delivery receipts --------------------------------------------------------------------

def _receipt(reference, status="DeliveredToTerminal") -> dict:
    return {"deliveryInfoNotification": {
        "callbackData": reference,
        "deliveryInfo": {"address": f"tel:{PHONE}", "deliveryStatus": status}}}


def _sent(app, queued) -> int:
    """The first message, sent through the dev gateway."""
    with app.app_context():
        sending.send_one(queued[0], gateways.DevGateway(), utcnow(), 5)
        db.session.commit()
    return queued[0]


def _state(app, message_id):
    with app.app_context():
        message = _message(message_id)
        return message.state, message.delivered_at is not None


def test_our_receipt_address_is_the_callback_route(app):
    with app.test_request_context():
        from flask import url_for

        assert receipts.receipt_url("https://x.ml/", SECRET) == "https://x.ml" + url_for(
            "messages.delivery_receipt", secret=SECRET)


def test_a_receipt_with_the_secret_marks_the_message_delivered_once(app, queued):
    client = app.test_client()
    message_id = _sent(app, queued)
    address = f"/messages/accuses-reception/{SECRET}"
    response = client.post(address, json=_receipt(str(message_id)))
    assert (response.status_code, response.json) == (200, {"result": "settled"})
    assert "Set-Cookie" not in response.headers  # no session for a machine
    assert _state(app, message_id) == (MessageState.DELIVERED, True)
    again = client.post(address, json=_receipt(str(message_id)))
    assert (again.status_code, again.json) == (200, {"result": "unchanged"})
    late_failure = client.post(address, json=_receipt(message_id, "DeliveryImpossible"))
    assert late_failure.json == {"result": "unchanged"}  # delivered stays delivered
    assert _state(app, message_id) == (MessageState.DELIVERED, True)


def test_an_impossible_delivery_fails_the_message_and_a_pending_one_changes_nothing(app, queued):
    client = app.test_client()
    message_id = _sent(app, queued)
    address = f"/messages/accuses-reception/{SECRET}"
    assert client.post(address, json=_receipt(str(message_id), "MessageWaiting")).json == {
        "result": "unchanged"}
    assert _state(app, message_id) == (MessageState.SENT, False)
    assert client.post(address, json=_receipt(str(message_id), "DeliveryImpossible")).json == {
        "result": "settled"}
    with app.app_context():
        message = _message(message_id)
        assert (message.state, message.error) == (MessageState.FAILED,
                                                  "receipt: DeliveryImpossible")


@pytest.mark.parametrize("address", [
    "/messages/accuses-reception/wrong-secret", f"/messages/accuses-reception/{SECRET}x",
    "/messages/accuses-reception/", "/messages/accuses-reception/test-receipt-secre"])
def test_a_receipt_without_the_secret_is_refused_and_changes_nothing(app, queued, address):
    message_id = _sent(app, queued)
    response = app.test_client().post(address, json=_receipt(str(message_id)))
    assert 400 <= response.status_code < 500  # 404 for a wrong secret
    assert _state(app, message_id) == (MessageState.SENT, False)


def test_no_receipt_is_accepted_when_no_secret_is_set(app, queued):
    message_id = _sent(app, queued)
    app.config["SMS_RECEIPT_SECRET"] = None
    response = app.test_client().post("/messages/accuses-reception/None",
                                      json=_receipt(str(message_id)))
    assert response.status_code == 404
    assert _state(app, message_id) == (MessageState.SENT, False)


@pytest.mark.parametrize("reference", ["999999", "99999999999999999999999", "abc", "-1", "١٢",
                                       "\x00", ""])
def test_a_receipt_for_a_message_we_do_not_know_changes_nothing(app, queued, reference):
    message_id = _sent(app, queued)
    response = app.test_client().post(f"/messages/accuses-reception/{SECRET}",
                                      json=_receipt(reference))
    assert (response.status_code, response.json) == (200, {"result": "unknown"})
    assert _state(app, message_id) == (MessageState.SENT, False)


@pytest.mark.parametrize("body", [
    {}, [], {"deliveryInfoNotification": None},
    {"deliveryInfoNotification": {"callbackData": "1"}},
    {"deliveryInfoNotification": {"callbackData": "1", "deliveryInfo": {
        "deliveryStatus": "Delivered!"}}},
    {"deliveryInfoNotification": {"callbackData": None, "deliveryInfo": {
        "deliveryStatus": "DeliveredToTerminal"}}}])
def test_a_body_that_is_not_a_receipt_is_refused_with_400(app, queued, body):
    message_id = _sent(app, queued)
    response = app.test_client().post(f"/messages/accuses-reception/{SECRET}", json=body)
    assert response.status_code == 400
    response = app.test_client().post(f"/messages/accuses-reception/{SECRET}",
                                      data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert _state(app, message_id) == (MessageState.SENT, False)

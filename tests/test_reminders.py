"""Staff reminders: the list of what waits for the viewer (the home page's to-dos that are not
zero, and referrals without news), the menu's count kept a short while, the digest preference
(none / SMS / e-mail, quiet hours) and the hourly digest job, through the outbox for SMS and a
fake SMTP server on loopback for e-mail."""

import email
import email.policy
import re
import socketserver
import threading
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from grants.database import utcnow
from grants.extensions import db
from grants.jobs import reminders as digest_job
from grants.models import (
    DigestChannel,
    MessageEvent,
    MessageState,
    OutboundMessage,
    Partner,
    Referral,
    ReminderPreference,
    Role,
    User,
)
from grants.reporting import dashboards, reminders
from grants.services.errors import ValidationError
from grants.services.intake import applications
from grants.services.notifications import sending, staff
from grants.services.notifications.gateways import DevGateway
from grants.vocabulary import ReferralService
from grants.workflow import ReferralStatus
from tests import factories
from tests.conftest import committed, count_queries, login

MORNING = datetime(2026, 12, 2, 8, 0)  # after REMINDER_DIGEST_HOUR (7)


@pytest.fixture
def screening(app, make_user):
    """A programme manager (with a phone) and two submitted dossiers waiting to be screened."""
    manager_id = make_user(Role.PROGRAMME_MANAGER, username="boss", phone="+22376111111")
    with committed(app):
        boss = db.session.get(User, manager_id)
        boss.email = "boss@example.ml"
        call = factories.open_call(boss)
        for n in range(2):
            lead = factories.person(boss, f"P{n}", "Test", id_number=f"D{n}")
            applications.submit(boss, factories.complete_dossier(boss, call, lead))
    return manager_id


def _badge(page: str) -> int | None:
    found = re.search(r"data-reminder-count>(\d+)<", page)
    return int(found.group(1)) if found else None


def test_the_reminders_are_the_home_todos_that_wait(app, client, screening):
    login(client, "boss")
    page = client.get("/rappels").get_data(as_text=True)
    assert re.search(r'data-reminder="screen">\s*<a href="/dossiers/\?status=submitted">'
                     r'Dossiers à examiner[^<]*</a>\s*<span[^>]*>2</span>', page)
    with app.test_request_context():
        boss = db.session.get(User, screening)
        expected = {t.key: t.count for t in dashboards.todos(boss) if t.count}
        assert {t.key: t.count for t in reminders.reminders(boss)} == expected
    assert 'data-reminder="overdue"' not in page  # zero: not a reminder
    assert _badge(page) == sum(expected.values())


def test_nothing_waits_for_a_new_staff_member(client, login_as):
    login_as(Role.AUDITOR)
    page = client.get("/rappels").get_data(as_text=True)
    assert "Rien ne vous attend." in page
    assert _badge(page) is None  # no count shown when it is zero
    assert 'href="/rappels"' in page  # the menu entry is there


def test_an_applicant_has_no_reminders(client, login_as):
    login_as(Role.APPLICANT)
    assert client.get("/rappels").status_code == 403
    assert 'href="/rappels"' not in client.get("/").get_data(as_text=True)


def test_referrals_without_news_are_reminders_in_the_officers_regions(app, make_user):
    field_id = make_user(Role.FIELD_OFFICER, regions=("01",))
    far_id = make_user(Role.FIELD_OFFICER, regions=("07",))
    manager_id = make_user(Role.PROGRAMME_MANAGER)
    with committed(app):
        manager = db.session.get(User, manager_id)
        person = factories.person(manager, region_id=factories.region("01").id)
        partner = Partner(name="ONG Santé", services=["health"])
        db.session.add(partner)
        db.session.flush()
        old = utcnow() - timedelta(days=31)
        for status, when in ((ReferralStatus.PROPOSED, old), (ReferralStatus.ACCEPTED, old),
                             (ReferralStatus.PROPOSED, utcnow()),  # recent: not yet
                             (ReferralStatus.DONE, old)):  # followed up
            db.session.add(Referral(beneficiary_id=person.id, region_id=person.region_id,
                                    partner_id=partner.id, service=ReferralService.HEALTH,
                                    reason="test", status=status, created_by_id=manager_id,
                                    created_at=when, updated_at=when))
    with app.test_request_context():
        field = {t.key: t for t in reminders.reminders(db.session.get(User, field_id))}
        far = {t.key: t for t in reminders.reminders(db.session.get(User, far_id))}
    assert field["referrals"].count == 2 and field["referrals"].url == "/suivi/orientations"
    assert "referrals" not in far


def test_the_menu_count_is_kept_a_short_while_and_costs_no_query_meanwhile(
        make_app, make_user, screening):
    app = make_app(REMINDER_BADGE_CACHE_SECONDS=60)
    client = app.test_client()
    login(client, "boss")
    assert _badge(client.get("/messages/").get_data(as_text=True)) == 2
    with count_queries(app) as cached:
        assert _badge(client.get("/messages/").get_data(as_text=True)) == 2
    with committed(app):  # a third dossier arrives: the count waits for the cache to expire
        boss = db.session.get(User, screening)
        lead = factories.person(boss, "P9", "Test", id_number="D9")
        call = factories.open_call(boss)
        applications.submit(boss, factories.complete_dossier(boss, call, lead))
    assert _badge(client.get("/messages/").get_data(as_text=True)) == 2
    app.extensions["reminder_badges"].clear()
    with count_queries(app) as counted:
        assert _badge(client.get("/messages/").get_data(as_text=True)) == 3
    assert counted[0] > cached[0]  # the counts ran only when the cache was empty
    # The reminders page counts anyway, and the menu takes its total at once.
    app.extensions["reminder_badges"][screening] = (float("inf"), 1)
    assert _badge(client.get("/rappels").get_data(as_text=True)) == 3


# --- the digest preference ----------------------------------------------------------------

def test_the_preference_is_saved_with_quiet_hours(app, client, screening):
    login(client, "boss")
    assert client.get("/rappels/preferences").status_code == 200
    response = client.post("/rappels/preferences", data={
        "digest": "sms", "quiet_start": "20", "quiet_end": "8"})
    assert response.status_code == 302
    with app.app_context():
        chosen = db.session.get(ReminderPreference, screening)
        assert (chosen.digest, chosen.quiet_start, chosen.quiet_end) == (DigestChannel.SMS, 20, 8)
        assert [chosen.is_quiet_at(h) for h in (19, 20, 23, 0, 7, 8)] == [
            False, True, True, True, True, False]
    page = client.get("/rappels").get_data(as_text=True)
    assert "Heures calmes : 20:00 à 08:00." in page or "Heures calmes: 20:00 à 08:00." in page


@pytest.mark.parametrize("data, field, message", [
    ({"digest": "email", "quiet_start": "", "quiet_end": ""}, "digest", "adresse e-mail"),
    ({"digest": "none", "quiet_start": "22", "quiet_end": ""}, "quiet_end", "aucun des deux"),
    ({"digest": "none", "quiet_start": "6", "quiet_end": "6"}, "quiet_end", "autre heure"),
    ({"digest": "sms", "quiet_start": "25", "quiet_end": "6"}, "quiet_start", ""),
    ({"digest": "pigeon", "quiet_start": "", "quiet_end": ""}, "digest", ""),
])
def test_a_wrong_preference_is_refused_at_its_field(app, client, make_user, data, field,
                                                   message):
    user_id = make_user(Role.ACCOUNTANT, username="clerk", phone="+22376222222")
    login(client, "clerk")  # no e-mail address on this account
    page = client.post("/rappels/preferences", data=data).get_data(as_text=True)
    errors = re.search(rf'id="{field}".*?(<div class="invalid-feedback.*?</div>)', page, re.S)
    assert errors and message in errors.group(1)
    with app.app_context():
        assert db.session.get(ReminderPreference, user_id) is None


def test_sms_needs_a_phone_on_the_account(app, make_user):
    user_id = make_user(Role.AUDITOR)
    with app.app_context():
        with pytest.raises(ValidationError) as refused:
            staff.save_preference(db.session.get(User, user_id), DigestChannel.SMS, None, None)
        assert refused.value.field == "digest"


# --- the digest job -------------------------------------------------------------------------

def _choose(app, user_id, digest, quiet=(None, None)):
    with committed(app):
        staff.save_preference(db.session.get(User, user_id), digest, *quiet)


def _digests(user_id) -> list[OutboundMessage]:
    return list(db.session.scalars(sa.select(OutboundMessage).where(
        OutboundMessage.user_id == user_id).order_by(OutboundMessage.id)))


def test_the_sms_digest_goes_through_the_outbox_once_a_day_with_counts_only(app, screening):
    _choose(app, screening, DigestChannel.SMS)
    with app.app_context():
        assert digest_job.send_digests(MORNING.replace(hour=6)) == (0, 0)  # before 07:00
        assert digest_job.send_digests(MORNING) == (1, 0)
        assert digest_job.send_digests(MORNING + timedelta(hours=1)) == (0, 0)  # once a day
        [message] = _digests(screening)
        assert (message.event, message.phone, message.beneficiary_id, message.state) == (
            MessageEvent.STAFF_DIGEST, "+22376111111", None, MessageState.QUEUED)
        assert message.text.startswith("Vos rappels du jour")
        assert "- Dossiers à examiner (recevabilité): 2" in message.text
        assert "P0" not in message.text and "P1" not in message.text  # no returnee's name
        sending.send_due(DevGateway(), 5)
        assert _digests(screening)[0].state is MessageState.SENT
        assert digest_job.send_digests(MORNING + timedelta(days=1)) == (1, 0)  # the next day


def test_the_digest_waits_for_the_end_of_quiet_hours(app, screening):
    _choose(app, screening, DigestChannel.SMS, (6, 10))
    with app.app_context():
        for hour in (7, 8, 9):
            assert digest_job.send_digests(MORNING.replace(hour=hour)) == (0, 0)
        assert _digests(screening) == []
        assert digest_job.send_digests(MORNING.replace(hour=10)) == (1, 0)


def test_no_digest_when_nothing_waits_or_none_chosen(app, make_user, screening):
    idle = make_user(Role.AUDITOR, phone="+22376333333")
    _choose(app, idle, DigestChannel.SMS)
    with app.app_context():
        assert digest_job.send_digests(MORNING) == (0, 0)  # the boss chose none
        assert _digests(idle) == [] and _digests(screening) == []


class FakeSMTP(socketserver.StreamRequestHandler):
    """Just enough SMTP to take one message: what was sent lands in the server's `received`."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 fake")
        while line := self.rfile.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 fake")
            elif command.startswith(("MAIL", "RCPT")):
                self.server.envelope.append(line.decode().strip())
                self.reply("250 ok")
            elif command == "DATA":
                self.reply("354 go on")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(chunk)
                self.server.received.append(b"".join(data))
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


@pytest.fixture
def smtp():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), FakeSMTP)
    server.daemon_threads = True
    server.received, server.envelope = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_the_email_digest_goes_to_the_smtp_server_with_links(app, screening, smtp):
    _choose(app, screening, DigestChannel.EMAIL)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.server_address[1],
                      MAIL_FROM="subventions@example.ml", PUBLIC_URL="https://grants.example.ml")
    with app.app_context():
        assert digest_job.send_digests(MORNING) == (1, 0)
        assert digest_job.send_digests(MORNING + timedelta(hours=1)) == (0, 0)
    [raw] = smtp.received
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert (mail["To"], mail["From"], mail["Subject"]) == (
        "boss@example.ml", "subventions@example.ml", "Vos rappels")
    body = mail.get_content().replace("\r\n", "\n")
    assert ("- Dossiers à examiner (recevabilité): 2\n"
            "  https://grants.example.ml/dossiers/?status=submitted") in body
    assert "P0" not in body
    assert any("boss@example.ml" in line for line in smtp.envelope)


def test_an_email_that_cannot_leave_is_tried_at_the_next_hour(app, screening):
    _choose(app, screening, DigestChannel.EMAIL)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9, MAIL_TIMEOUT_SECONDS=2)
    with app.app_context():
        assert digest_job.send_digests(MORNING) == (0, 1)
        assert db.session.get(ReminderPreference, screening).last_digest_on is None

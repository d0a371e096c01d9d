"""Messages to returnees: each event queues one message (with the follow-up consent only),
a replayed step queues nothing new, an opt-out cancels what waits, templates refuse unknown
placeholders, segments are counted, the sending job retries with back-off, and the call list
stays in the agent's regions."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from grants import events
from grants.database import utcnow
from grants.extensions import db
from grants.models import (
    Call,
    ContactChannel,
    MessageEvent,
    MessageState,
    OutboundMessage,
    Role,
    User,
)
from grants.services.errors import ValidationError
from grants.services.intake import applications, beneficiaries
from grants.services.money import agreements, payments
from grants.services.notifications import outbox, segments, sending, templates
from grants.services.notifications.gateways import DevGateway, FailingGateway
from grants.vocabulary import ConsentScope
from grants.workflow import ApplicationAction
from tests import factories
from tests.conftest import committed

PHONE = "+22376000001"
NO_CONTACT = [s.value for s in ConsentScope if s is not ConsentScope.FOLLOW_UP]


def messages(person_id: int) -> list[OutboundMessage]:
    return list(db.session.scalars(sa.select(OutboundMessage).where(
        OutboundMessage.beneficiary_id == person_id).order_by(OutboundMessage.id)))


def kinds(person_id: int) -> list[MessageEvent]:
    return [m.event for m in messages(person_id)]


@pytest.fixture
def walk(app, make_user):
    """A programme manager, a finance officer and an accountant, and an open call."""
    ids = {"manager": make_user(Role.PROGRAMME_MANAGER),
           "officer": make_user(Role.FINANCE_OFFICER),
           "accountant": make_user(Role.ACCOUNTANT)}
    with committed(app):
        manager = db.session.get(User, ids["manager"])
        call = factories.open_call(manager, cap=2_500_000)
        ids["call"] = call.id
    return ids


def _users(ids):
    return (db.session.get(User, ids["manager"]), db.session.get(User, ids["officer"]),
            db.session.get(User, ids["accountant"]))


def _selected(ids, scopes=None, phone=PHONE):
    manager, _, _ = _users(ids)
    person = factories.person(manager, phone=phone, scopes=scopes)
    app_ = factories.eligible_dossier(manager, db.session.get(Call, ids["call"]), person,
                                      requested=1_500_000)
    applications.transition(manager, app_, ApplicationAction.START_REVIEW)
    applications.transition(manager, app_, ApplicationAction.SELECT)
    db.session.commit()
    return person, app_


def test_walking_a_dossier_to_its_first_payment_queues_each_message_once(app, walk):
    with app.app_context():
        person, app_ = _selected(walk)
        _, officer, accountant = _users(walk)
        grant = factories.funded_grant(officer, accountant, app_, paid_on=date(2026, 3, 2),
                                       amount=1_500_000)
        assert kinds(person.id) == [MessageEvent.REGISTERED, MessageEvent.SUBMITTED,
                                    MessageEvent.ELIGIBLE, MessageEvent.SELECTED,
                                    MessageEvent.AGREEMENT_READY, MessageEvent.TRANCHE_PAID]
        sent = messages(person.id)
        assert all(m.state is MessageState.QUEUED and m.phone == PHONE for m in sent)
        assert person.code in sent[0].text and app_.reference in sent[1].text
        assert "Votre convention " + grant.number + " de 1 500 000 F CFA est prete" in sent[4].text
        paid = sent[5].text
        assert "900 000 F CFA" in paid and "02/03/2026" in paid  # 60 % of 1 500 000
        assert all(m.application_id == app_.id for m in sent[1:])


def test_screening_outcomes_and_committee_decisions_tell_what_happened(app, walk):
    from grants.models import ScreeningOutcome
    from grants.services.intake import screening

    with app.app_context():
        manager, _, _ = _users(walk)
        call = db.session.get(Call, walk["call"])
        person = factories.person(manager, phone=PHONE)
        app_ = factories.complete_dossier(manager, call, person)
        applications.submit(manager, app_)
        screening.screen(manager, app_, results=screening.suggest(app_), comments={},
                         outcome=ScreeningOutcome.INCOMPLETE, reason="la facture  pro forma")
        incomplete = messages(person.id)[-1]
        assert incomplete.event is MessageEvent.INCOMPLETE
        assert "Il manque: la facture pro forma." in incomplete.text
        applications.submit(manager, app_)  # a second submission is a second message
        assert kinds(person.id).count(MessageEvent.SUBMITTED) == 2
        screening.screen(manager, app_, results=screening.suggest(app_), comments={},
                         outcome=ScreeningOutcome.INELIGIBLE, reason="hors zone")
        assert kinds(person.id)[-1] is MessageEvent.INELIGIBLE
        other = factories.person(manager, "Awa", "Traoré", phone=PHONE, id_number="X2")
        second = factories.eligible_dossier(manager, call, other)
        applications.transition(manager, second, ApplicationAction.START_REVIEW)
        applications.transition(manager, second, ApplicationAction.WAITLIST)
        applications.transition(manager, second, ApplicationAction.REJECT)
        assert kinds(other.id)[-2:] == [MessageEvent.WAITLISTED, MessageEvent.NOT_SELECTED]
        assert "n'a pas été retenu" in messages(other.id)[-1].text


def test_a_visit_result_is_told_without_its_score(app, walk):
    from grants.models import Visit

    with app.app_context():
        person, app_ = _selected(walk)
        _, officer, accountant = _users(walk)
        grant = factories.funded_grant(officer, accountant, app_, paid_on=date(2026, 3, 2))
        visit = db.session.get(Visit, factories.validated_visit(grant.tranches[1]))
        events.visit_validated.send(visit, actor=_users(walk)[0])
        message = messages(person.id)[-1]
        assert message.event is MessageEvent.VISIT_RESULT
        assert message.text == (f"Visite de suivi du {date.today():%d/%m/%Y} de votre projet "
                                f"{app_.reference}: Favorable.")


def test_no_message_without_the_follow_up_consent_or_a_phone(app, walk):
    with app.app_context():
        person, _ = _selected(walk, scopes=NO_CONTACT)
        assert messages(person.id) == []
        manager, _, _ = _users(walk)
        silent = factories.person(manager, "Sans", "Telephone", id_number="X9")
        assert messages(silent.id) == []


def test_a_replayed_step_queues_nothing_new(app, walk):
    with app.app_context():
        person, app_ = _selected(walk)
        before = len(messages(person.id))
        # The same signal again (a receiver called twice for one step): the key refuses it.
        manager, _, _ = _users(walk)
        events.application_status_changed.send(app_, actor=manager, action=ApplicationAction.SELECT,
                                               old=None, comment=None)
        events.returnee_registered.send(person, actor=manager)
        assert len(messages(person.id)) == before
        # And a payment replayed with its idempotency key sends no second message.
        _, officer, accountant = _users(walk)
        grant = agreements.prepare_agreement(officer, app_, amount=1_500_000,
                                             channel=factories.Channel.BANK, account="ML1")
        db.session.commit()
        agreements.sign_agreement(officer, grant.id, date.today(), "k-sign")
        db.session.commit()
        payments.order_payment(officer, grant.tranches[0].id, "k-order")
        db.session.commit()
        for _ in range(2):
            payments.pay_tranche(accountant, grant.tranches[0].id, "k-pay", "VIR-1", date.today())
            db.session.commit()
        assert kinds(person.id).count(MessageEvent.TRANCHE_PAID) == 1


def test_opting_out_cancels_every_queued_message(app, walk):
    with app.app_context():
        person, _ = _selected(walk)
        manager, _, _ = _users(walk)
        first = messages(person.id)[0]
        first.state = MessageState.SENT  # already gone: stays as it was
        db.session.commit()
        beneficiaries.record_consent(manager, person, NO_CONTACT, date.today())
        db.session.commit()
        states = [m.state for m in messages(person.id)]
        assert states == [MessageState.SENT] + [MessageState.CANCELLED] * (len(states) - 1)
        assert all(m.next_attempt_at is None for m in messages(person.id)[1:])


def test_templates_refuse_unknown_placeholders_and_render_known_ones(app, make_user):
    for body in ("Votre {score}", "Bonjour {first_name!r}", "Code {code:>10}", "Bonjour {",
                 "{code.__class__}", "{0}"):
        with pytest.raises(ValidationError) as refused:
            templates.check_body(body)
        assert refused.value.field == "body"
    assert templates.render("{code} / {amount} / {date}", {"code": "ML-1", "amount": "5 F CFA"}) \
        == "ML-1 / 5 F CFA / "
    assert outbox.money_text(1_500_000) == "1 500 000 F CFA"
    assert outbox.date_text(date(2026, 3, 2)) == "02/03/2026"
    for language in ("fr", "en"):
        assert set(templates.SHIPPED[language]) == {e for e in MessageEvent if e.is_for_returnee}
        for body in templates.SHIPPED[language].values():
            templates.check_body(body)
    admin = make_user(Role.ADMIN)
    with app.app_context():
        user = db.session.get(User, admin)
        templates.save_template(user, MessageEvent.SELECTED, "bm", "I ka dosiye {reference} ta.")
        db.session.commit()
        assert templates.body_for(MessageEvent.SELECTED, "bm") == "I ka dosiye {reference} ta."
        assert templates.body_for(MessageEvent.ELIGIBLE, "bm") == \
            templates.SHIPPED["fr"][MessageEvent.ELIGIBLE]  # French when none in Bambara


@pytest.mark.parametrize(("text", "encoding", "count"), [
    ("a" * 160, "GSM-7", 1), ("a" * 161, "GSM-7", 2), ("a" * 306, "GSM-7", 2),
    ("a" * 307, "GSM-7", 3), ("€" * 80, "GSM-7", 1), ("€" * 81, "GSM-7", 2),
    ("é" * 160, "GSM-7", 1), ("ê" * 70, "UCS-2", 1), ("ê" + "a" * 70, "UCS-2", 2),
    ("ê" * 134, "UCS-2", 2), ("ê" * 135, "UCS-2", 3), ("", "GSM-7", 1)])
def test_segments_are_counted_like_the_operators(text, encoding, count):
    counted = segments.count_segments(text)
    assert (counted.encoding, counted.count) == (encoding, count)


def test_gsm7_replacement_keeps_a_french_message_in_one_segment():
    text = "Votre convention est prête ; l’équipe vous attend à Kayes « demain »." * 2
    assert segments.count_segments(text).count == 3  # UCS-2: 138 characters
    replaced = segments.to_gsm7(text)
    assert segments.is_gsm7(replaced) and "prete" in replaced and "l'équipe" in replaced
    assert segments.count_segments(replaced).count == 1
    assert segments.to_gsm7("漢") == "?"


def test_the_sending_job_retries_with_back_off_then_fails(app, walk):
    with app.app_context():
        person, _ = _selected(walk)
        now = utcnow()
        count = len(messages(person.id))
        assert sending.send_due(FailingGateway(), 3, now) == (0, count)
        first = messages(person.id)[0]
        assert first.attempts == 1 and first.state is MessageState.QUEUED
        assert first.next_attempt_at == now + timedelta(minutes=1)
        assert sending.send_due(FailingGateway(), 3, now) == (0, 0)  # not due yet
        later = now + timedelta(minutes=1)
        sending.send_due(FailingGateway(), 3, later)
        assert messages(person.id)[0].next_attempt_at == later + timedelta(minutes=5)
        sending.send_due(FailingGateway(), 3, later + timedelta(minutes=5))
        first = messages(person.id)[0]
        assert (first.state, first.attempts, first.error) == (
            MessageState.FAILED, 3, "gateway unreachable")
        assert first.next_attempt_at is None


def test_the_dev_gateway_sends_what_is_due_and_nothing_twice(app, walk):
    with app.app_context():
        person, _ = _selected(walk)
        count = len(messages(person.id))
        assert sending.send_due(DevGateway(), 5) == (count, 0)
        sent = messages(person.id)
        assert {m.state for m in sent} == {MessageState.SENT}
        assert all(m.gateway_id.startswith("dev-") and m.sent_at for m in sent)
        assert sending.send_due(DevGateway(), 5) == (0, 0)
        month, n, parts = outbox.monthly_counts()[0]
        assert (month, n, parts) == (f"{utcnow():%Y-%m}", count, sum(m.segments for m in sent))


def test_the_call_list_gets_the_messages_of_those_who_asked_to_be_called(app, walk, make_user):
    from grants.services.errors import ConflictError, ForbiddenError

    agent_here = make_user(Role.INTAKE_AGENT, regions=("01",))
    agent_elsewhere = make_user(Role.INTAKE_AGENT, regions=("02",))
    with app.app_context():
        manager, _, _ = _users(walk)
        person = factories.person(manager, phone=PHONE)
        outbox.set_preference(manager, person, "en", ContactChannel.CALL)
        db.session.commit()
        app_ = factories.complete_dossier(manager, db.session.get(Call, walk["call"]), person)
        applications.submit(manager, app_)
        db.session.commit()
        call = messages(person.id)[-1]
        assert call.channel is ContactChannel.CALL and call.next_attempt_at is None
        assert call.text.startswith("Your dossier")
        assert call.id not in sending.due_ids(utcnow() + timedelta(days=1))  # never sent
        with pytest.raises(ForbiddenError):
            outbox.mark_called(db.session.get(User, agent_elsewhere), call.id)
        db.session.rollback()
        outbox.mark_called(db.session.get(User, agent_here), call.id)
        db.session.commit()
        assert (call.state, call.called_by_id) == (MessageState.DELIVERED, agent_here)
        with pytest.raises(ConflictError):
            outbox.mark_called(db.session.get(User, agent_here), call.id)
        db.session.rollback()

"""The pages of the messages to returnees: SMS sent (filter, monthly count and cost), the call
list (the agent's regions only, mark called), the template editor (a message at the field, a
preview counted on the server) and the returnee's page (their messages, their preference)."""

import sqlalchemy as sa

from grants.database import utcnow
from grants.extensions import db
from grants.models import (
    Beneficiary,
    ContactChannel,
    MessageEvent,
    MessageState,
    MessageTemplate,
    OutboundMessage,
    Role,
    User,
)
from grants.services.notifications import outbox, sending
from grants.services.notifications.gateways import DevGateway
from tests import factories
from tests.conftest import committed, field_errors


def _person(app, manager_id, first="Awa", region="01", channel=ContactChannel.SMS, n=1):
    with committed(app):
        manager = db.session.get(User, manager_id)
        person = factories.person(manager, first, "Diarra", phone=f"+2237600010{n}",
                                  id_number=f"P{n}",
                                  region_id=factories.region(region).id)
        if channel is ContactChannel.CALL:
            outbox.set_preference(manager, person, "en", channel)
            outbox.queue(person, MessageEvent.ELIGIBLE, f"t:{n}", {"reference": f"AP-{n}"})
        return person.id


def test_the_sms_page_filters_by_state_and_counts_the_month(app, client, login_as, make_user):
    manager = make_user(Role.PROGRAMME_MANAGER)
    _person(app, manager), _person(app, manager, "Fanta", n=2)
    with committed(app):
        sending.send_due(DevGateway(), 5)
        db.session.get(OutboundMessage, 2).state = MessageState.FAILED
    app.config["SMS_PRICE_PER_SEGMENT"] = 30
    login_as(Role.ADMIN)
    page = client.get("/messages/").get_data(as_text=True)
    assert "Awa" in page and "Fanta" in page
    # Two registration messages of one segment each, sent this month: 2 × 30 F CFA.
    row = page.split("<tbody>")[1].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in row.split("</td>")[:4]] == [
        f"{utcnow():%Y-%m}", "2", "2", "60\xa0F\u202fCFA"]
    failed = client.get("/messages/?state=failed").get_data(as_text=True)
    assert "Fanta" in failed and "Awa" not in failed
    assert client.get("/messages/?state=nonsense").status_code == 200


def test_the_call_list_shows_the_agents_regions_only_and_marks_a_call(app, client, login_as,
                                                                         make_user):
    manager = make_user(Role.PROGRAMME_MANAGER)
    here = _person(app, manager, "Ici", "01", ContactChannel.CALL, n=3)
    _person(app, manager, "Ailleurs", "07", ContactChannel.CALL, n=4)
    _person(app, manager, "Texto", "01", ContactChannel.SMS, n=5)
    agent = login_as(Role.INTAKE_AGENT, regions=("01",))
    page = client.get("/messages/appels").get_data(as_text=True)
    assert "Ici" in page and "Ailleurs" not in page and "Texto" not in page
    home = client.get("/").get_data(as_text=True)  # the home's to-do counts the same calls
    calls = home.split('data-todo="calls"', 1)[1].split("</a>", 1)[0]
    assert 'href="/messages/appels"' in home and ">1</span>" in calls
    with app.app_context():
        call = db.session.scalar(sa.select(OutboundMessage).where(
            OutboundMessage.beneficiary_id == here, OutboundMessage.channel == ContactChannel.CALL))
        elsewhere = db.session.scalar(sa.select(OutboundMessage.id).where(
            OutboundMessage.channel == ContactChannel.CALL, OutboundMessage.id != call.id))
    assert client.post(f"/messages/{elsewhere}/appele").status_code == 404
    assert client.post(f"/messages/{call.id}/appele").status_code == 302
    with app.app_context():
        done = db.session.get(OutboundMessage, call.id)
        assert (done.state, done.called_by_id) == (MessageState.DELIVERED, agent)
    assert "Ici" not in client.get("/messages/appels").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert ">0</span>" in home.split('data-todo="calls"', 1)[1].split("</a>", 1)[0]
    assert client.post(f"/messages/{call.id}/appele", follow_redirects=True).get_data(
        as_text=True).count("alert-danger") == 1


def test_the_template_editor_refuses_an_unknown_placeholder_at_the_field(app, client, login_as):
    login_as(Role.ADMIN)
    url = "/messages/modeles/selected/fr"
    page = client.post(url, data={"body": "Bravo {name}, dossier {reference}", "save": "1"})
    assert page.status_code == 200
    assert any("{name}" in e for e in field_errors(page.get_data(as_text=True), "body"))
    preview = client.post(url, data={"body": "Votre dossier {reference} est retenu, bravo!",
                                     "preview": "1"}).get_data(as_text=True)
    assert "Votre dossier AP-2026-0001 est retenu, bravo!" in preview  # (no dossier yet)
    assert "1 segment · GSM-7 · 45 caractères, 160 par segment" in preview
    long = "ê" * 71
    app.config["SMS_TO_GSM7"] = False
    counted = client.post(url, data={"body": long, "preview": "1"}).get_data(as_text=True)
    assert "2 segments · UCS-2 · 71 caractères, 67 par segment" in counted
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MessageTemplate)) == 0
    assert client.post(url, data={"body": "Retenu: {reference}", "save": "1"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(MessageTemplate.body)) == "Retenu: {reference}"
    assert client.get("/messages/modeles/nothing/fr").status_code == 404
    assert client.get("/messages/modeles/selected/xx").status_code == 404
    assert "Retenu: {reference}" in client.get(url).get_data(as_text=True)


def test_the_returnees_page_shows_their_messages_and_saves_their_preference(app, client,
                                                                            login_as, make_user):
    manager = make_user(Role.PROGRAMME_MANAGER)
    person = _person(app, manager, n=6)
    login_as(Role.PROGRAMME_MANAGER)
    page = client.get(f"/beneficiaires/{person}").get_data(as_text=True)
    assert "votre inscription au programme" in page
    response = client.post(f"/messages/preference/{person}",
                           data={"language": "bm", "channel": "call"})
    assert response.status_code == 302
    with app.app_context():
        assert outbox.preference(db.session.get(Beneficiary, person)) == ("bm", ContactChannel.CALL)
    client.post(f"/messages/preference/{person}", data={"language": "xx", "channel": "call"})
    with app.app_context():
        assert outbox.preference(db.session.get(Beneficiary, person))[0] == "bm"


def test_the_dossiers_page_shows_the_messages_of_its_steps(app, client, login_as, make_user):
    from grants.services.intake import applications

    manager = make_user(Role.PROGRAMME_MANAGER)
    with committed(app):
        user = db.session.get(User, manager)
        person = factories.person(user, phone="+22376000107", id_number="P7")
        dossier = factories.complete_dossier(user, factories.open_call(user), person)
        applications.submit(user, dossier)
        dossier_id, reference = dossier.id, dossier.reference
    login_as(Role.PROGRAMME_MANAGER)
    page = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    assert f"Votre dossier {reference} a été déposé le" in page
    assert "votre inscription" not in page  # the registration is the person's, not the dossier's

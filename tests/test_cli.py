"""Command-line tools."""

from datetime import date

from grants.extensions import db
from grants.models import Role, User


def _users(app):
    with app.app_context():
        return {u.username: sorted(u.roles) for u in db.session.scalars(db.select(User))}


def test_create_user_from_the_command_line(app):
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--username", "chef", "--name", "Chef Admin", "--role", "admin",
        "--role", "auditor", "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    assert _users(app) == {"chef": ["admin", "auditor"]}
    with app.app_context():
        assert db.session.scalar(db.select(User)).must_change_password is False


def test_create_user_reports_bad_input_without_saving(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--username", "terrain2", "--name", "T",
                                 "--role", "field_officer", "--password", "a-long-password"])
    assert result.exit_code != 0
    assert "au moins une région" in result.output
    result = runner.invoke(args=["create-user", "--username", "x1", "--name", "X",
                                 "--role", "field_officer", "--region", "99",
                                 "--password", "a-long-password"])
    assert result.exit_code != 0 and "99" in result.output
    result = runner.invoke(args=["create-user", "--username", "x2", "--name", "X",
                                 "--role", "auditor", "--password", "short"])
    assert result.exit_code != 0
    assert _users(app) == {}


def _check_demo_messages():
    """The demo's walk queued the returnees' messages in French, sent them through the dev
    gateway, put those who asked to be called on a call list, and left out those who did not
    agree to be contacted (issue 14)."""
    from grants.models import Beneficiary, ContactChannel, MessageEvent, OutboundMessage
    from grants.vocabulary import ConsentScope

    rows = db.session.scalars(db.select(OutboundMessage)).all()
    assert {m.event for m in rows} == {e for e in MessageEvent if e.is_for_returnee}
    assert {m.language for m in rows} == {"fr"}
    assert any(m.text.startswith("Un versement de ") and " F CFA pour votre projet AP-" in m.text
               for m in rows)
    assert {m.state.value for m in rows if m.channel is ContactChannel.SMS} == {"sent"}
    assert {m.state.value for m in rows if m.channel is ContactChannel.CALL} == {"queued"}
    people = {m.beneficiary_id for m in rows}
    silent = [p.id for p in db.session.scalars(db.select(Beneficiary))
              if not p.has_consent(ConsentScope.FOLLOW_UP)]
    assert len(silent) > 15 and people.isdisjoint(silent)
    keys = [m.idempotency_key for m in rows]
    assert len(keys) == len(set(keys))


def test_seed_demo_is_idempotent_and_its_accounts_log_in(app):
    """One run loads the whole demo (accounts, intake, committee); a second changes nothing."""
    from grants.models import (
        Application,
        CommitteeSession,
        Minutes,
        OutboundMessage,
        Referral,
        SustainabilityScore,
        Tranche,
        Visit,
    )
    from grants.services.money.ledger_check import check_ledger
    from grants.workflow import VisitStatus

    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "demo-grants-2026" in first.output
    assert "40 selected (100,000,000 F CFA)" in first.output

    def counts():
        with app.app_context():
            return [db.session.scalar(db.select(db.func.count()).select_from(model))
                    for model in (User, Application, CommitteeSession, Minutes, Visit,
                                  Referral, SustainabilityScore, OutboundMessage)]

    before = counts()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and counts() == before
    with app.app_context():  # the follow-up: second tranches paid after a favourable V1 only
        def visits_where(*conditions):
            return db.session.scalar(db.select(db.func.count(Visit.id)).where(*conditions))

        assert visits_where(Visit.status == VisitStatus.VALIDATED) >= 80
        assert visits_where(Visit.status == VisitStatus.PLANNED, Visit.due_on < date.today()) > 0
        assert visits_where(Visit.recommendation == "unfavourable", Visit.seq == 1) == 3
        def second_tranches(*statuses):
            return db.session.scalar(db.select(db.func.count(Tranche.id)).where(
                Tranche.seq == 2, Tranche.status.in_(statuses)))

        favourable_v1 = visits_where(Visit.seq == 1, Visit.status == VisitStatus.VALIDATED,
                                     Visit.recommendation != "unfavourable")
        # Released by a favourable V1: most paid, some left due or ordered (the finance
        # office's to-dos on its dashboard).
        assert second_tranches("paid", "ordered", "eligible") == favourable_v1 > 20
        assert second_tranches("paid") > 10
        assert second_tranches("ordered") > 0 and second_tranches("eligible") > 0
        assert visits_where(Visit.seq == 4, Visit.survey.is_not(None)) > 10
        assert db.session.scalar(db.select(db.func.count(Referral.id))) > 0
        assert check_ledger() == []
        _check_demo_messages()
    users = _users(app)
    assert {role for roles in users.values() for role in roles} == {role.value for role in Role}
    for identifier in ("admin", "+22376000001", "ordonnateur", "president"):
        response = app.test_client().post("/connexion", data={
            "identifier": identifier, "password": "demo-grants-2026"})
        assert response.status_code == 302, identifier

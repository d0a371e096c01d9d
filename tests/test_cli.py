"""Command-line tools."""

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


def test_seed_demo_is_idempotent_and_its_accounts_log_in(app):
    """One run loads the whole demo (accounts, intake, committee); a second changes nothing."""
    from grants.models import Application, CommitteeSession, Minutes

    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "demo-grants-2026" in first.output
    assert "40 selected (100,000,000 F CFA)" in first.output

    def counts():
        with app.app_context():
            return [db.session.scalar(db.select(db.func.count()).select_from(model))
                    for model in (User, Application, CommitteeSession, Minutes)]

    before = counts()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and counts() == before
    users = _users(app)
    assert {role for roles in users.values() for role in roles} == {role.value for role in Role}
    for identifier in ("admin", "+22376000001", "ordonnateur", "president"):
        response = app.test_client().post("/connexion", data={
            "identifier": identifier, "password": "demo-grants-2026"})
        assert response.status_code == 302, identifier

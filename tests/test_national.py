"""seed-national: a national-size data set built in bulk that the app can use as if its own
services had made it (money balanced, statuses and histories agreeing, references that go on)."""

import sqlalchemy as sa

from grants.extensions import db
from grants.models import (
    Application,
    ApplicationEvent,
    AuditEvent,
    Beneficiary,
    CommitteeSession,
    Grant,
    Payment,
    ScoreSheet,
    SessionDossier,
    SessionStatus,
    User,
    Visit,
)
from grants.workflow import ApplicationStatus, VisitStatus
from tests.conftest import login

SCALE = 0.02  # 400 returnees, about 360 dossiers, sessions of 60 dossiers


def _build(app, *args):
    return app.test_cli_runner().invoke(args=["seed-national", "--scale", str(SCALE), *args])


def test_seed_national_builds_a_consistent_data_set(app):
    from grants.services.money.ledger_check import check_ledger
    from grants.services.references import next_reference

    result = _build(app)
    assert result.exit_code == 0, result.output
    with app.app_context():
        count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
        assert count(Beneficiary) == 400 and 350 <= count(Application) <= 370
        assert db.session.scalar(sa.select(sa.func.count()).where(
            CommitteeSession.status == SessionStatus.FINALISED)) == 3
        assert count(ScoreSheet) > 4 * 60 * 3 and count(Grant) > 10 and count(Payment) > 10
        assert count(Visit) > 20 and count(AuditEvent) > 3000
        assert check_ledger() == []
        # Every dossier's status is where its history leads.
        last = (sa.select(ApplicationEvent.application_id,
                          sa.func.max(ApplicationEvent.id).label("id"))
                .group_by(ApplicationEvent.application_id).subquery())
        disagreeing = db.session.scalars(
            sa.select(Application.reference).join(last, last.c.application_id == Application.id)
            .join(ApplicationEvent, ApplicationEvent.id == last.c.id)
            .where(ApplicationEvent.to_status != Application.status)).all()
        assert disagreeing == []
        # Deliberated sessions ranked and decided every dossier; agreements only for selected.
        undecided = db.session.scalar(sa.select(sa.func.count()).select_from(SessionDossier)
                                      .join(CommitteeSession).where(
            CommitteeSession.status == SessionStatus.FINALISED, SessionDossier.rank.is_(None)))
        assert undecided == 0
        funded = set(db.session.scalars(sa.select(Application.status).join(
            Grant, Grant.application_id == Application.id)))
        assert funded <= {ApplicationStatus.AGREEMENT_SIGNED, ApplicationStatus.IN_DISBURSEMENT}
        assert db.session.scalar(sa.select(sa.func.count()).where(
            Visit.status == VisitStatus.VALIDATED)) > 0
        # The services go on numbering after the bulk rows.
        year = db.session.scalar(sa.select(sa.func.max(sa.extract("year", Application.created_at))
                                           ).where(Application.reference.is_not(None)))
        fresh = next_reference("AP", int(year))
        assert db.session.scalar(sa.select(Application.id).where(
            Application.reference == fresh)) is None
        db.session.rollback()


def test_seed_national_refuses_a_database_that_holds_data(app, make_user):
    make_user()
    result = _build(app)
    assert result.exit_code != 0 and "already holds data" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Beneficiary)) == 0
    forced = _build(app, "--force")
    assert forced.exit_code == 0, forced.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) > 30


def test_national_pages_open_for_the_demo_accounts(app, client):
    """The demo's accounts log in with the demo password and open the big pages."""
    assert _build(app).exit_code == 0
    with app.app_context():
        session_id = db.session.scalar(sa.select(CommitteeSession.id).where(
            CommitteeSession.status == SessionStatus.FINALISED).order_by(CommitteeSession.id))
        own = db.session.scalar(sa.select(Application.id).join(Beneficiary).join(
            User, User.id == Beneficiary.user_id).where(User.username == "demandeur"))
    pages = {"president": [f"/comites/{session_id}", f"/comites/{session_id}/classement"],
             "gestionnaire": ["/finances/", "/suivi/", "/suivi/survie", "/suivi/charge",
                              "/dossiers/", "/beneficiaires/"],
             "terrain": ["/suivi/"], "demandeur": [f"/dossiers/{own}"]}
    for username, urls in pages.items():
        assert login(client, username, "demo-grants-2026").status_code == 302
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (username, url, response.status_code)
        client.post("/deconnexion")

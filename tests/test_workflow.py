"""The dossier workflow: every allowed move and every forbidden one, through transition()."""

import pytest

from grants.extensions import db
from grants.models import Application, ApplicationEvent, Role, User
from grants.services.errors import ConflictError, ForbiddenError, ValidationError
from grants.services.intake.applications import transition
from grants.workflow import TRANSITIONS, ApplicationAction, ApplicationStatus
from tests import factories
from tests.conftest import committed

ALL_PAIRS = [(s, a) for s in ApplicationStatus for a in ApplicationAction]


@pytest.fixture
def dossier(app, make_user):
    """A draft dossier, and a user who holds every permission of the workflow."""
    boss_id = make_user(Role.PROGRAMME_MANAGER, Role.FINANCE_OFFICER, Role.ACCOUNTANT,
                        Role.COMMITTEE_CHAIR,
                        username="boss")
    with committed(app):
        boss = db.session.get(User, boss_id)
        call = factories.open_call(boss)
        app_id = factories.complete_dossier(boss, call, factories.person(boss)).id
    return app_id, boss_id


def test_each_pair_is_allowed_exactly_when_the_table_says(app, dossier):
    """All 15 × 14 (status, action) pairs, each tried in a savepoint that is rolled back."""
    app_id, boss_id = dossier
    outcomes = {}
    with app.app_context():
        application = db.session.get(Application, app_id)
        boss = db.session.get(User, boss_id)
        for status, action in ALL_PAIRS:
            savepoint = db.session.begin_nested()
            application.status = status  # test set-up: put the dossier in the source status
            db.session.flush()
            try:
                event = transition(boss, application, action, "a reason")
            except ConflictError:
                events = db.session.scalar(db.select(db.func.count()).select_from(ApplicationEvent))
                outcomes[status, action] = ("refused", application.status, events)
            else:
                outcomes[status, action] = (application.status, event.from_status,
                                            event.to_status, event.actor_id, event.comment)
            savepoint.rollback()
    expected = {}
    for status, action in ALL_PAIRS:
        target = TRANSITIONS.get((status, action))
        expected[status, action] = ("refused", status, 0) if target is None else (
            target, status, target, boss_id, "a reason")
    assert outcomes == expected


def test_the_table_covers_the_whole_life_of_a_dossier():
    reachable, frontier = {ApplicationStatus.DRAFT}, [ApplicationStatus.DRAFT]
    while frontier:
        current = frontier.pop()
        for (source, _action), target in TRANSITIONS.items():
            if source == current and target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(ApplicationStatus)


def test_a_reason_is_required_to_withdraw_or_declare_ineligible(app, dossier):
    app_id, boss_id = dossier
    with app.app_context():
        application, boss = db.session.get(Application, app_id), db.session.get(User, boss_id)
        with pytest.raises(ValidationError):
            transition(boss, application, ApplicationAction.WITHDRAW, "  ")
        application.status = ApplicationStatus.SUBMITTED
        with pytest.raises(ValidationError):
            transition(boss, application, ApplicationAction.DECLARE_INELIGIBLE, None)


@pytest.mark.parametrize("role,action", [
    (Role.INTAKE_AGENT, ApplicationAction.SELECT),
    (Role.APPLICANT, ApplicationAction.DECLARE_ELIGIBLE),
    (Role.COMMITTEE_MEMBER, ApplicationAction.SELECT),
    (Role.ACCOUNTANT, ApplicationAction.SIGN_AGREEMENT),
    (Role.AUDITOR, ApplicationAction.WITHDRAW),
])
def test_a_step_needs_its_permission(app, dossier, make_user, role, action):
    app_id, _boss = dossier
    user_id = make_user(role, regions=("01",), username="someone")
    source = next(s for (s, a) in TRANSITIONS if a == action)
    with app.app_context():
        application = db.session.get(Application, app_id)
        application.status = source
        with pytest.raises(ForbiddenError):
            transition(db.session.get(User, user_id), application, action, "why")
        assert application.status == source


def test_an_intake_agent_moves_only_dossiers_of_their_regions(app, dossier, make_user):
    app_id, _boss = dossier  # the dossier is in Kayes (01)
    gao_agent = make_user(Role.INTAKE_AGENT, regions=("07",), username="gao")
    kayes_agent = make_user(Role.INTAKE_AGENT, regions=("01",), username="kayes")
    with app.app_context():
        application = db.session.get(Application, app_id)
        with pytest.raises(ForbiddenError):
            transition(db.session.get(User, gao_agent), application, ApplicationAction.WITHDRAW,
                       "why")
        transition(db.session.get(User, kayes_agent), application, ApplicationAction.WITHDRAW,
                   "left the country")
        assert application.status == ApplicationStatus.WITHDRAWN

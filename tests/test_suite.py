"""The suite itself: a scenario built once per session still gives each test a clean start."""

import pytest

from grants.extensions import db
from grants.models import Grant, User
from tests.conftest import using_postgresql
from tests.factories import signed_agreement


@pytest.mark.parametrize("turn", [1, 2])
def test_each_test_of_a_scenario_starts_from_the_scenario(app, money, make_user, turn):
    """Both turns write (an agreement, a user): the second still finds only the scenario."""
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Grant.id))) == 0
        assert db.session.scalar(db.select(db.func.count(User.id))) == 3
        signed_agreement(money)
    assert make_user() == 4  # default names go on after the scenario's users
    with app.app_context():
        assert db.session.get(User, 4).username == "user4"


def test_a_scenario_snapshot_is_never_written_by_a_test(app, money, database_url, snapshots):
    if using_postgresql():
        pytest.skip("on PostgreSQL a snapshot is rows held in memory, not a file")
    snapshot = snapshots["money"]
    before = snapshot.path.read_bytes()
    with app.app_context():
        signed_agreement(money)
    assert database_url != f"sqlite:///{snapshot.path}"
    assert snapshot.path.read_bytes() == before

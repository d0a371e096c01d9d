"""The session loader runs on every logged-in request: it must cost one SQL statement, whatever
the roles and regions of the user (issue 12 point 3: its three were most of a small page's time)."""

import sqlalchemy as sa
from flask_login import current_user

from grants.extensions import db
from grants.models import Role


def test_loading_the_session_user_with_roles_and_regions_is_one_select(app, client, login_as):
    login_as(Role.INTAKE_AGENT, Role.FIELD_OFFICER, regions=("02", "01"))
    cookie = client.get_cookie("grants_session")
    selects = []

    def note(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):  # not SQLite's BEGIN
            selects.append(statement)

    with app.test_request_context(headers={"Cookie": f"grants_session={cookie.value}"}):
        sa.event.listen(db.engine, "before_cursor_execute", note)
        try:
            user = current_user._get_current_object()
            assert user.is_authenticated
            assert user.roles == {Role.INTAKE_AGENT, Role.FIELD_OFFICER}
            assert [region.code for region in user.regions] == ["01", "02"]
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", note)
    assert len(selects) == 1, selects

"""The regions of the pages' filters are read once per app (grants/services/regions.py): they
are loaded by migration, and a list page must not read and build all twenty on each request."""

from grants.extensions import db
from grants.models import Region, Role
from grants.services.regions import all_regions, regions_in
from tests.conftest import count_queries


def test_regions_are_the_databases_by_code_and_read_once(app):
    with app.app_context():
        stored = [(r.id, r.code, r.name) for r in db.session.scalars(
            db.select(Region).order_by(Region.code))]
        with count_queries(app) as first:
            listed = all_regions()
        with count_queries(app) as again:
            assert all_regions() == listed
        assert [tuple(r) for r in listed] == stored and len(stored) == 20
        assert (first[0], again[0]) == (1, 0)
        assert str(listed[0]) == stored[0][2]
        some = [stored[5][0], stored[2][0]]
        assert [r.id for r in regions_in(some)] == [stored[2][0], stored[5][0]]
        assert regions_in(None) == listed and regions_in([]) == []


def test_a_list_filter_offers_every_region_without_reading_them_again(app, client, login_as):
    import sqlalchemy as sa

    login_as(Role.PROGRAMME_MANAGER)
    client.get("/beneficiaires/")
    statements = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()).lower())

    with app.app_context():
        engine = db.engine
        names = list(db.session.scalars(db.select(Region.name)))
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        page = client.get("/beneficiaires/").get_data(as_text=True)
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    assert all(name in page for name in names)
    assert statements and not [s for s in statements if "from region" in s], statements

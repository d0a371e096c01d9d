"""What list pages read (issue 12 point 3, throughput): a row of the dossier list shows its
lead's name and code, so neither the call's regions nor the lead's consents are loaded; the
register page's rows are the export's first rows, column for column."""

import sqlalchemy as sa

from grants.extensions import db
from tests.conftest import login
from tests.factories import make_followed_more


def _statements(app, client, url):
    seen = []

    def record(_conn, _cursor, statement, *_args):
        if statement != "BEGIN":  # SQLite's, not PostgreSQL's
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    client.get(url)
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200
    return seen, response.get_data(as_text=True)


def test_the_dossier_list_reads_neither_consents_nor_call_regions(app, followed):
    make_followed_more(app, followed, 2)
    client = app.test_client()
    assert login(client, "manager").status_code == 302
    for url in ("/dossiers/", "/dossiers/?sort=name", "/dossiers/?q=a&sex=F"):
        statements, page = _statements(app, client, url)
        read = " ".join(statements).lower()
        assert "from consent" not in read and "call_region" not in read, url
        assert len(statements) <= 7, statements
    with app.app_context():
        from grants.models import Application

        for app_row in db.session.scalars(sa.select(Application)):
            shown = app_row.reference or f"#{app_row.id}"
            assert shown in _statements(app, client, "/dossiers/")[1]
            assert app_row.lead.code in _statements(app, client, "/dossiers/")[1]


def test_paginate_gives_db_paginates_items_and_total_with_fewer_counts(app, make_user):
    from grants.models import User
    from grants.pagination import paginate
    from tests.conftest import count_queries

    for number in range(7):
        make_user(username=f"page{number}")
    with app.test_request_context():
        rows = db.session.scalar(sa.select(sa.func.count(User.id)))
        for where in (User.id > 0, User.id < 0, User.username.like("page%")):
            query = sa.select(User.id).where(where).order_by(User.id)
            for per_page in (1, 2, 3, 5, rows, rows + 1):
                for number in range(1, rows + 3):
                    expected = db.paginate(query, page=number, per_page=per_page, error_out=False)
                    with count_queries(app) as statements:
                        got = paginate(query, page=number, per_page=per_page)
                    assert got.items == expected.items
                    assert (got.total, got.pages, list(got.iter_pages())) == (
                        expected.total, expected.pages, list(expected.iter_pages()))
                    full = len(got.items) == per_page or (not got.items and number > 1)
                    assert statements[0] == (2 if full else 1), (per_page, number)

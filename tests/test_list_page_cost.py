"""What list pages read (issue 12 point 3, throughput): a row of the dossier or returnee list
shows names and codes, so neither the call's regions nor anyone's consents are loaded; the
dossier list's total is the sum of its status counts, not a COUNT(*) of its own."""

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



def test_the_dossier_list_total_is_the_number_of_dossiers_it_filters(app, followed):
    from grants.models import Application

    make_followed_more(app, followed, 3)
    client = app.test_client()
    assert login(client, "manager").status_code == 302
    with app.app_context():
        statuses = [a.status.value for a in db.session.scalars(sa.select(Application))]
    for status in (None, *set(statuses), "withdrawn", "nonsense"):
        url = "/dossiers/" + (f"?status={status}" if status else "")
        statements, page = _statements(app, client, url)
        # An unknown status filters nothing (it used to be a database error: a 500).
        total = statuses.count(status) if status and status != "nonsense" else len(statuses)
        assert f"{total} r\u00e9sultat(s)" in page or f"{total} result(s)" in page, url
        assert not any(s.lower().startswith("select count(*)") for s in statements), url


def test_the_returnee_list_reads_no_consent(app, followed):
    make_followed_more(app, followed, 2)
    client = app.test_client()
    assert login(client, "manager").status_code == 302
    statements, page = _statements(app, client, "/beneficiaires/")
    read = " ".join(statements).lower()
    assert "from consent" not in read and "from user_role" not in read
    assert len(statements) <= 5, statements

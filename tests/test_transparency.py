"""The public transparency page: no login, nothing personal, small cells hidden, draft calls
left out, cached by browsers and proxies, no cookie."""

from datetime import date

import pytest

from grants.extensions import db
from grants.models import Application, Call, Role, User
from grants.reporting.transparency import figures
from grants.vocabulary import CallStatus, Sex
from tests import factories
from tests.conftest import committed, login
from tests.factories import ordered_first_tranche


@pytest.fixture
def published(app, money):
    """The money scenario (one open call, four selected dossiers of 2 000 000 whose leads are
    women, Payee0-3, in the factory's region) with one agreement signed and its first tranche
    ordered; and a draft call (its title must never show)."""
    with app.app_context():
        for application_id in money["applications"]:
            db.session.get(Application, application_id).lead.sex = Sex.FEMALE
        db.session.commit()
        ordered_first_tranche(money, 0)
    with committed(app):
        manager = db.session.get(User, money["manager"])
        draft = factories.open_call(manager, title="Appel brouillon secret")
        draft.status = CallStatus.DRAFT
    return money


def test_the_page_needs_no_login_and_shows_no_personal_data(app, published):
    client = app.test_client()
    response = client.get("/transparence")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Le programme en chiffres" in page and "Appel test" in page
    for personal in ("Payee", "F0", "F1", "+223", "ML123"):
        assert personal not in page
    assert "Appel brouillon secret" not in page


def test_small_cells_are_hidden(app, published):
    """Four dossiers received and one funded: both under 5, shown as "< 5"; the amount of the
    only funded project (a person's grant) and the share of women are not shown."""
    with app.test_request_context():
        result = figures(date.today())
        call = next(line for line in result.calls if line.label == "Appel test")
        assert (call.received, call.funded) == ("< 5", "< 5")
        assert call.committed == call.women == "—"
        total = result.calls[-1]
        assert (total.received, total.funded, total.committed) == ("< 5", "< 5", "—")
        assert not any(line.label == "Appel brouillon secret" for line in result.calls)


def test_a_line_with_five_projects_shows_its_figures(app, make_user):
    with app.app_context():
        ids = {"manager": make_user(Role.PROGRAMME_MANAGER, username="manager5")}
    with committed(app):
        manager = db.session.get(User, ids["manager"])
        call = factories.open_call(manager, title="Appel cinq")
        for n in range(6):
            factories.eligible_dossier(manager, call, factories.person(
                manager, f"Person{n}", "Test", id_number=f"P{n}",
                sex=Sex.FEMALE if n < 3 else Sex.MALE))
    with app.test_request_context():
        line = next(line for line in figures(date.today()).calls if line.label == "Appel cinq")
        assert line.received == "6" and line.funded == "0"


def test_the_page_is_public_cached_and_sets_no_cookie(app, published):
    client = app.test_client()
    response = client.get("/transparence")
    assert response.headers["Cache-Control"].startswith("public")
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")
    login(client, "officer")  # a logged-in visitor gets the same page, and no cookie
    response = client.get("/transparence")
    assert response.headers["Cache-Control"].startswith("public")
    assert "Set-Cookie" not in response.headers
    assert "officer" not in response.get_data(as_text=True).lower().replace("officers", "")


def test_the_page_is_kept_for_the_configured_time(app, published):
    app.config["TRANSPARENCY_CACHE_SECONDS"] = 600
    client = app.test_client()
    first = client.get("/transparence").get_data(as_text=True)
    with committed(app):
        db.session.get(Call, db.session.scalar(db.select(Call.id).where(
            Call.title == "Appel test"))).title = "Appel renommé"
    assert client.get("/transparence").get_data(as_text=True) == first
    assert "max-age=600" in client.get("/transparence").headers["Cache-Control"]
    english = client.get("/transparence?lang=en").get_data(as_text=True)
    assert "The programme in figures" in english


def test_the_login_page_links_to_it(app):
    page = app.test_client().get("/connexion").get_data(as_text=True)
    assert 'href="/transparence"' in page

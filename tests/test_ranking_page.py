"""The ranking page on light rows (issue 12 point 3): a fixed number of SQL statements whatever
the size of the session, finalised or not, no dossier loaded as an ORM object, and the same
figures, ranks and hidden dossiers as the ranking service."""

import re

import pytest

from grants.extensions import db
from grants.models import (
    Decision,
)
from grants.services.committees import ranking, selection, sessions
from tests.conftest import login, page_cost
from tests.factories import (
    add_decided_dossiers,
    finalise_committee,
    load_committee,
    score_dossier,
)

PER_PAGE = 2
MOST_STATEMENTS = 8  # the session loader's included


@pytest.fixture
def small_pages(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", PER_PAGE)


def test_the_final_ranking_issues_as_many_statements_with_more_dossiers(
        app, committee, small_pages):
    references = finalise_committee(app, committee)
    chair = app.test_client()
    login(chair, "chair")
    url = f"/comites/{committee['session']}/classement"
    chair.get(url)  # warm up
    few, loaded, html = page_cost(app, chair, url)
    assert few <= MOST_STATEMENTS and loaded == 0
    assert [r for r in references if r in html] == references[:2]
    assert re.search(r"90[,.]0", html) and re.search(r"85[,.]0", html)  # the tallies, read

    extra = add_decided_dossiers(app, committee, 6)
    many, loaded, html = page_cost(app, chair, url)
    assert many == few and loaded == 0
    last, loaded, html = page_cost(app, chair, f"{url}?page=6")
    assert last == few and loaded == 0
    assert extra[-1] in html and "Extra5 Test" in html
    assert re.search(r"\b7[,.]0\b", html)  # 1 point on each of the seven criteria


def test_the_scored_ranking_issues_at_most_a_few_statements_and_loads_no_dossier(
        app, committee, small_pages):
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        for n, dossier in enumerate(dossiers):
            score_dossier(user["chair"], session, dossier, 90 - n * 5)
        db.session.commit()
    chair = app.test_client()
    login(chair, "chair")
    url = f"/comites/{committee['session']}/classement"
    chair.get(url)
    count, loaded, html = page_cost(app, chair, url)
    assert loaded == 0 and count <= 12  # the proposal's reads, the chair's attendance form
    assert html.count('name="present"') == 5  # the chair and the four members


def test_the_page_shows_a_lowered_amount_and_a_forced_decision_with_their_words(
        app, committee):
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        for n, dossier in enumerate(dossiers):
            score_dossier(user["chair"], session, dossier, 90 - n * 5)
        rows = {row.application.id: row for row in selection.propose(session)}
        first, last = rows[dossiers[0].id].dossier, rows[dossiers[4].id].dossier
        selection.set_granted_amount(user["chair"], first, 700_000, "Matériel d'occasion")
        selection.force_decision(user["chair"], last, Decision.REJECTED, "Local non trouvé")
        db.session.commit()
    chair = app.test_client()
    login(chair, "chair")
    html = chair.get(f"/comites/{committee['session']}/classement").get_data(as_text=True)
    assert "Matériel d&#39;occasion" in html or "Matériel d'occasion" in html
    assert "Local non trouvé" in html
    assert re.search(r"700[\s\u202f\u00a0.,]000", html)
    # The figure of what the session selects counts the lowered amount.
    with app.test_request_context():
        _user, session, _dossiers = load_committee(committee)
        proposal = ranking.ranked(session)
    granted = sum(r.amount for r in proposal if r.decision == Decision.SELECTED)
    assert granted == 700_000 + 1_100_000 + 1_200_000 + 1_300_000


def test_a_recused_chair_sees_the_others_at_their_ranks(app, committee):
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        sessions.declare_for_dossier(user["chair"], session, dossiers[1], True, "Cousin")
        for n, dossier in enumerate(dossiers):
            score_dossier(user["m0"], session, dossier, 90 - n * 5)
            if n != 1:
                score_dossier(user["chair"], session, dossier, 90 - n * 5)
        db.session.commit()
        everyone = ranking.ranked(session)
        seen = ranking.ranked(session, hidden_from=session.member(user["chair"].id))
        hidden, hidden_id = dossiers[1].reference, dossiers[1].id
    assert [r.rank for r in seen] == [1, 3, 4, 5]  # the others keep their ranks
    assert seen == [r for r in everyone if r.application_id != hidden_id]
    chair = app.test_client()
    login(chair, "chair")
    html = chair.get(f"/comites/{committee['session']}/classement").get_data(as_text=True)
    assert hidden not in html and dossiers_shown(html) == 4


def dossiers_shown(html: str) -> int:
    return len(re.findall(r'action="[^"]*/dossiers-examines/\d+/decision"', html))

"""Committee pages at any size (issue 12): the session page and the ranking are paginated, the
ranking's pages follow the full ranking and lead to the envelope's cut line, and no page issues
more SQL statements when the session holds more dossiers."""

import re

import pytest

from grants.extensions import db
from grants.models import SessionDossier, User
from grants.services.committees import scoring, selection, sessions
from tests import factories
from tests.conftest import login, page_cost
from tests.factories import load_committee, score_dossier

PER_PAGE = 2


@pytest.fixture
def small_pages(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", PER_PAGE)


def _references(html: str, references: list[str]) -> list[str]:
    """The given references in the order the page shows them."""
    found = sorted((html.index(ref), ref) for ref in references if ref in html)
    return [ref for _position, ref in found]


def _chair_scores_everything(app, committee, envelope_total=2_200_000):
    """The chair scores the five dossiers 90, 85, 80, 75, 70: with 2.2 M on the envelope the
    first two (1.0 M + 1.1 M) are selected and the next ones wait."""
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        session.call.envelope.total = envelope_total
        for n, dossier in enumerate(dossiers):
            score_dossier(user["chair"], session, dossier, 90 - n * 5)
        db.session.commit()
        return [d.reference for d in dossiers]


def test_the_ranking_pages_follow_the_full_ranking_and_lead_to_the_cut_line(
        app, committee, small_pages):
    references = _chair_scores_everything(app, committee)
    with app.test_request_context():
        _user, session, _dossiers = load_committee(committee)
        full = [row.application.reference for row in selection.propose(session)]
        decisions = [row.decision.value for row in selection.propose(session)]
    assert decisions == ["selected", "selected", "waitlisted", "waitlisted", "waitlisted"]
    chair = app.test_client()
    login(chair, "chair")
    url = f"/comites/{committee['session']}/classement"
    shown = []
    for number in (1, 2, 3):
        html = chair.get(f"{url}?page={number}").get_data(as_text=True)
        on_page = _references(html, references)
        assert len(on_page) == (PER_PAGE if number < 3 else 1)
        shown += on_page
    assert shown == full  # page after page, the same order as the whole ranking
    # Page 1 links to the cut line: the page holding the first dossier of the waiting list.
    html = chair.get(url).get_data(as_text=True)
    link = re.search(r'href="([^"]*#cut-line)"', html)
    assert link is not None and "id=\"cut-line\"" not in html
    target = chair.get(link.group(1).replace("&amp;", "&").split("#")[0])
    page = target.get_data(as_text=True)
    assert "page=2" in link.group(1)
    after_cut = page[page.index('id="cut-line"'):]
    assert _references(after_cut, references)[0] == full[2]
    assert _references(page[:page.index('id="cut-line"')], references) == []


def test_the_cut_line_after_the_last_dossier_is_on_the_last_page(app, committee, small_pages):
    references = _chair_scores_everything(app, committee, envelope_total=100_000_000)
    chair = app.test_client()
    login(chair, "chair")
    url = f"/comites/{committee['session']}/classement"
    link = re.search(r'href="([^"]*#cut-line)"', chair.get(url).get_data(as_text=True))
    assert link is not None and "page=3" in link.group(1)
    page = chair.get(f"{url}?page=3").get_data(as_text=True)
    assert page.index(references[4]) < page.index('id="cut-line"')


def test_the_session_page_filters_and_counts_the_members_dossiers(app, committee, small_pages):
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        sessions.declare_for_dossier(user["m0"], session, dossiers[0], True, "Cousin")
        score_dossier(user["m0"], session, dossiers[1], 80)
        score_dossier(user["m0"], session, dossiers[2], 70)
        score_dossier(user["m0"], session, dossiers[3], 60, submit=False)
        db.session.commit()
        references = [d.reference for d in dossiers]
    member = app.test_client()
    login(member, "member0")
    url = f"/comites/{committee['session']}"
    html = member.get(url).get_data(as_text=True)
    counts = dict(re.findall(r'show=(\w+)#dossiers">[^<]*<span class="badge[^"]*">(\d+)', html))
    assert counts == {"all": "5", "to_declare": "1", "to_score": "1", "submitted": "2",
                      "recused": "1"}
    assert _references(html, references) == references[:2]  # page 1 of 3
    assert _references(member.get(f"{url}?page=3").get_data(as_text=True),
                       references) == references[4:]
    submitted = member.get(f"{url}?show=submitted").get_data(as_text=True)
    assert _references(submitted, references) == references[1:3]
    to_score = member.get(f"{url}?show=to_score").get_data(as_text=True)
    assert _references(to_score, references) == [references[3]]
    for garbage in ("?show=nope", "?page=abc", "?page=-4", "?page=99999999999999999999999"):
        assert member.get(url + garbage).status_code == 200


def test_committee_pages_issue_as_many_statements_with_more_dossiers(app, committee,
                                                                     small_pages):
    _chair_scores_everything(app, committee)
    chair = app.test_client()
    login(chair, "chair")
    first = committee["dossiers"][0]
    urls = [f"/comites/{committee['session']}", f"/comites/{committee['session']}/classement",
            f"/comites/{committee['session']}/dossiers/{first}"]
    for url in urls:
        chair.get(url)  # warm up
    before = [page_cost(app, chair, url)[:2] for url in urls]
    with app.app_context():
        user, session, _dossiers = load_committee(committee)
        manager = db.session.get(User, committee["manager"])
        for n in range(6):  # as many again and more, all scored by the chair
            extra = factories.eligible_dossier(manager, session.call, factories.person(
                manager, f"Extra{n}", "Test", id_number=f"X{n}"), requested=1_000_000)
            session.dossiers.append(SessionDossier(application_id=extra.id))
            db.session.flush()
            score_dossier(user["chair"], session, extra, 60 + n)
        db.session.commit()
        assert len(scoring.tallies(session)) == 11
    after = [page_cost(app, chair, url)[:2] for url in urls]
    assert after == before
    assert all(loaded <= PER_PAGE for _count, loaded in after)  # one page, not the session


def test_the_minutes_annex_keeps_every_value_and_fits_the_landscape_line(app):
    from grants.services.committees.annex import Line, annex_pages

    long_title = "Transformation et commercialisation de produits laitiers et de fromages locaux"
    lines = [Line(n, f"AP-2026-{n:04d}", f"Aminata{n} Traoré", long_title if n == 7 else "Savon",
                  "District de Bamako", "72.5", 2_500_000, 2_500_000 if n < 50 else None,
                  "Retenu" if n < 50 else "Liste d'attente", "Dans la limite de l'enveloppe",
                  n >= 50)
             for n in range(1, 201)]
    with app.test_request_context():
        pages = annex_pages(lines)
    text = "\n".join(pages)
    assert len(pages) > 3 and all(len(page.splitlines()) <= 58 for page in pages)
    assert all(len(row) <= 186 for row in text.splitlines())
    for n in range(1, 201):
        assert f"AP-2026-{n:04d}" in text and f"Aminata{n} Traoré" in text
    assert " ".join(text.split()).count(long_title) == 0  # wrapped over two lines of its row…
    assert all(word in text for word in long_title.split())  # …with every word kept
    assert all(page.splitlines()[0] == pages[0].splitlines()[0] for page in pages)  # headed


def test_generating_the_minutes_reports_its_progress(app, committee):
    from grants.services.committees import minutes

    with app.test_request_context():
        user, session, dossiers = load_committee(committee)
        for n, dossier in enumerate(dossiers):
            score_dossier(user["m0"], session, dossier, 90 - n * 5)
        selection.record_attendance(user["chair"], session, {
            user["chair"].id, user["m0"].id, user["m1"].id})
        selection.finalise(user["chair"], session)
        steps = []
        minutes.generate(user["chair"], session, progress=lambda done, total: steps.append(
            (done, total)))
    assert steps[0] == (0, 3) and steps[-1] == (3, 3)
    assert [done for done, _total in steps] == sorted(done for done, _total in steps)

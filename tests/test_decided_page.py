"""A finalised session's ranking page read in one statement (decided_page) gives what the page
read before from every dossier of the ranking (ranked(), list_page, cut_index, page_rows): the
same rows, counts, amount selected, cut line and page, for every page, page size, pattern of
decisions and with a recused member."""

import pytest
import sqlalchemy as sa

from grants.extensions import db
from grants.models import Decision, InterestDeclaration, SessionDossier
from grants.paging import list_page
from grants.services.committees import ranking
from grants.services.committees.decided_page import RankingFigures, decided_page
from tests.factories import add_decided_dossiers, finalise_committee, load_committee

S, W, R = Decision.SELECTED, Decision.WAITLISTED, Decision.REJECTED
PATTERNS = {  # the decisions of the eleven dossiers, in rank order
    "as finalised": None,
    "all selected": [S] * 11,
    "nothing selected": [R] * 11,
    "selected, waiting list, rejected": [S, S, S, W, W, R, R, R, R, R, R],
    "selected then rejected": [S, S, R, R, R, R, R, R, R, R, R],
    "mixed": [S, R, S, W, R, W, S, R, R, W, R],
    "the last one selected": [R] * 10 + [S],
}


def _before(session, member, per_page: int):
    """What the page showed before, on every page (past the last: the last)."""
    ranks = ranking.ranked(session, with_tallies=False, hidden_from=member)
    cut = ranking.cut_index(ranks)
    figures = RankingFigures(
        len(ranks), sum(r.amount for r in ranks if r.decision == Decision.SELECTED), cut,
        None if cut is None else (ranks[cut].rank if cut < len(ranks) else ranks[-1].rank + 1))
    pages = {}
    for number in range(1, len(ranks) // per_page + 3):
        page = list_page(ranks, per_page, number)
        pages[number] = (ranking.page_rows(session, page.items, read_tallies=True), page.page)
    return figures, pages


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_decided_page_is_what_the_whole_ranking_gave(app, committee, pattern):
    finalise_committee(app, committee)
    add_decided_dossiers(app, committee, 6)
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        in_order = db.session.scalars(sa.select(SessionDossier).where(
            SessionDossier.session_id == session.id).order_by(SessionDossier.rank)).all()
        assert len(in_order) == 11
        for dossier, decision in zip(in_order, PATTERNS[pattern] or [], strict=False):
            dossier.decision = decision
        chair = session.member(user["chair"].id)
        # The chair declares a conflict on the third dossier (ranked as if they had not).
        db.session.execute(sa.update(InterestDeclaration).where(
            InterestDeclaration.member_id == chair.id,
            InterestDeclaration.application_id == in_order[2].application_id).values(
            conflicted=True))
        db.session.commit()
        for member in (None, chair):
            for per_page in (1, 2, 3, 5, 20):
                figures, pages = _before(session, member, per_page)
                for number, (rows, shown_page) in pages.items():
                    with app.test_request_context():
                        got_rows, got_figures, got_page = decided_page(
                            session, member, number, per_page)
                        got_items = got_page.items
                    assert got_figures == figures, (member, per_page, number)
                    assert got_rows == rows == got_items, (member, per_page, number)
                    assert got_page.page == shown_page and got_page.total == figures.total
    assert figures.total == 10  # the chair is recused from one dossier

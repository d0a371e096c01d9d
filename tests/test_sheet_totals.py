"""Score sheets keep their figures (issue 12 point 2): the total, the social-priority points and
an eliminatory failure are kept by the scoring service whenever a sheet is saved, filled by the
migration for the sheets scored before it, and the tallies read from them are those the
session's scores give."""

import flask_migrate
import sqlalchemy as sa

from grants.extensions import db
from grants.models import (
    Criterion,
    Score,
    ScoreSheet,
    Seat,
    SessionMember,
    SheetStatus,
)
from grants.services.committees import grids, ranking, scoring, sessions
from tests.conftest import committed
from tests.factories import load_committee, score_dossier

BEFORE = "b96dbccf2fab"  # the revision before the sheets kept their figures


def _tallies_from_scores(session_id: int) -> dict[int, tuple]:
    """The former computation: every score of the session's submitted voting sheets."""
    per_sheet: dict[int, list] = {}
    query = (sa.select(ScoreSheet.id, ScoreSheet.application_id, Score.points,
                       Criterion.social_priority, Criterion.eliminatory)
             .join(Score, Score.sheet_id == ScoreSheet.id)
             .join(Criterion, Criterion.id == Score.criterion_id)
             .join(SessionMember, SessionMember.id == ScoreSheet.member_id)
             .where(SessionMember.session_id == session_id, SessionMember.seat == Seat.VOTING,
                    ScoreSheet.status == SheetStatus.SUBMITTED))
    for sheet_id, application_id, points, social, eliminatory in db.session.execute(query):
        sheet = per_sheet.setdefault(sheet_id, [application_id, 0, 0, 0])
        sheet[1] += points
        sheet[2] += points if social else 0
        sheet[3] = max(sheet[3], int(eliminatory and points == 0))
    tallies: dict[int, list] = {}
    for application_id, total, social, failed in per_sheet.values():
        tallies.setdefault(application_id, []).append((total, social, failed))
    return {a: (len(s), round(sum(t for t, _s, _f in s) / len(s), 6),
                min(t for t, _s, _f in s), max(t for t, _s, _f in s),
                round(sum(x for _t, x, _f in s) / len(s), 6), sum(f for _t, _s, f in s))
            for a, s in tallies.items()}


def _read(tallies) -> dict[int, tuple]:
    return {a: (t.scorers, round(t.mean, 6), t.lowest, t.highest, round(t.social_mean, 6),
                t.eliminatory_failures) for a, t in tallies.items()}


def _figures(application_id: int) -> list[tuple]:
    return sorted(db.session.execute(
        sa.select(ScoreSheet.member_id, ScoreSheet.total, ScoreSheet.social_points,
                  ScoreSheet.eliminatory_failed)
        .where(ScoreSheet.application_id == application_id)).all())


def _varied_scores(app, committee):
    """An eliminatory criterion (C3); sheets submitted, a draft, one reopened and changed, one
    whose draft lost a criterion, a recused member, eliminatory failures, social points."""
    with committed(app):
        _user, session, _dossiers = load_committee(committee)
        grids.grid_for(session.call).criteria[2].eliminatory = True
    with committed(app):
        user, session, dossiers = load_committee(committee)
        grid = grids.grid_for(session.call)
        c3 = grid.criteria[2]
        sessions.declare_for_dossier(user["m2"], session, dossiers[4], True, "Cousin")
        for n, dossier in enumerate(dossiers):
            score_dossier(user["m0"], session, dossier, 90 - n * 7, social=10 - n)
            score_dossier(user["m1"], session, dossier, 55 + n * 6, social=n)
            if n < 4:
                score_dossier(user["m2"], session, dossier, 70, submit=n != 2)
        for key in ("m0", "m1"):  # two of three fail C3 on dossier 1
            points = {c.id: c.max_points - 1 for c in grid.criteria}
            points[c3.id] = 0
            sheet = scoring.sheet_of(session.member(user[key].id), dossiers[1].id)
            scoring.reopen_sheet(user["chair"], session, sheet, "C3 revu")
            scoring.save_sheet(user[key], session, dossiers[1], points, {c3.id: "Pas de local"},
                               submit=True)
        draft = {c.id: 3 for c in grid.criteria}
        draft[grid.criteria[0].id] = None
        scoring.save_sheet(user["m2"], session, dossiers[2], draft, {})  # a criterion removed
        score_dossier(user["chair"], session, dossiers[0], 88, social=7)
        return session.id, [d.id for d in dossiers]


def test_the_sheets_keep_their_figures_and_the_tallies_are_the_scores(app, committee):
    session_id, dossier_ids = _varied_scores(app, committee)
    with app.app_context():
        user, session, _dossiers = load_committee(committee)
        expected = _tallies_from_scores(session_id)
        assert _read(scoring.tallies(session)) == expected
        assert expected[dossier_ids[1]][5] == 2  # the eliminatory failures counted
        draft = scoring.sheet_of(session.member(user["m2"].id), dossier_ids[2])
        assert draft.status == SheetStatus.DRAFT
        assert (draft.total, draft.social_points) == (3 * 6, 3)  # C2 to C7, C6 social
        # The ranking reads the same tallies, in rank order.
        ranks = ranking.ranked(session)
        assert {r.application_id: _read({0: r.tally})[0] for r in ranks if r.tally} == expected


def test_the_migration_fills_the_figures_of_sheets_scored_before_it(app, committee):
    session_id, dossier_ids = _varied_scores(app, committee)
    with app.app_context():
        kept = {a: _figures(a) for a in dossier_ids}
        db.session.remove()  # no transaction left holding the table the migration alters
        try:
            flask_migrate.downgrade(revision=BEFORE)
            columns = {c["name"] for c in sa.inspect(db.engine).get_columns("score_sheet")}
            assert "total" not in columns
        finally:
            db.session.remove()
            flask_migrate.upgrade()
        assert {a: _figures(a) for a in dossier_ids} == kept
        assert any(failed for rows in kept.values() for *_r, failed in rows)
        _user, session, _dossiers = load_committee(committee)
        assert _read(scoring.tallies(session)) == _tallies_from_scores(session_id)

"""Selection committees: grid, declarations, blind scoring, aggregation, selection, minutes."""

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from grants.database import utcnow
from grants.extensions import db
from grants.models import Decision, Minutes, Role, Seat, SessionStatus, User
from grants.services.committees import grids, minutes, scoring, selection, sessions
from grants.services.errors import ConflictError, ForbiddenError, ValidationError
from grants.services.intake import applications
from grants.workflow import ApplicationAction, ApplicationStatus
from tests import factories
from tests.conftest import committed
from tests.factories import load_committee, score_dossier


def test_default_grid_has_the_seven_criteria_of_the_domain(app, committee):
    with app.app_context():
        _user, session, _d = load_committee(committee)
        grid = grids.grid_for(session.call)
        assert [c.code for c in grid.criteria] == ["C1", "C2", "C3", "C4", "C5", "C6", "C7"]
        assert grid.total == 100 and grid.pass_mark == 60
        assert [c.code for c in grid.criteria if c.social_priority] == ["C6"]


def test_grid_maxima_must_add_up_to_100_and_lock_at_the_first_score(app, committee):
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        grid = grids.grid_for(session.call)
        rows = [grids.CriterionInput(c.code, c.label_fr, c.label_en, None, c.max_points,
                                          False, c.social_priority) for c in grid.criteria]
        rows[0].max_points = 25
        with pytest.raises(ValidationError, match="100"):
            grids.save_grid(user["manager"], grid, 60, rows)
        rows[0].max_points, rows[1].code = 20, "C1"
        with pytest.raises(ValidationError):
            grids.save_grid(user["manager"], grid, 60, rows)
        score_dossier(user["m0"], session, dossiers[0], 70, submit=False)
        rows[1].code = "C2"
        with pytest.raises(ConflictError):
            grids.save_grid(user["manager"], grid, 60, rows)


def test_session_takes_every_eligible_dossier_with_a_majority_quorum(app, committee):
    with app.app_context():
        _user, session, dossiers = load_committee(committee)
        assert session.reference.startswith("CS-") and session.quorum == 3  # 4 voting
        assert {d.status for d in dossiers} == {ApplicationStatus.UNDER_REVIEW}
        assert [m.seat for m in session.members if m.user_id == session.chair_id] == [Seat.VOTING]


def test_a_dossier_opens_only_after_both_declarations_and_never_when_recused(app, committee,
                                                                            make_user):
    late = make_user(Role.COMMITTEE_MEMBER, username="late")
    with committed(app):
        user, session, dossiers = load_committee(committee)
        session.members.append(sessions.SessionMember(user_id=late, seat=Seat.VOTING))
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        late_user = db.session.get(User, late)
        with pytest.raises(ConflictError):
            scoring.check_can_open(late_user, session, dossiers[0])  # no session declaration
        with pytest.raises(ConflictError):
            scoring.check_can_open(user["m0"], session, dossiers[0])  # no dossier declaration
        with pytest.raises(ValidationError):
            sessions.declare_for_dossier(user["m0"], session, dossiers[0], True, "")
        sessions.declare_for_dossier(user["m0"], session, dossiers[0], True, "My cousin")
        with pytest.raises(ForbiddenError):
            scoring.check_can_open(user["m0"], session, dossiers[0])
        with pytest.raises(ForbiddenError):
            scoring.save_sheet(user["m0"], session, dossiers[0], {}, {})
        with pytest.raises(ConflictError):  # a declaration cannot be changed afterwards
            sessions.declare_for_dossier(user["m0"], session, dossiers[0], False, None)


def test_score_values_and_comments_are_checked(app, committee):
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        grid = grids.grid_for(session.call)
        sessions.declare_for_dossier(user["m0"], session, dossiers[0], False, None)
        c1 = grid.criteria[0]
        for bad in (-1, c1.max_points + 1, 12.5, True, "10"):
            with pytest.raises(ValidationError):
                scoring.save_sheet(user["m0"], session, dossiers[0], {c1.id: bad}, {})
        for needs_comment in (0, c1.max_points):
            with pytest.raises(ValidationError, match="C1"):
                scoring.save_sheet(user["m0"], session, dossiers[0], {c1.id: needs_comment}, {})
        draft = scoring.save_sheet(user["m0"], session, dossiers[0], {c1.id: 12}, {})
        assert draft.status.value == "draft"
        with pytest.raises(ValidationError, match="C2"):
            scoring.save_sheet(user["m0"], session, dossiers[0], {c1.id: 12}, {}, submit=True)
        sessions.declare_for_dossier(user["observer"], session, dossiers[0], False, None)
        with pytest.raises(ForbiddenError):
            scoring.save_sheet(user["observer"], session, dossiers[0], {c1.id: 12}, {})


def test_a_submitted_sheet_is_locked_and_only_the_chair_reopens_it_with_a_reason(app, committee):
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        sheet = score_dossier(user["m0"], session, dossiers[0], 70)
        with pytest.raises(ConflictError):
            score_dossier(user["m0"], session, dossiers[0], 80)
        with pytest.raises(ForbiddenError):
            scoring.reopen_sheet(user["m1"], session, sheet, "because")
        with pytest.raises(ValidationError):
            scoring.reopen_sheet(user["chair"], session, sheet, " ")
        scoring.reopen_sheet(user["chair"], session, sheet, "Erreur de saisie sur C4")
        assert score_dossier(user["m0"], session, dossiers[0], 80).status.value == "submitted"


def test_nobody_sees_others_scores_before_submitting_their_own(app, committee):
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        score_dossier(user["m0"], session, dossiers[0], 70)
        assert scoring.may_see_scores(user["m0"], session, dossiers[0].id)
        assert not scoring.may_see_scores(user["m1"], session, dossiers[0].id)
        score_dossier(user["m1"], session, dossiers[0], 60, submit=False)
        assert not scoring.may_see_scores(user["m1"], session, dossiers[0].id)
        assert not scoring.may_see_scores(user["observer"], session, dossiers[0].id)
        assert not scoring.may_see_scores(user["manager"], session, dossiers[0].id)


def test_aggregation_excludes_recused_members_and_missing_sheets(app, committee):
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        score_dossier(user["m0"], session, dossiers[0], 80)
        score_dossier(user["m1"], session, dossiers[0], 50)
        score_dossier(user["m2"], session, dossiers[0], 65, submit=False)  # a draft does not count
        sessions.declare_for_dossier(user["chair"], session, dossiers[0], True, "Voisin")
        tally = scoring.tallies(session)[dossiers[0].id]
        assert (tally.scorers, tally.mean, tally.lowest, tally.highest) == (2, 65.0, 50, 80)
        assert tally.spread == 30
        rows = {row.application.id: row for row in selection.propose(session)}
        assert rows[dossiers[0].id].flagged  # 30 > 25
        assert dossiers[1].id not in scoring.tallies(session)
        assert rows[dossiers[1].id].decision == Decision.REJECTED


def test_an_eliminatory_failure_by_a_majority_makes_a_dossier_unfundable(app, committee):
    with committed(app):
        user, session, dossiers = load_committee(committee)
        grid = grids.grid_for(session.call)
        grid.criteria[2].eliminatory = True  # C3 technical feasibility
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        grid = grids.grid_for(session.call)
        c3 = grid.criteria[2]
        for key, fail in (("m0", True), ("m1", True), ("m2", False)):
            sessions.declare_for_dossier(user[key], session, dossiers[0], False, None)
            points = {c.id: c.max_points - 1 for c in grid.criteria}
            if fail:
                points[c3.id] = 0
            scoring.save_sheet(user[key], session, dossiers[0], points,
                               {c3.id: "Pas de local"} if fail else {}, submit=True)
        tally = scoring.tallies(session)[dossiers[0].id]
        assert tally.eliminatory_failures == 2 and tally.unfundable
        row = next(r for r in selection.propose(session) if r.application.id == dossiers[0].id)
        assert row.decision == Decision.REJECTED and tally.mean > 60


def test_ties_are_broken_by_social_priority_then_submission_date(app, committee):
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        for n, dossier in enumerate(dossiers):
            dossier.submitted_at = utcnow() - timedelta(days=10 - n)
        score_dossier(user["m0"], session, dossiers[3], 75, social=2)
        score_dossier(user["m0"], session, dossiers[4], 75, social=9)
        score_dossier(user["m0"], session, dossiers[1], 75, social=5)
        score_dossier(user["m0"], session, dossiers[2], 75, social=5)
        order = [row.application.id for row in selection.propose(session)][:4]
        assert order == [dossiers[4].id, dossiers[1].id, dossiers[2].id, dossiers[3].id]


def test_selection_stays_within_the_envelope_then_fills_the_waiting_list(app, committee):
    with committed(app):
        user, session, dossiers = load_committee(committee)
        session.call.envelope.total = 3_500_000  # room for dossiers of 1.0, 1.1 and 1.2 M only
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        for n, dossier in enumerate(dossiers):
            score_dossier(user["m0"], session, dossier, 90 - n * 5)  # ranks follow the list
        rows = selection.propose(session)
        decisions = [(row.application.id, row.decision) for row in rows]
        assert decisions == [(dossiers[0].id, Decision.SELECTED), (dossiers[1].id, Decision.SELECTED),
                             (dossiers[2].id, Decision.SELECTED), (dossiers[3].id, Decision.WAITLISTED),
                             (dossiers[4].id, Decision.WAITLISTED)]
        assert sum(r.dossier.amount for r in rows if r.decision == Decision.SELECTED) <= 3_500_000


def test_one_active_grant_per_beneficiary_and_the_pass_mark(app, committee):
    with committed(app):
        user, session, dossiers = load_committee(committee)
        holder = dossiers[0].lead
        other = factories.complete_dossier(user["manager"], session.call, holder)
        other.status = ApplicationStatus.IN_DISBURSEMENT  # an earlier grant, still running
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        score_dossier(user["m0"], session, dossiers[0], 90)
        score_dossier(user["m0"], session, dossiers[1], 55)
        rows = {row.application.id: row for row in selection.propose(session)}
        assert rows[dossiers[0].id].decision == Decision.REJECTED
        assert rows[dossiers[1].id].decision == Decision.REJECTED  # below 60


def test_the_chair_overrides_only_with_a_justification_and_within_the_envelope(app, committee):
    with committed(app):
        user, session, dossiers = load_committee(committee)
        session.call.envelope.total = 2_000_000
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        target = session.dossiers[4]
        with pytest.raises(ValidationError):
            selection.force_decision(user["chair"], target, Decision.SELECTED, "")
        with pytest.raises(ForbiddenError):
            selection.force_decision(user["m0"], target, Decision.SELECTED, "Vulnérable")
        selection.force_decision(user["chair"], target, Decision.SELECTED, "Grande vulnérabilité")
        with pytest.raises(ConflictError):  # 1.4 M + 1.3 M > 2 M
            selection.force_decision(user["chair"], session.dossiers[3], Decision.SELECTED, "Aussi")
        with pytest.raises(ValidationError):
            selection.set_granted_amount(user["chair"], target, 900_000, None)
        selection.set_granted_amount(user["chair"], target, 900_000, "Budget surévalué")
        assert target.amount == 900_000


def test_finalising_needs_the_quorum_and_locks_the_scores(app, committee):
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        for dossier in dossiers:
            score_dossier(user["m0"], session, dossier, 70)
        selection.record_attendance(user["chair"], session, {user["chair"].id, user["m0"].id})
        with pytest.raises(ConflictError, match="quorum"):
            selection.finalise(user["chair"], session)
        selection.record_attendance(user["chair"], session, {
            user["chair"].id, user["m0"].id, user["m1"].id, user["observer"].id})
        rows = selection.finalise(user["chair"], session)
        assert session.status == SessionStatus.FINALISED
        assert {d.status for d in dossiers} == {ApplicationStatus.SELECTED}
        assert [r.dossier.rank for r in rows] == [1, 2, 3, 4, 5]
        with pytest.raises(ConflictError):
            score_dossier(user["m1"], session, dossiers[0], 70)


def test_minutes_state_the_data_and_versions_are_never_overwritten(app, committee):
    with app.test_request_context():
        user, session, dossiers = load_committee(committee)
        session.call.envelope.total = 3_500_000
        for n, dossier in enumerate(dossiers):
            score_dossier(user["m0"], session, dossier, 90 - n * 5)
        sessions.declare_for_dossier(user["m1"], session, dossiers[4], True, "Parent")
        selection.force_decision(user["chair"], session.dossiers[4], Decision.REJECTED,
                                 "Activité déjà financée par une ONG")
        selection.record_attendance(user["chair"], session, {
            user["chair"].id, user["m0"].id, user["m1"].id})
        selection.finalise(user["chair"], session)
        first = minutes.generate(user["chair"], session)
        text = "".join(page.extract_text() for page in PdfReader(
            io.BytesIO(minutes.minutes_path(first).read_bytes())).pages)
        squashed = " ".join(text.split()).replace("\u202f", " ").replace("\u00a0", " ")
        assert session.reference in squashed and "PROCÈS-VERBAL" in squashed.upper()
        for dossier in dossiers:
            assert dossier.reference in squashed
        assert "3 dossiers retenus pour un total de 3 300 000 F CFA" in squashed
        assert "trois millions trois cent mille francs CFA" in squashed
        assert "Activité déjà financée par une ONG" in squashed
        assert "Test member1" in squashed and dossiers[4].reference in squashed
        import hashlib

        content = minutes.minutes_path(first).read_bytes()
        assert hashlib.sha256(content).hexdigest() == first.sha256
        second = minutes.generate(user["chair"], session)
        assert (first.version, second.version) == (1, 2)
        assert minutes.minutes_path(first).read_bytes() == content
        assert db.session.scalar(db.select(db.func.count()).select_from(Minutes)) == 2


def test_waiting_list_promotion_after_a_withdrawal(app, committee):
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        session.call.envelope.total = 2_200_000  # 1.0 + 1.1 M selected, 0.1 M left
        for n, dossier in enumerate(dossiers):
            score_dossier(user["m0"], session, dossier, 90 - n * 5)
        selection.record_attendance(user["chair"], session, {
            user["chair"].id, user["m0"].id, user["m1"].id})
        selection.finalise(user["chair"], session)
        assert dossiers[2].status == ApplicationStatus.WAITLISTED
        with pytest.raises(ConflictError):  # nothing left on the envelope yet
            selection.promote_next(user["manager"], session)
        applications.transition(user["manager"], dossiers[1], ApplicationAction.WITHDRAW,
                                "Parti à l'étranger")
        promoted = selection.promote_next(user["manager"], session)
        assert promoted.application_id == dossiers[2].id
        assert dossiers[2].status == ApplicationStatus.SELECTED


def test_a_member_who_is_not_the_chair_cannot_promote_or_rewrite_the_minutes(app, committee,
                                                                             make_user):
    other_chair = make_user(Role.COMMITTEE_CHAIR, username="otherchair")
    with app.test_request_context():
        user, session, dossiers = load_committee(committee)
        session.members.append(sessions.SessionMember(user_id=other_chair, seat=Seat.VOTING))
        session.call.envelope.total = 2_200_000
        for n, dossier in enumerate(dossiers):
            score_dossier(user["m0"], session, dossier, 90 - n * 5)
        selection.record_attendance(user["chair"], session, {
            user["chair"].id, user["m0"].id, user["m1"].id})
        selection.finalise(user["chair"], session)
        applications.transition(user["manager"], dossiers[1], ApplicationAction.WITHDRAW, "Parti")
        intruder = db.session.get(User, other_chair)
        with pytest.raises(ForbiddenError):
            selection.promote_next(intruder, session)
        with pytest.raises(ForbiddenError):
            minutes.generate(intruder, session)
        assert selection.promote_next(user["manager"], session).application_id == dossiers[2].id

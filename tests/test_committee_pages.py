"""Committee pages: blindness and recusal hold on every route and export."""

import html
import io
import re

import openpyxl
import pytest

from grants.extensions import db
from grants.models import CommitteeSession, Minutes, Role, ScoreSheet, SessionDossier, User
from grants.services.committees import grids, sessions
from tests.conftest import download, login
from tests.factories import load_committee, score_dossier


@pytest.fixture
def browsers(app, committee):
    clients = {}
    for key, username in (("chair", "chair"), ("m0", "member0"), ("m1", "member1"),
                          ("manager", "manager"), ("observer", "observer")):
        clients[key] = app.test_client()
        login(clients[key], username)
    return clients


def _paths(session_id, application_id):
    return {"dossier": f"/comites/{session_id}/dossiers/{application_id}",
            "ranking": f"/comites/{session_id}/classement",
            "export": f"/comites/{session_id}/classement.xlsx"}


def test_before_submitting_a_member_sees_no_score_anywhere(app, committee, browsers):
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        score_dossier(user["m0"], session, dossiers[0], 83)  # someone else has scored
        db.session.commit()
    paths = _paths(committee["session"], committee["dossiers"][0])
    member = browsers["m1"]
    member.post(paths["dossier"] + "/declaration", data={"conflicted": "no"})
    page = member.get(paths["dossier"]).get_data(as_text=True)
    assert "83,0" not in page and "83.0" not in page and "moyenne" not in page
    assert "Résultats des membres" not in page
    assert member.get(paths["ranking"]).status_code == 302
    assert member.get(paths["export"]).status_code == 404
    assert browsers["chair"].get(paths["export"]).status_code == 404  # chair has not scored
    assert browsers["manager"].get(paths["export"]).status_code == 404  # not finalised


def test_after_submitting_a_member_sees_the_results_of_that_dossier(app, committee, browsers):
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        score_dossier(user["m0"], session, dossiers[0], 81)
        score_dossier(user["m1"], session, dossiers[0], 61)
        db.session.commit()
    page = browsers["m1"].get(_paths(committee["session"], committee["dossiers"][0])["dossier"])
    text = page.get_data(as_text=True)
    assert "moyenne 71,0" in text and "plus basse 61" in text


def test_a_recused_member_cannot_reach_the_dossier_by_any_route(app, committee, browsers):
    paths = _paths(committee["session"], committee["dossiers"][0])
    member = browsers["m0"]
    member.post(paths["dossier"] + "/declaration", data={"conflicted": "yes",
                                                         "details": "Mon frère"})
    assert member.get(paths["dossier"]).status_code == 404
    assert member.post(paths["dossier"], data={"action": "submit"}).status_code == 404
    assert member.post(paths["dossier"] + "/declaration",
                       data={"conflicted": "no"}).status_code == 404
    assert member.get(f"/dossiers/{committee['dossiers'][0]}").status_code == 403
    session_page = member.get(f"/comites/{committee['session']}").get_data(as_text=True)
    assert "récusé" in session_page


def test_people_outside_the_session_do_not_see_it(app, committee, make_user):
    make_user(Role.COMMITTEE_MEMBER, username="outsider")
    outsider = app.test_client()
    login(outsider, "outsider")
    assert outsider.get(f"/comites/{committee['session']}").status_code == 404
    assert "Comité 2026" not in outsider.get("/comites/").get_data(as_text=True)


def test_the_chair_finalises_and_the_minutes_and_ranking_can_be_downloaded(app, committee,
                                                                           browsers):
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        for n, dossier in enumerate(dossiers):
            score_dossier(user["chair"], session, dossier, 90 - n * 5)
        db.session.commit()
        present = [user["chair"].id, user["m0"].id, user["m1"].id]
    chair = browsers["chair"]
    session_id = committee["session"]
    assert chair.get(f"/comites/{session_id}/classement").status_code == 200
    chair.post(f"/comites/{session_id}/presence", data={"present": present})
    response = chair.post(f"/comites/{session_id}/finaliser")
    assert response.status_code == 302
    with app.app_context():
        meeting = db.session.get(CommitteeSession, session_id)
        assert meeting.status.value == "finalised"
        version = db.session.scalar(db.select(Minutes))
    pdf = browsers["manager"].get(f"/comites/{session_id}/pv/{version.id}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    sheet = openpyxl.load_workbook(io.BytesIO(
        download(browsers["manager"], f"/comites/{session_id}/classement.xlsx"))).active
    assert [sheet.cell(row=r, column=1).value for r in range(2, 7)] == [1, 2, 3, 4, 5]
    assert sheet.cell(row=2, column=11).value == "Retenu"


def test_finalising_without_quorum_is_refused(app, committee, browsers):
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        for dossier in dossiers:
            score_dossier(user["chair"], session, dossier, 75)
        db.session.commit()
        chair_id = user["chair"].id
    chair = browsers["chair"]
    chair.post(f"/comites/{committee['session']}/presence", data={"present": [chair_id]})
    chair.post(f"/comites/{committee['session']}/finaliser")
    with app.app_context():
        assert db.session.get(CommitteeSession, committee["session"]).status.value == "scoring"


def test_only_the_chair_of_the_session_decides(app, committee, browsers):
    session_id = committee["session"]
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        for dossier in dossiers:
            score_dossier(user["chair"], session, dossier, 75)
        db.session.commit()
        dossier_id = session.dossiers[0].id
    path = f"/comites/{session_id}/dossiers-examines/{dossier_id}/decision"
    form = {"decision": "rejected", "justification": "Pas convaincant"}
    assert browsers["m0"].post(path, data=form).status_code == 403  # no deciding role
    browsers["manager"].post(path, data=form)  # may decide in general, but is not the chair
    with app.app_context():
        assert db.session.get(SessionDossier, dossier_id).forced_decision is None
    browsers["chair"].post(path, data=form)
    with app.app_context():
        assert db.session.get(SessionDossier, dossier_id).forced_decision.value == "rejected"


def test_a_recused_member_does_not_find_the_dossier_in_the_final_ranking_or_export(
        app, committee, browsers):
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        from grants.services.committees import selection, sessions

        sessions.declare_for_dossier(user["m1"], session, dossiers[2], True, "Associé")
        for dossier in dossiers:
            score_dossier(user["chair"], session, dossier, 75)
        selection.record_attendance(user["chair"], session, {
            user["chair"].id, user["m0"].id, user["m1"].id})
        selection.finalise(user["chair"], session)
        db.session.commit()
        hidden = dossiers[2].reference
    member = browsers["m1"]
    assert hidden not in member.get(f"/comites/{committee['session']}/classement").get_data(
        as_text=True)
    sheet = openpyxl.load_workbook(io.BytesIO(
        download(member, f"/comites/{committee['session']}/classement.xlsx"))).active
    references = [sheet.cell(row=r, column=2).value for r in range(2, sheet.max_row + 1)]
    assert hidden not in references and len([r for r in references if r]) == 4


def test_a_sub_panel_takes_only_the_dossiers_listed(app, make_user):
    from datetime import date

    from tests import factories
    from tests.conftest import committed

    manager_id = make_user(Role.PROGRAMME_MANAGER, username="progman")
    chair_id = make_user(Role.COMMITTEE_CHAIR, username="chairwoman")
    with committed(app):
        manager = db.session.get(User, manager_id)
        call = factories.open_call(manager)
        refs = [factories.eligible_dossier(manager, call, factories.person(
            manager, f"P{n}", "Sub", id_number=f"S{n}")).reference for n in range(3)]
        chosen = sessions.dossiers_by_reference(call, f"{refs[0].lower()}, {refs[2]}")
        session = sessions.create_session(manager, call, title="Sous-comité Kayes",
                                            chair=db.session.get(User, chair_id), members=[],
                                            meeting_on=date.today(), applications=chosen)
        assert sorted(d.application.reference for d in session.dossiers) == [refs[0], refs[2]]
        import pytest as _pytest

        with _pytest.raises(sessions.ValidationError):
            sessions.dossiers_by_reference(call, "AP-1999-0001")


def test_the_grid_page_saves_nothing_until_the_form_is_sent(app, make_user, client, login_as):
    from grants.models import ScoringGrid
    from tests import factories
    from tests.conftest import committed

    manager_id = login_as(Role.PROGRAMME_MANAGER)
    with committed(app):
        call_id = factories.open_call(db.session.get(User, manager_id)).id
    page = client.get(f"/comites/grilles/{call_id}").get_data(as_text=True)
    assert "C6" in page and "Priorité sociale" in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ScoringGrid)) == 0
    form = {"pass_mark": "55"}
    rows = [("Q1", "Qualité", "Quality", 60), ("Q2", "Impact", "Impact", 40)]
    for n, (code, fr, en, maximum) in enumerate(rows):
        form |= {f"criteria-{n}-code": code, f"criteria-{n}-label_fr": fr,
                 f"criteria-{n}-label_en": en, f"criteria-{n}-max_points": str(maximum)}
    assert client.post(f"/comites/grilles/{call_id}", data=form).status_code == 302
    with app.app_context():
        grid = db.session.scalar(db.select(ScoringGrid))
        assert grid.pass_mark == 55 and [c.code for c in grid.criteria] == ["Q1", "Q2"]
    form["criteria-1-max_points"] = "30"
    page = client.post(f"/comites/grilles/{call_id}", data=form).get_data(as_text=True)
    assert "totaliser 100" in page


def _message_after(page: str, field_id: str) -> str | None:
    """The first message drawn right after the field `field_id` (its feedback), if any."""
    found = re.search(rf'id="{field_id}"[^>]*>\s*<div class="invalid-feedback d-block">(.*?)</div>',
                      page, re.S)
    return html.unescape(found.group(1)) if found else None


def test_a_declaration_and_a_sheet_show_their_messages_at_their_fields(app, committee, browsers):
    paths = _paths(committee["session"], committee["dossiers"][0])
    member = browsers["m1"]
    response = member.post(paths["dossier"] + "/declaration", data={})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="conflicted-0"' in page
    assert re.search(r'id="conflicted-1".*?<div class="invalid-feedback d-block">Répondez à la '
                     r'question\.</div>', page, re.S)
    member.post(paths["dossier"] + "/declaration", data={"conflicted": "no"})
    with app.app_context():
        _user, session, _dossiers = load_committee(committee)
        first = grids.grid_for(session.call).criteria[0]
        code, maximum = first.code, first.max_points
        blank = {f"lines-{n}-points": "" for n in range(len(grids.grid_for(session.call).criteria))}

    # The maximum without its comment: the service's message at that line's comment field.
    page = member.post(paths["dossier"], data={**blank, "lines-0-points": str(maximum),
                                               "action": "save"}).get_data(as_text=True)
    assert _message_after(page, "lines-0-comment") == \
        f"{code} : justifiez une note de 0 ou la note maximale."
    assert "justifiez" not in page.split('id="lines-0-points"')[0]  # not above the form
    # Submitted with lines missing: the message at the first empty line's points.
    page = member.post(paths["dossier"], data={**blank, "lines-0-points": "3",
                                               "action": "submit"}).get_data(as_text=True)
    assert _message_after(page, "lines-1-points").startswith("Notez chaque critère")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ScoreSheet)) == 0
def test_the_ranking_says_what_the_session_retained_of_what_it_had(app, committee, browsers,
                                                                    make_user):
    """"Retenu par cette session : X, sur les Y que l'enveloppe lui réserve ; reste : Z", and Y
    does not fall to 0 once the selected dossiers' agreements are signed (it said "Retenus :
    100 000 000 F CFA sur 0 F CFA disponibles"). Mean scores take a decimal comma."""
    import datetime
    import html
    import re
    import uuid

    from grants.formatting import money
    from grants.models import Application, Channel
    from grants.services.money import agreements

    officer_id = make_user(Role.FINANCE_OFFICER, username="officer")
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        for n, dossier in enumerate(dossiers):
            score_dossier(user["chair"], session, dossier, 90 - n * 5)
        db.session.commit()
        present = [user["chair"].id, user["m0"].id, user["m1"].id]
    chair = browsers["chair"]
    url = f"/comites/{committee['session']}/classement"
    chair.post(f"/comites/{committee['session']}/presence", data={"present": present})
    assert chair.post(f"/comites/{committee['session']}/finaliser").status_code == 302

    def summary() -> str:
        page = html.unescape(chair.get(url).get_data(as_text=True))
        assert ">90,0<" in page and "90.0" not in page
        return re.search(r"Retenu par cette session : .*?\.\s", page, re.S).group(0)

    with app.test_request_context():
        granted, whole, left = (money(n) for n in (6_000_000, 100_000_000, 94_000_000))
    expected = (f"Retenu par cette session : {granted}, sur les {whole} que l'enveloppe "
                f"Enveloppe test lui réserve (ce que les autres sessions n'ont pas pris) ; "
                f"reste : {left}.")
    assert summary().strip() == expected
    with app.app_context():  # every selected dossier's agreement signed: a commitment each
        officer = db.session.get(User, officer_id)
        for application_id in committee["dossiers"]:
            application = db.session.get(Application, application_id)
            grant = agreements.prepare_agreement(
                officer, application, amount=application.requested_amount,
                channel=Channel.BANK, account="ML001")
            db.session.commit()
            agreements.sign_agreement(officer, grant.id, datetime.date.today(), str(uuid.uuid4()))
            db.session.commit()
    assert summary().strip() == expected

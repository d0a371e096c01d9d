"""A member scores a dossier in the browser, then the chair finalises the session."""

import re

import pytest

from grants.extensions import db
from grants.models import Application, CommitteeSession, Minutes
from grants.services.committees import grids
from tests.e2e.conftest import SCREENSHOTS, log_in
from tests.factories import load_committee, score_dossier

pytestmark = pytest.mark.browser


def test_member_scores_and_chair_finalises(app, browser, live_server, committee):
    session_id, first = committee["session"], committee["dossiers"][0]
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        for n, dossier in enumerate(dossiers):  # the chair has scored everything already
            score_dossier(user["chair"], session, dossier, 85 - n * 4)
        for dossier in dossiers[1:]:
            score_dossier(user["m0"], session, dossier, 70)
        criteria = [(c.code, c.max_points) for c in grids.grid_for(session.call).criteria]
        reference = dossiers[0].reference
        db.session.commit()

    member = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    page = member.new_page()
    page.set_default_timeout(8000)
    log_in(page, live_server, "member0")
    page.locator('[data-todo^="declare-"]').first.click()  # the home page's to-do
    page.get_by_role("link", name=re.compile(reference)).click()
    page.get_by_label("Non, je n'ai aucun intérêt").check()
    page.get_by_role("button", name="Confirmer").click()
    for code, maximum in criteria:
        page.get_by_label(code, exact=True).fill(str(maximum - 2))
    page.get_by_role("button", name="Soumettre ma fiche").click()
    assert "Votre fiche est soumise." in page.locator(".alert-success").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "committee-member-phone.png"), full_page=True)
    member.close()

    chair = browser.new_context(base_url=live_server)
    page = chair.new_page()
    page.set_default_timeout(8000)
    requested_hosts = set()
    page.on("request", lambda request: requested_hosts.add(request.url.split("/")[2]))
    log_in(page, live_server, "chair")
    page.goto(f"/comites/{session_id}/classement")
    for name in ("Test chair", "Test member0", "Test member1"):
        page.get_by_label(re.compile(name)).check()
    page.get_by_role("button", name="Enregistrer les présences").click()
    page.get_by_role("button", name="Clôturer et établir le procès-verbal").click()
    assert "La session est clôturée" in page.locator(".alert-success").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "committee-finalised.png"), full_page=True)
    assert requested_hosts == {live_server.removeprefix("http://")}
    chair.close()

    with app.app_context():
        assert db.session.get(CommitteeSession, session_id).status.value == "finalised"
        assert db.session.get(Application, first).status.value == "selected"
        assert db.session.scalar(db.select(db.func.count()).select_from(Minutes)) == 1

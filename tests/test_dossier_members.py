"""Members and shares of collective dossiers (issue 10, point 14): who may join, the shares that
always total 100 %, and the page where intake staff choose members and set the shares."""

import html

import pytest

from grants.extensions import db
from grants.models import Application, ApplicationMember, AuditEvent, Beneficiary, Role, User
from grants.services.errors import ConflictError, ForbiddenError, ValidationError
from grants.services.intake import applications, beneficiaries, members
from grants.vocabulary import ProjectType, VerificationStatus
from grants.workflow import ApplicationStatus
from tests import factories
from tests.conftest import committed, field_errors


@pytest.fixture
def setup(app, make_user):
    """A manager, an open call, a collective draft led by Awa (Kayes) and two partners."""
    manager_id = make_user(Role.PROGRAMME_MANAGER, username="manager")
    with committed(app):
        manager = db.session.get(User, manager_id)
        call = factories.open_call(manager)
        lead = factories.person(manager, "Awa", "Diallo", id_number="L1")
        dossier = factories.complete_dossier(manager, call, lead,
                                             project_type=ProjectType.COLLECTIVE)
        partners = [factories.person(manager, first, "Traoré", id_number=f"P{n}")
                    for n, first in enumerate(("Bakary", "Mariam"))]
        return {"manager": manager_id, "call": call.id, "dossier": dossier.id,
                "partners": [p.id for p in partners]}


def _get(model, key):
    return db.session.get(model, key)


def _shares(dossier: Application) -> list[int]:
    return [m.share_percent for m in dossier.members]


# --- the service -------------------------------------------------------------------------------

def test_adding_and_removing_members_keeps_the_shares_at_100_percent(app, setup):
    with committed(app):
        manager, dossier = _get(User, setup["manager"]), _get(Application, setup["dossier"])
        assert "au moins deux membres" in applications.missing_items(dossier)
        for partner_id in setup["partners"]:
            members.add_member(manager, dossier, _get(Beneficiary, partner_id))
        assert _shares(dossier) == [34, 33, 33]  # the lead first, with what rounding leaves
        assert applications.missing_items(dossier) == []
        members.remove_member(manager, dossier, dossier.members[2].id)
        assert _shares(dossier) == [50, 50]
        with pytest.raises(ConflictError):
            members.remove_member(manager, dossier, dossier.members[0].id)  # the lead
    with app.app_context():
        actions = db.session.scalars(db.select(AuditEvent.action).where(
            AuditEvent.action.like("application.member%")).order_by(AuditEvent.id)).all()
        assert actions == ["application.member_added"] * 2 + ["application.member_removed"]


def test_shares_are_whole_percents_that_total_100(app, setup):
    with committed(app):
        manager, dossier = _get(User, setup["manager"]), _get(Application, setup["dossier"])
        for partner_id in setup["partners"]:
            members.add_member(manager, dossier, _get(Beneficiary, partner_id))
    with app.app_context():
        manager, dossier = _get(User, setup["manager"]), _get(Application, setup["dossier"])
        ids = [m.id for m in dossier.members]
        with pytest.raises(ValidationError) as refused:
            members.set_shares(manager, dossier, dict(zip(ids, (50, 30, 30), strict=True)))
        assert refused.value.field == "total" and "110 %" in str(refused.value.message)
        with pytest.raises(ValidationError):
            members.set_shares(manager, dossier, dict(zip(ids, (100, 0, 0), strict=True)))
        with pytest.raises(ConflictError):  # a member who is not (or no longer) in the dossier
            members.set_shares(manager, dossier, {ids[0]: 60, 999999: 40})
        db.session.rollback()
        assert _shares(_get(Application, setup["dossier"])) == [34, 33, 33]
        members.set_shares(manager, dossier, dict(zip(ids, (50, 25, 25), strict=True)))
        assert _shares(dossier) == [50, 25, 25]


def test_who_may_join_follows_the_rules_of_the_registry(app, setup):
    """Consent, a record neither rejected nor flagged as a duplicate, one grant per person, not
    twice in the same dossier."""
    with committed(app):
        manager = _get(User, setup["manager"])
        refused = factories.person(manager, "Sans", "Consentement", scopes=[], id_number="R0")
        rejected = factories.person(manager, "Fiche", "Rejetée", id_number="R1")
        beneficiaries.set_verification(manager, rejected, VerificationStatus.REJECTED,
                                       "Fausse pièce")
        twin = factories.person(manager, "Peut-être", "Doublon", id_number="R2")
        beneficiaries.set_verification(manager, twin, VerificationStatus.SUSPECTED_DUPLICATE,
                                       "Même NINA")
        funded = factories.person(manager, "Déjà", "Financé", id_number="R3")
        other = factories.complete_dossier(manager, _get(applications.Call, setup["call"]), funded)
        other.status = ApplicationStatus.IN_DISBURSEMENT
        other.reference = "AP-2026-0099"
        ids = {"refused": refused.id, "rejected": rejected.id, "twin": twin.id,
               "funded": funded.id}
    with app.app_context():
        manager, dossier = _get(User, setup["manager"]), _get(Application, setup["dossier"])
        expected = {"refused": "consenti", "rejected": "rejetée", "twin": "doublon",
                    "funded": "AP-2026-0099"}
        for name, needle in expected.items():
            with pytest.raises(ConflictError) as raised:
                members.add_member(manager, dossier, _get(Beneficiary, ids[name]))
            assert needle in str(raised.value.message), name
        with pytest.raises(ConflictError):
            members.add_member(manager, dossier, dossier.lead)  # already in
        assert len(dossier.members) == 1


def test_only_staff_in_scope_choose_members_and_never_for_individual_projects(app, setup,
                                                                             make_user):
    applicant = make_user(Role.APPLICANT, username="awa", regions=())
    gao_agent = make_user(Role.INTAKE_AGENT, regions=("07",), username="gao")
    kayes_agent = make_user(Role.INTAKE_AGENT, regions=("01",), username="kayes")
    with committed(app):
        manager = _get(User, setup["manager"])
        dossier = _get(Application, setup["dossier"])
        dossier.lead.user_id = applicant
        stranger = factories.person(manager, "Loin", "De Kayes", id_number="G1",
                                    region_id=factories.region("07").id)
        single = factories.complete_dossier(manager, _get(applications.Call, setup["call"]),
                                            factories.person(manager, "Seul", "Porteur",
                                                             id_number="S1"))
        ids = {"stranger": stranger.id, "single": single.id}
    with app.app_context():
        dossier, partner = _get(Application, setup["dossier"]), _get(Beneficiary,
                                                                      setup["partners"][0])
        for user_id in (applicant, gao_agent):
            with pytest.raises(ForbiddenError):
                members.add_member(_get(User, user_id), dossier, partner)
        with pytest.raises(ForbiddenError):  # a person outside the agent's regions
            members.add_member(_get(User, kayes_agent), dossier, _get(Beneficiary,
                                                                        ids["stranger"]))
        with pytest.raises(ConflictError):
            members.add_member(_get(User, setup["manager"]), _get(Application, ids["single"]),
                               partner)
        assert db.session.scalar(db.select(db.func.count(ApplicationMember.id)).where(
            ApplicationMember.application_id == dossier.id)) == 1


# --- the page ----------------------------------------------------------------------------------

def test_intake_staff_find_add_and_share_on_the_members_page(app, client, login_as, setup):
    login_as(Role.INTAKE_AGENT, regions=("01",))
    url = f"/dossiers/{setup['dossier']}/membres"
    detail = client.get(f"/dossiers/{setup['dossier']}").get_data(as_text=True)
    assert url in detail  # the dossier page leads to the members page
    with committed(app):
        manager = _get(User, setup["manager"])
        twin = factories.person(manager, "Bakary", "Doublon", id_number="N1")
        beneficiaries.set_verification(manager, twin, VerificationStatus.SUSPECTED_DUPLICATE,
                                       "Même NINA")
    found = html.unescape(client.get(url, query_string={"q": "bakary"}).get_data(as_text=True))
    assert "Bakary Traoré" in found and "Bakary Doublon" in found
    assert found.count('name="beneficiary_id"') == 1  # only the one who may join
    assert "peut-être un doublon" in found
    for partner_id in setup["partners"]:
        response = client.post(f"{url}/ajouter", data={"beneficiary_id": partner_id, "q": "x"})
        assert response.status_code == 302 and response.headers["Location"].endswith(url)
    page = client.get(url).get_data(as_text=True)
    assert 'value="34"' in page and 'name="total"' in page and 'value="100"' in page

    with app.app_context():
        ids = [m.id for m in _get(Application, setup["dossier"]).members]
    posted = {f"shares-{n}-member_id": member_id for n, member_id in enumerate(ids)}
    bad = client.post(url, data={**posted, "shares-0-share": "50", "shares-1-share": "30",
                                 "shares-2-share": "30"})
    assert bad.status_code == 200
    assert field_errors(bad.get_data(as_text=True), "total") == [
        "Les parts totalisent 110 % ; elles doivent totaliser 100 %."]
    range_error = client.post(url, data={**posted, "shares-0-share": "100",
                                         "shares-1-share": "0", "shares-2-share": "abc"})
    assert field_errors(range_error.get_data(as_text=True), "shares-1-share")
    with app.app_context():
        assert _shares(_get(Application, setup["dossier"])) == [34, 33, 33]  # nothing saved
    good = client.post(url, data={**posted, "shares-0-share": "50", "shares-1-share": "25",
                                  "shares-2-share": "25"})
    assert good.status_code == 302
    client.post(f"{url}/{ids[2]}/retirer")
    with app.app_context():
        assert _shares(_get(Application, setup["dossier"])) == [50, 50]


def test_the_members_page_is_for_collective_and_community_drafts_only(app, client, login_as,
                                                                     setup):
    login_as(Role.PROGRAMME_MANAGER)
    with committed(app):
        manager = _get(User, setup["manager"])
        single = factories.complete_dossier(manager, _get(applications.Call, setup["call"]),
                                            factories.person(manager, "Seul", "Porteur",
                                                             id_number="S1"))
        single_id = single.id
    response = client.get(f"/dossiers/{single_id}/membres")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/dossiers/{single_id}")
    response = client.post(f"/dossiers/{single_id}/membres/ajouter",
                           data={"beneficiary_id": setup["partners"][0]})
    with app.app_context():
        assert len(_get(Application, single_id).members) == 1

"""Partners, referrals and weight sets through the pages."""

import uuid

from grants.extensions import db
from grants.models import Partner, Referral, SustainabilityScore, Visit, WeightSet
from grants.services.followup import visit_reports
from grants.services.followup.questionnaire import equal_weights
from grants.workflow import ReferralStatus
from tests.conftest import login
from tests.factories import plan, report, user


def _client(app, username):
    client = app.test_client()
    login(client, username)
    return client


def _surveyed(app, ids):
    with app.app_context():
        first = plan(ids)[0]
        visit_reports.submit_visit(user(ids, "field"), first.id, report(first, survey={
            "psy_distress": "often", "psy_support_network": "no", "eco_income": "no"}),
            str(uuid.uuid4()))
        db.session.commit()
        return first.id


def test_a_low_dimension_leads_to_a_referral_followed_to_the_end(app, followed):
    visit_id = _surveyed(app, followed)
    manager = _client(app, "manager")
    assert manager.post("/suivi/partenaires/nouveau", data={
        "name": "", "services": []}).status_code == 200  # refused at the fields
    response = manager.post("/suivi/partenaires/nouveau", data={
        "name": "Centre d'écoute de Kayes", "services": ["psychosocial"], "region_id": "0",
        "phone": "+22320000000", "active": "y"})
    assert response.status_code == 302
    field = _client(app, "field")
    page = field.get(f"/suivi/visites/{visit_id}").get_data(as_text=True)
    assert "psychosociale est sous le seuil" in page and "Soutien psychosocial" in page
    form = field.get(f"/suivi/visites/{visit_id}/orienter").get_data(as_text=True)
    assert '<option selected value="microfinance">' in form  # suggested by the low economy
    with app.app_context():
        partner_id = db.session.scalar(db.select(Partner.id))
    response = field.post(f"/suivi/visites/{visit_id}/orienter", data={
        "service": "psychosocial", "partner_id": partner_id, "reason": "Signes de détresse"})
    assert response.status_code == 302
    with app.app_context():
        referral_id = db.session.scalar(db.select(Referral.id))
    assert "Signes de détresse" in field.get("/suivi/orientations").get_data(as_text=True)
    field.post(f"/suivi/orientations/{referral_id}/statut", data={"status": "accepted"})
    field.post(f"/suivi/orientations/{referral_id}/statut", data={"status": "done",
                                                                  "note": "3 séances"})
    refused = field.post(f"/suivi/orientations/{referral_id}/statut",
                         data={"status": "proposed"}, follow_redirects=True)
    assert "ne peut pas passer" in refused.get_data(as_text=True)
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        assert (referral.status, referral.outcome_note) == (ReferralStatus.DONE, "3 séances")
    assert _client(app, "far").post(f"/suivi/orientations/{referral_id}/statut",
                                    data={"status": "refused"}).status_code == 404


def test_loading_weights_from_the_page_recomputes_the_scores(app, followed):
    _surveyed(app, followed)
    manager = _client(app, "manager")
    page = manager.get("/suivi/ponderations/nouvelle").get_data(as_text=True)
    assert "eco_income = 1" in page  # prefilled with the weights in force
    bad = manager.post("/suivi/ponderations/nouvelle", data={
        "name": "Essai", "threshold": "0.5", "weights": "eco_income = 1"})
    assert "manquent" in bad.get_data(as_text=True)
    weights = "\n".join(f"{code} = {'0' if code.startswith('psy') else '1'}"
                        for code in equal_weights())
    response = manager.post("/suivi/ponderations/nouvelle", data={
        "name": "OIM officiel", "official": "y", "threshold": "0,4",
        "weights": weights})
    assert response.status_code == 302  # to the job's page: the job ran (tests: immediately)
    job_page = manager.get(response.location).get_data(as_text=True)
    assert "Prêt" in job_page and 'href="/suivi/ponderations"' in job_page
    with app.app_context():
        latest = db.session.scalar(db.select(WeightSet).order_by(WeightSet.version.desc()))
        assert (latest.version, latest.official) == (2, True)
        score = db.session.scalar(db.select(SustainabilityScore))
        assert score.weight_set_id == latest.id and score.psychosocial is None
    assert _client(app, "field").get("/suivi/ponderations/nouvelle").status_code == 403
    listing = _client(app, "field").get("/suivi/ponderations").get_data(as_text=True)
    assert "non officiel" in listing and "en vigueur" in listing


def test_the_referral_list_runs_the_same_queries_whatever_the_number_of_referrals(app,
                                                                                 followed):
    from grants.models import Beneficiary
    from grants.services.followup import referrals
    from grants.vocabulary import ReferralService
    from tests.conftest import count_queries

    visit_id = _surveyed(app, followed)
    with app.app_context():
        partner = referrals.save_partner(user(followed, "manager"), Partner(), name="P",
                                         services=["legal"])
        db.session.commit()
        partner_id = partner.id

    def refer(times):
        with app.app_context():
            visit = db.session.get(Visit, visit_id)
            person = db.session.get(Beneficiary, visit.application.lead_id)
            for _ in range(times):
                referrals.refer(user(followed, "field"), person,
                                partner=db.session.get(Partner, partner_id),
                                service=ReferralService.LEGAL, reason="Droit", visit=visit)
            db.session.commit()

    field = _client(app, "field")
    refer(1)
    field.get("/suivi/orientations")
    with count_queries(app) as few:
        assert field.get("/suivi/orientations").status_code == 200
    refer(4)
    with count_queries(app) as many:
        assert field.get("/suivi/orientations").status_code == 200
    assert many[0] == few[0]

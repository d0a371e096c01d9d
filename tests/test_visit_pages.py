"""Follow-up pages over HTTP: a field officer fills a visit on the worklist, a supervisor
validates it and the tranche becomes due; the exports, the survival table, the Kobo tools."""

import io
import re
from datetime import date

import openpyxl

from grants.extensions import db
from grants.models import AuditEvent, Grant, TrancheStatus, Visit
from grants.workflow import VisitStatus
from tests.conftest import count_queries, download, login
from tests.factories import plan


def _client(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _first(app, ids) -> Visit:
    with app.app_context():
        visit = plan(ids)[0]
        return visit.id, visit.reference, [line.id for line in visit.application.budget_lines]


def _report(key, lines, **overrides):
    data = {"key": key, "visited_on": date.today().isoformat(), "mode": "on_site",
            "activity_status": "growing", "monthly_revenue": "200 000",
            "monthly_profit": "-15 000", "jobs_total": "3", "jobs_women": "2", "jobs_youth": "1",
            "problems": ["supply", "cash"], "observations": "Atelier ouvert",
            "recommendation": "favourable", "latitude": "14.4469", "longitude": "-11.4450",
            "gps_accuracy": "12", "q_eco_income": "yes", "q_psy_distress": "often",
            **{f"item_{line}": "all" for line in lines}}
    data.update(overrides)
    return data


def _key(page: str) -> str:
    return re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)


def test_a_field_officer_fills_a_visit_and_a_supervisor_releases_the_tranche(app, followed):
    visit_id, reference, lines = _first(app, followed)
    field = _client(app, "field")
    page = field.get("/suivi/").get_data(as_text=True)
    assert "En retard" in page and reference.split("-")[0] in page  # V1 is overdue
    assert f"/suivi/visites/{visit_id}/rapport" in page
    form = field.get(f"/suivi/visites/{visit_id}/rapport")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert "/static/js/visit-draft." in html and "Questionnaire de durabilité" in html
    data = _report(_key(html), lines)
    response = field.post(f"/suivi/visites/{visit_id}/rapport", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/suivi/visites/{visit_id}")
    # the offline draft sent again when the network returns: the same key, recorded once
    again = field.post(f"/suivi/visites/{visit_id}/rapport", data=data)
    assert again.status_code == 302
    # the offline script sends with fetch and is answered in JSON (the flash stays for the page)
    script = field.post(f"/suivi/visites/{visit_id}/rapport", data=data,
                        headers={"X-Requested-With": "fetch"})
    assert script.json == {"recorded": reference, "url": f"/suivi/visites/{visit_id}"}
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit.status == VisitStatus.SUBMITTED
        assert (visit.monthly_revenue, visit.monthly_profit) == (200_000, -15_000)
        assert visit.latitude == 14.4469 and visit.score.answered == 2
        assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(
            AuditEvent.action == "visit.submit")) == 1
    manager = _client(app, "manager")
    page = manager.get(f"/suivi/visites/{visit_id}").get_data(as_text=True)
    assert "Valider la visite" in page
    assert manager.post(f"/suivi/visites/{visit_id}/valider",
                        data={"comment": "RAS"}).status_code == 302
    with app.app_context():
        grant = db.session.get(Grant, followed["grant"])
        assert grant.tranches[1].status == TrancheStatus.ELIGIBLE
    officer = _client(app, "officer")
    page = officer.get(f"/finances/conventions/{followed['grant']}").get_data(as_text=True)
    assert "Ordonnancer le paiement" in page


def test_a_bad_report_gets_french_messages_at_the_fields_and_nothing_is_saved(app, followed):
    visit_id, _reference, lines = _first(app, followed)
    field = _client(app, "field")
    key = _key(field.get(f"/suivi/visites/{visit_id}/rapport").get_data(as_text=True))
    response = field.post(f"/suivi/visites/{visit_id}/rapport", data=_report(
        key, lines, monthly_revenue="12.5", jobs_women="9"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "sans décimales" in page
    response = field.post(f"/suivi/visites/{visit_id}/rapport", data=_report(
        key, lines, jobs_women="9"))
    assert response.status_code == 422
    assert "Ne peut pas dépasser le total des emplois" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Visit, visit_id).status == VisitStatus.PLANNED


def test_an_unfavourable_visit_shows_on_the_agreement_page(app, followed):
    visit_id, _reference, lines = _first(app, followed)
    field = _client(app, "field")
    key = _key(field.get(f"/suivi/visites/{visit_id}/rapport").get_data(as_text=True))
    field.post(f"/suivi/visites/{visit_id}/rapport", data=_report(
        key, lines, recommendation="unfavourable", observations="Machines vendues"))
    _client(app, "manager").post(f"/suivi/visites/{visit_id}/valider", data={})
    page = _client(app, "officer").get(f"/finances/conventions/{followed['grant']}") \
        .get_data(as_text=True)
    assert "défavorable" in page and "Machines vendues" not in page  # the field notes stay
    page = _client(app, "manager").get(f"/finances/conventions/{followed['grant']}") \
        .get_data(as_text=True)  # with the follow-up staff
    assert "défavorable" in page and "Machines vendues" in page


def test_other_regions_see_nothing(app, followed):
    visit_id, _reference, _lines = _first(app, followed)
    far = _client(app, "far")
    assert "Aucune visite" in far.get("/suivi/?tout=1").get_data(as_text=True)
    assert far.get(f"/suivi/visites/{visit_id}").status_code == 404
    assert far.get(f"/suivi/visites/{visit_id}/rapport").status_code == 404
    with app.app_context():
        application_id = db.session.get(Visit, visit_id).application_id
    assert far.get(f"/suivi/dossiers/{application_id}").status_code == 404
    book = openpyxl.load_workbook(io.BytesIO(download(far, "/suivi/visites.xlsx")))
    assert book.active.max_row == 1  # the header only


def test_the_supervisor_assigns_visits_and_sees_each_officers_load(app, followed):
    visit_id, reference, _lines = _first(app, followed)
    manager = _client(app, "manager")
    page = manager.get("/suivi/charge").get_data(as_text=True)
    assert "Non attribuées" in page and reference in page
    with app.app_context():
        field_id = followed["field"]
        far_id = followed["far"]
    response = manager.post("/suivi/charge", data={"officer_id": far_id, "visit_ids": [visit_id]})
    assert response.status_code == 200  # refused: the officer does not cover Kayes
    assert "ne couvre pas la région" in response.get_data(as_text=True)
    response = manager.post("/suivi/charge", data={"officer_id": field_id,
                                                   "visit_ids": [visit_id]})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Visit, visit_id).assigned_to_id == field_id
    assert _client(app, "field").get("/suivi/charge").status_code == 403


def test_the_worklist_runs_the_same_queries_whatever_the_number_of_visits(app, followed):
    from tests.factories import make_followed_more

    field = _client(app, "field")
    field.get("/suivi/")
    with count_queries(app) as few:
        assert field.get("/suivi/").status_code == 200
    make_followed_more(app, followed, 3)
    with count_queries(app) as many:
        assert field.get("/suivi/").status_code == 200
    assert many[0] == few[0]


def test_project_page_timeline_and_revenue_chart(app, followed):
    visit_id, _reference, lines = _first(app, followed)
    field = _client(app, "field")
    key = _key(field.get(f"/suivi/visites/{visit_id}/rapport").get_data(as_text=True))
    field.post(f"/suivi/visites/{visit_id}/rapport", data=_report(key, lines))
    with app.app_context():
        application_id = db.session.get(Visit, visit_id).application_id
    page = _client(app, "manager").get(f"/suivi/dossiers/{application_id}").get_data(as_text=True)
    assert "<svg" in page and "<polyline" in page
    assert "Convention signée" in page and "200" in page


def test_the_visits_export_opens_with_numbers_as_numbers(app, followed):
    visit_id, _reference, lines = _first(app, followed)
    field = _client(app, "field")
    key = _key(field.get(f"/suivi/visites/{visit_id}/rapport").get_data(as_text=True))
    field.post(f"/suivi/visites/{visit_id}/rapport", data=_report(
        key, lines, observations="=HYPERLINK(\"http://x\")", q_soc_water="good"))
    manager = _client(app, "manager")
    sheet = openpyxl.load_workbook(io.BytesIO(download(manager, "/suivi/visites.xlsx"))).active
    header = [c.value for c in sheet[1]]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 4
    submitted = next(r for r in rows.values() if r[header.index("Ventes du mois")] is not None)
    assert submitted[header.index("Ventes du mois")] == 200_000
    assert submitted[header.index("Bénéfice du mois")] == -15_000
    assert isinstance(submitted[header.index("Score composite")], float)
    assert submitted[header.index("Note sur le score composite")] in ("", None)
    overdue = download(manager, "/suivi/visites.xlsx?retard=1")
    late = list(openpyxl.load_workbook(io.BytesIO(overdue)).active.iter_rows(
        min_row=2, values_only=True))
    assert [row[1] for row in late] == ["V2"]  # V1 is recorded; V2 (M+3) is late; V3, V4 to come
    assert late[0][header.index("Retard (jours)")] > 0


def test_a_composite_score_without_a_whole_dimension_reads_not_computed_with_why(app, followed):
    """Issue 10, point 19: the visit answers the economic and psychosocial items only."""
    visit_id, _reference, lines = _first(app, followed)
    field = _client(app, "field")
    key = _key(field.get(f"/suivi/visites/{visit_id}/rapport").get_data(as_text=True))
    field.post(f"/suivi/visites/{visit_id}/rapport", data=_report(key, lines))
    with app.app_context():
        score = db.session.get(Visit, visit_id).score
        assert (score.social, score.composite) == (None, None)
        application_id = score.visit.application_id
    why = "Non calculé, dimension(s) sans réponse : sociale."
    manager = _client(app, "manager")
    page = manager.get(f"/suivi/visites/{visit_id}").get_data(as_text=True)
    scores = page.split("Scores de durabilité", 1)[1]
    assert "non calculé" in scores.split("</table>")[0] and why in scores
    project = manager.get(f"/suivi/dossiers/{application_id}").get_data(as_text=True)
    assert "score composite " + why.lower() in project
    sheet = openpyxl.load_workbook(io.BytesIO(download(manager, "/suivi/visites.xlsx"))).active
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True)
               if r[header.index("Score économique")] is not None)
    assert row[header.index("Score composite")] is None
    assert row[header.index("Note sur le score composite")] == why


def test_survival_counts_operating_activities_at_m6(app, followed):
    from grants.services.followup import visit_reports
    from grants.services.followup import visits as visit_service
    from tests.factories import report, user

    with app.app_context():
        third = plan(followed)[2]  # V3, at M+6
        visit_reports.submit_visit(user(followed, "field"), third.id, report(third), "k-m6")
        db.session.commit()
        visit_service.validate_visit(user(followed, "manager"), third.id)
        db.session.commit()
    page = _client(app, "manager").get("/suivi/survie?par=region").get_data(as_text=True)
    assert "Kayes" in page and "100 %" in page


def test_unscheduled_visits_from_the_project_page(app, followed):
    with app.app_context():
        application_id = plan(followed)[0].application_id
    field = _client(app, "field")
    page = field.get(f"/suivi/dossiers/{application_id}/visite").get_data(as_text=True)
    assert "gates_tranche" not in page and "officer_id" not in page  # the supervisor's choices
    assert field.post(f"/suivi/dossiers/{application_id}/visite", data={
        "due_on": "", "reason": ""}).status_code == 200  # refused at the fields
    response = field.post(f"/suivi/dossiers/{application_id}/visite", data={
        "due_on": date.today().isoformat(), "reason": "Le bénéficiaire a appelé",
        "gates_tranche": "y"})
    assert response.status_code == 302
    manager = _client(app, "manager")
    response = manager.post(f"/suivi/dossiers/{application_id}/visite", data={
        "due_on": date.today().isoformat(), "reason": "Contre-visite", "gates_tranche": "y",
        "officer_id": followed["field"]})
    assert response.status_code == 302
    with app.app_context():
        extra = db.session.scalars(db.select(Visit).where(Visit.seq.is_(None))
                                   .order_by(Visit.id)).all()
        assert [(v.assigned_to_id, v.gates_tranche_id is not None) for v in extra] == [
            (followed["field"], False), (followed["field"], True)]
    assert _client(app, "far").get(f"/suivi/dossiers/{application_id}/visite").status_code == 404


def test_the_project_page_runs_the_same_queries_whatever_the_number_of_visits(app, followed):
    from grants.services.followup import visit_reports
    from tests.factories import report, user

    with app.app_context():
        first = plan(followed)[0]
        application_id = first.application_id
        visit_reports.submit_visit(user(followed, "field"), first.id, report(first), "k1")
        db.session.commit()
    manager = _client(app, "manager")
    manager.get(f"/suivi/dossiers/{application_id}")
    with count_queries(app) as few:
        assert manager.get(f"/suivi/dossiers/{application_id}").status_code == 200
    with app.app_context():
        for n, visit in enumerate(plan(followed)[1:3], start=2):
            visit_reports.submit_visit(user(followed, "field"), visit.id, report(visit), f"k{n}")
            db.session.commit()
    with count_queries(app) as many:
        assert manager.get(f"/suivi/dossiers/{application_id}").status_code == 200
    assert many[0] == few[0]


def test_survival_counts_earlier_stops_and_cancellations_and_not_the_unreachable(app, followed):
    """Four projects at M+6: running at V3; abandoned at V2 (V3 never made); agreement
    cancelled; unreachable at V3. Observed 3, running 1."""
    import uuid

    from grants.services.followup import monitoring, visit_reports
    from grants.services.followup import visits as visit_service
    from grants.services.money import agreements
    from grants.vocabulary import ActivityStatus
    from tests.factories import make_followed_more, report, user

    make_followed_more(app, followed, 3)
    with app.app_context():
        grants = db.session.scalars(db.select(Grant).order_by(Grant.id)).all()
        field, manager = user(followed, "field"), user(followed, "manager")

        def record(grant, seq, status):
            visit = db.session.scalar(db.select(Visit).where(Visit.grant_id == grant.id,
                                                             Visit.seq == seq))
            visit_reports.submit_visit(field, visit.id, report(visit, activity_status=status),
                                       str(uuid.uuid4()))
            db.session.commit()
            visit_service.validate_visit(manager, visit.id)
            db.session.commit()

        record(grants[0], 3, ActivityStatus.STABLE)
        record(grants[1], 2, ActivityStatus.ABANDONED)
        agreements.cancel_grant(manager, grants[2].id, "Abandon", str(uuid.uuid4()))
        db.session.commit()
        record(grants[3], 3, ActivityStatus.UNREACHABLE)
        rows = monitoring.survival(manager, 6, "region", date.today())
        assert [(r.label, r.funded, r.observed, r.operating) for r in rows] == [
            ("Kayes", 4, 3, 1)]
        assert monitoring.survival(user(followed, "far"), 6, "region", date.today()) == []
        at_year = monitoring.survival(manager, 12, "sector", date.today())
        assert [(r.funded, r.due, r.observed) for r in at_year] == [(4, 0, 2)]


def test_photos_need_the_photo_consent_are_checked_by_content_and_stay_in_the_region(
        app, followed):
    from grants.models import Beneficiary, VisitPhoto
    from tests.factories import PDF, PNG

    visit_id, _reference, lines = _first(app, followed)
    field = _client(app, "field")

    def send(photos, **overrides):
        key = _key(field.get(f"/suivi/visites/{visit_id}/rapport").get_data(as_text=True))
        data = _report(key, lines, **overrides)
        data["photos"] = [(io.BytesIO(content), name) for content, name in photos]
        return field.post(f"/suivi/visites/{visit_id}/rapport", data=data,
                          content_type="multipart/form-data")

    refused = send([(PDF, "facture.pdf")])
    assert refused.status_code == 422
    assert "Une photo doit être une image JPEG ou PNG." in refused.get_data(as_text=True)
    with app.app_context():
        person_id = db.session.get(Visit, visit_id).application.lead_id
        consent = db.session.get(Beneficiary, person_id).current_consent
        kept = list(consent.scopes)
        consent.scopes = [s for s in kept if s != "photo"]
        db.session.commit()
    refused = send([(PNG, "atelier.png")])
    assert "n'a pas consenti aux photos" in refused.get_data(as_text=True)
    with app.app_context():
        db.session.get(Beneficiary, person_id).current_consent.scopes = kept
        db.session.commit()
    assert send([(PNG, "atelier.png")]).status_code == 302
    with app.app_context():
        photo = db.session.scalar(db.select(VisitPhoto))
        assert (photo.visit_id, photo.content_type) == (visit_id, "image/png")
        assert db.session.scalar(db.select(db.func.count(VisitPhoto.id))) == 1
    download = field.get(f"/suivi/photos/{photo.id}")
    assert download.status_code == 200 and download.data == PNG
    download.close()
    assert _client(app, "far").get(f"/suivi/photos/{photo.id}").status_code == 404


def test_a_visit_sent_back_reopens_with_its_last_report(app, followed):
    visit_id, _reference, lines = _first(app, followed)
    field = _client(app, "field")
    key = _key(field.get(f"/suivi/visites/{visit_id}/rapport").get_data(as_text=True))
    field.post(f"/suivi/visites/{visit_id}/rapport", data=_report(
        key, lines, observations="Machines en place", monthly_profit="--5"))
    assert _client(app, "field").post(  # "--5" was refused: nothing recorded
        f"/suivi/visites/{visit_id}/rapport", data={}).status_code == 422
    field.post(f"/suivi/visites/{visit_id}/rapport", data=_report(
        key, lines, observations="Machines en place"))
    _client(app, "manager").post(f"/suivi/visites/{visit_id}/renvoyer",
                                 data={"comment": "Préciser le bénéfice"})
    page = field.get(f"/suivi/visites/{visit_id}/rapport").get_data(as_text=True)
    assert "Préciser le bénéfice" in page and "Machines en place" in page
    assert 'value="-15 000"' in page or 'value="-15000"' in page
    assert re.search(r'<input[^>]* checked [^>]*id="activity_status-0"', page)  # "growing"
    assert _key(page) != key  # the corrected report gets a key of its own


def test_the_dossier_page_leads_to_its_follow_up(app, followed):
    with app.app_context():
        application_id = plan(followed)[0].application_id
    page = _client(app, "field").get(f"/dossiers/{application_id}").get_data(as_text=True)
    assert f"/suivi/dossiers/{application_id}" in page

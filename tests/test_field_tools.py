"""KoboToolbox / ODK: the XLSForm and the import of CSV submissions, row by row."""

import io

import openpyxl

from grants.extensions import db
from grants.models import Visit
from grants.services.followup import field_tools
from grants.services.followup.questionnaire import ITEMS
from grants.workflow import VisitStatus
from tests.conftest import login
from tests.factories import plan, user


def test_the_xlsform_has_the_survey_choices_and_settings_in_french_and_english(app, followed):
    client = app.test_client()
    login(client, "field")
    response = client.get("/suivi/terrain/formulaire-xlsform.xlsx")
    data = response.data
    response.close()
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["survey", "choices", "settings"]
    survey = list(book["survey"].iter_rows(values_only=True))
    assert survey[0][:4] == ("type", "name", "label::Français (fr)", "label::English (en)")
    names = {row[1]: row for row in survey[1:]}
    assert names["visit_reference"][4] == "yes"
    assert names["activity_status"][0] == "select_one activity_status"
    assert names["problems"][0] == "select_multiple problems"
    assert names["gps"][0] == "geopoint"
    assert names["visited_on"][2] == "Date de la visite"
    assert names["visited_on"][3] == "Date of the visit"
    assert all(item.code in names for item in ITEMS)
    choices = {(row[0], row[1]) for row in book["choices"].iter_rows(min_row=2, values_only=True)}
    assert ("recommendation", "unfavourable") in choices and ("mode", "on_site") in choices
    settings = list(book["settings"].iter_rows(values_only=True))
    assert settings[1][1] == field_tools.FORM_ID


def _csv(rows: list[dict[str, str]]) -> bytes:
    headers = sorted({key for row in rows for key in row})
    lines = [";".join(headers)] + [";".join(row.get(h, "") for h in headers) for row in rows]
    return ("\ufeff" + "\r\n".join(lines)).encode("utf-8")


def test_submissions_are_imported_by_reference_with_a_report_for_each_row(app, followed):
    with app.app_context():
        visits_ = plan(followed)
        first, second = visits_[0].reference, visits_[1].reference
    good = {"visit_reference": first, "visited_on": "2026-11-20", "mode": "on_site",
            "group_a/activity_status": "stable", "monthly_revenue": "120000",
            "monthly_profit": "-5000", "jobs_total": "2", "jobs_women": "1", "jobs_youth": "0",
            "items_presence": "part", "problems": "supply debt", "recommendation": "favourable",
            "gps": "14.4469 -11.445 0 8", "survey/eco_income": "yes", "_uuid": "abc-123"}
    rows = [
        good,
        {**good, "visit_reference": "VS-2000-99999", "_uuid": "x1"},
        {**good, "visit_reference": second, "group_a/activity_status": "flying",
         "_uuid": "x2"},
        {**good, "visit_reference": second, "visited_on": "20/11/2026", "_uuid": "x3"},
        {**good, "visit_reference": second, "jobs_women": "7", "_uuid": "x4"},
        {**good, "visit_reference": "", "_uuid": "x5"},
    ]
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        results = field_tools.import_submissions(user(followed, "field"), _csv(rows))
        db.session.commit()
        assert [(r.line, r.outcome) for r in results] == [
            (2, "recorded"), (3, "rejected"), (4, "rejected"), (5, "rejected"), (6, "rejected"),
            (7, "rejected")]
        messages = [r.message for r in results]
        assert "n'existe pas dans vos régions" in messages[1]
        assert "flying" in messages[2]
        assert "AAAA-MM-JJ" in messages[3]
        assert "jobs_women" in messages[4] and "total des emplois" in messages[4]
        recorded = db.session.scalar(db.select(Visit).where(Visit.reference == first))
        assert recorded.status == VisitStatus.SUBMITTED
        assert (recorded.monthly_revenue, recorded.monthly_profit) == (120_000, -5_000)
        assert recorded.problems == ["debt", "supply"] and recorded.gps_accuracy == 8
        assert {i.presence.value for i in recorded.items} == {"part"}
        assert recorded.survey == {"eco_income": "yes"}
        assert db.session.scalar(db.select(Visit).where(Visit.reference == second)).status == \
            VisitStatus.PLANNED  # every bad row left nothing behind
        # the same file imported again records nothing more
        again = field_tools.import_submissions(user(followed, "field"), _csv(rows[:1]))
        assert [r.outcome for r in again] == ["already"]


def test_an_officer_of_another_region_cannot_import_into_a_visit(app, followed):
    with app.app_context():
        reference = plan(followed)[0].reference
    with app.test_request_context():
        results = field_tools.import_submissions(user(followed, "far"), _csv([{
            "visit_reference": reference, "visited_on": "2026-11-20", "mode": "phone",
            "activity_status": "stable", "recommendation": "favourable"}]))
        assert results[0].outcome == "rejected"
        assert db.session.scalar(db.select(Visit).where(Visit.reference == reference)).status \
            == VisitStatus.PLANNED


def test_the_import_page_shows_the_report(app, followed):
    with app.app_context():
        reference = plan(followed)[0].reference
    client = app.test_client()
    login(client, "field")
    data = _csv([{"visit_reference": reference, "visited_on": "2026-11-20", "mode": "phone",
                  "activity_status": "growing", "recommendation": "favourable"},
                 {"visit_reference": "VS-1", "visited_on": "x"}])
    page = client.post("/suivi/terrain", data={"file": (io.BytesIO(data), "kobo.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "1 ligne(s) enregistrée(s), 0 déjà enregistrée(s), 1 rejetée(s)" in page
    garbage = client.post("/suivi/terrain", data={"file": (io.BytesIO(b"\x00\xff\xfe"), "x.csv")},
                          content_type="multipart/form-data")
    assert garbage.status_code == 200 and "rejetée" in garbage.get_data(as_text=True)

"""Programme set-up: budget envelopes and calls for proposals, their checks and their life
(draft → open → closed), and who may change them."""

from datetime import date, timedelta

import pytest
from flask_babel import force_locale, gettext

from grants.extensions import db
from grants.models import BudgetEnvelope, Call, Role, User
from grants.services.errors import ConflictError, ValidationError
from grants.services.intake import calls
from grants.services.money import envelopes
from grants.vocabulary import CallStatus
from tests import factories
from tests.conftest import committed, field_errors

TODAY = date.today()


def fr(app, message: str, **values) -> str:
    """`message` as a French user reads it (the translation, or the English text while the
    catalog lacks it)."""
    with app.test_request_context(), force_locale("fr"):
        return gettext(message, **values)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def actor(user_id: int) -> User:
    return db.session.get(User, user_id)


# --- envelopes -----------------------------------------------------------------------------

ENVELOPE = {"name": "Micro-projets des migrants de retour 2026", "fiscal_year": "2026",
            "funding_source": "bsi", "budget_line": "BSI-2026-05-631", "total": "100 000 000"}


def test_envelope_total_written_with_spaces_is_stored_as_an_integer(app, client, login_as):
    login_as(Role.PROGRAMME_MANAGER)
    response = client.post("/programme/enveloppes/nouvelle", data=ENVELOPE)
    assert response.status_code == 302
    with app.app_context():
        envelope = db.session.scalar(db.select(BudgetEnvelope))
        assert envelope.total == 100_000_000 and type(envelope.total) is int
        assert (envelope.fiscal_year, envelope.budget_line) == (2026, "BSI-2026-05-631")


@pytest.mark.parametrize("total,message", [
    ("12.5", "Enter a whole amount in F CFA, without decimals (e.g. 1 500 000)."),
    ("1e6", "Enter a whole amount in F CFA, without decimals (e.g. 1 500 000)."),
    ("-5", "The amount cannot be negative."),
    ("abc", "Enter a whole amount in F CFA, without decimals (e.g. 1 500 000)."),
    (str(10**20), "This amount is too large."),
    ("0", "The amount must be more than zero."),
    ("", "Enter the total."),
])
def test_bad_envelope_total_is_refused_at_the_field(app, client, login_as, total, message):
    login_as(Role.PROGRAMME_MANAGER)
    response = client.post("/programme/enveloppes/nouvelle", data={**ENVELOPE, "total": total})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_errors(page, "total") == [fr(app, message)]
    assert count(app, BudgetEnvelope) == 0


def test_envelope_service_refuses_a_total_of_zero(app, make_user):
    manager = make_user(Role.PROGRAMME_MANAGER)
    with app.app_context(), pytest.raises(ValidationError) as raised:
        envelopes.save_envelope(actor(manager), None, name="X", fiscal_year=2026,
                            funding_source="bsi", budget_line="L", total=0)
    assert raised.value.field == "total"


@pytest.mark.parametrize("total", [12.5, True, 10**20])
def test_envelope_service_accepts_only_whole_francs(app, make_user, total):
    manager = make_user(Role.PROGRAMME_MANAGER)
    with app.app_context(), pytest.raises(ValidationError) as raised:
        envelopes.save_envelope(actor(manager), None, name="X", fiscal_year=2026,
                            funding_source="bsi", budget_line="L", total=total)
    assert raised.value.field == "total"


# --- calls ---------------------------------------------------------------------------------

@pytest.fixture
def envelope_id(app, make_user):
    manager = make_user(Role.PROGRAMME_MANAGER, username="setup")
    with committed(app):
        return envelopes.save_envelope(actor(manager), None, name="Enveloppe 2026", fiscal_year=2026,
                                   funding_source="bsi", budget_line="BSI-1",
                                   total=100_000_000).id


def call_form(envelope_id: int, **changes) -> dict:
    values = {
        "title": "Appel Kayes-Gao 2026", "description": "AGR des migrants de retour",
        "envelope_id": str(envelope_id),
        "opens_on": (TODAY - timedelta(days=1)).isoformat(),
        "closes_on": (TODAY + timedelta(days=60)).isoformat(),
        "target_categories": ["returnee"], "regions": ["2", "8"],
        "project_types": ["individual", "collective"],
        "required_documents": ["id_scan", "proforma"], "min_age": "18", "max_age": "45",
        "cap_per_project": "1 500 000", "min_contribution_percent": "10",
        "tranche_plan": "60, 40", "visit_plan": "1, 3, 6, 12"}
    values.update(changes)
    return values


def test_a_valid_call_is_saved_as_a_draft(app, client, login_as, envelope_id):
    login_as(Role.PROGRAMME_MANAGER)
    response = client.post("/programme/appels/nouveau", data=call_form(envelope_id))
    assert response.status_code == 302
    with app.app_context():
        call = db.session.scalar(db.select(Call))
        assert response.headers["Location"].endswith(f"/programme/appels/{call.id}")
        assert call.status == CallStatus.DRAFT
        assert [r.code for r in call.regions] == ["01", "07"]
        assert (call.min_age, call.max_age, call.cap_per_project) == (18, 45, 1_500_000)
        assert (call.tranche_plan, call.visit_plan) == ([60, 40], [1, 3, 6, 12])
        assert call.target_categories == ["returnee"]


@pytest.mark.parametrize("changes,field,message", [
    ({"opens_on": (TODAY + timedelta(days=10)).isoformat(),
      "closes_on": (TODAY + timedelta(days=1)).isoformat()},
     "closes_on", "The closing date must be after the opening date."),
    ({"regions": []}, "regions-0", "Choose at least one region."),
    ({"min_age": "60", "max_age": "18"}, "max_age", "Enter an age range such as 18 to 60."),
    ({"tranche_plan": "70, 40"}, "tranche_plan", "The parts must add up to %(total)d."),
    ({"visit_plan": "6, 3, 12"}, "visit_plan", "Enter increasing months, e.g. 1, 3, 6, 12."),
    ({"visit_plan": "1, 1, 6"}, "visit_plan", "Enter increasing months, e.g. 1, 3, 6, 12."),
])
def test_bad_call_is_refused_at_the_field_and_nothing_is_saved(app, client, login_as,
                                                               envelope_id, changes, field,
                                                               message):
    login_as(Role.PROGRAMME_MANAGER)
    response = client.post("/programme/appels/nouveau", data=call_form(envelope_id, **changes))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    values = {"total": 100} if "%(total)d" in message else {}
    assert field_errors(page, field) == [fr(app, message, **values)]
    assert count(app, Call) == 0


def test_call_is_opened_then_closed_and_then_cannot_be_edited(app, client, login_as,
                                                              envelope_id):
    login_as(Role.PROGRAMME_MANAGER)
    client.post("/programme/appels/nouveau", data=call_form(envelope_id))
    with app.app_context():
        call_id = db.session.scalar(db.select(Call.id))

    def status():
        with app.app_context():
            return db.session.get(Call, call_id).status

    assert client.post(f"/programme/appels/{call_id}/statut").status_code == 302
    assert status() == CallStatus.OPEN
    assert client.post(f"/programme/appels/{call_id}/statut").status_code == 302
    assert status() == CallStatus.CLOSED
    assert client.post(f"/programme/appels/{call_id}/statut").status_code == 302
    assert status() == CallStatus.CLOSED  # no step after closed

    edit = client.post(f"/programme/appels/{call_id}/modifier",
                       data=call_form(envelope_id, title="Titre changé"))
    assert edit.status_code == 302
    assert edit.headers["Location"].endswith(f"/programme/appels/{call_id}")
    assert client.get(f"/programme/appels/{call_id}/modifier").status_code == 302
    with app.app_context():
        assert db.session.get(Call, call_id).title == "Appel Kayes-Gao 2026"


def test_a_draft_call_can_be_edited(app, client, login_as, envelope_id):
    login_as(Role.PROGRAMME_MANAGER)
    client.post("/programme/appels/nouveau", data=call_form(envelope_id))
    with app.app_context():
        call_id = db.session.scalar(db.select(Call.id))
    response = client.post(f"/programme/appels/{call_id}/modifier",
                           data=call_form(envelope_id, title="Appel révisé", regions=["8"]))
    assert response.status_code == 302
    with app.app_context():
        call = db.session.get(Call, call_id)
        assert call.title == "Appel révisé" and [r.code for r in call.regions] == ["07"]
        assert count(app, Call) == 1


def test_advance_call_service_refuses_to_move_a_closed_call(app, make_user):
    manager = make_user(Role.PROGRAMME_MANAGER)
    with committed(app):
        call = factories.open_call(actor(manager))
        calls.advance_call(actor(manager), call)
        call_id = call.id
    with app.app_context(), pytest.raises(ConflictError):
        calls.advance_call(actor(manager), db.session.get(Call, call_id))


def test_open_calls_lists_only_open_calls_within_their_dates(app, make_user):
    TODAY = date.today()  # read now, not at import: a run may cross midnight
    manager = make_user(Role.PROGRAMME_MANAGER)
    with committed(app):
        staff = actor(manager)
        current = factories.open_call(staff, title="En cours")
        ends_today = factories.open_call(staff, title="Dernier jour", closes_on=TODAY)
        factories.open_call(staff, title="Terminé", opens_on=TODAY - timedelta(days=30),
                            closes_on=TODAY - timedelta(days=1))
        factories.open_call(staff, title="À venir", opens_on=TODAY + timedelta(days=1),
                            closes_on=TODAY + timedelta(days=30))
        closed = factories.open_call(staff, title="Clos")
        calls.advance_call(staff, closed)
        draft = calls.save_call(staff, None, **{
            "title": "Brouillon", "description": None, "envelope": current.envelope,
            "opens_on": TODAY - timedelta(days=1), "closes_on": TODAY + timedelta(days=1),
            "target_categories": ["returnee"], "regions": [factories.region("01")],
            "project_types": ["individual"], "required_documents": [], "min_age": 18,
            "max_age": 60, "cap_per_project": 1_000_000, "min_contribution_percent": 0,
            "tranche_plan": [100], "visit_plan": [3]})
        assert draft.status == CallStatus.DRAFT
        expected = [ends_today.id, current.id]
    with app.app_context():
        assert [c.id for c in calls.open_calls(TODAY)] == expected
        tomorrow = calls.open_calls(TODAY + timedelta(days=1))
        assert [c.title for c in tomorrow] == ["En cours", "À venir"]  # same closing day: by id


def test_parse_plan_reads_common_separators():
    assert calls.parse_plan("60; 40", "tranche_plan", total=100) == [60, 40]
    assert calls.parse_plan("30/30/40", "tranche_plan", total=100) == [30, 30, 40]
    assert calls.parse_plan("1, 3, 6, 12", "visit_plan") == [1, 3, 6, 12]


@pytest.mark.parametrize("text,total", [("70, 40", 100), ("60, 0, 40", 100), ("sixty", 100),
                                        ("", 100), ("3, 1", None), ("-1, 3", None)])
def test_parse_plan_refuses_bad_plans(app, text, total):
    field = "tranche_plan" if total else "visit_plan"
    with app.test_request_context(), pytest.raises(ValidationError) as raised:
        calls.parse_plan(text, field, total=total)
    assert raised.value.field == field


# --- who may change the programme ----------------------------------------------------------

@pytest.mark.parametrize("role", [Role.INTAKE_AGENT, Role.FINANCE_OFFICER, Role.AUDITOR])
def test_only_programme_managers_create_or_change_envelopes_and_calls(app, client, login_as,
                                                                      make_user, role):
    manager = make_user(Role.PROGRAMME_MANAGER, username="boss")
    with committed(app):
        call = factories.open_call(actor(manager))
        call_id, envelope_id = call.id, call.envelope_id
    login_as(role, regions=("01",))
    assert client.get("/programme/enveloppes/nouvelle").status_code == 403
    assert client.post("/programme/enveloppes/nouvelle", data=ENVELOPE).status_code == 403
    assert client.post(f"/programme/enveloppes/{envelope_id}",
                       data={**ENVELOPE, "total": "5"}).status_code == 403
    assert client.post("/programme/appels/nouveau",
                       data=call_form(envelope_id)).status_code == 403
    assert client.post(f"/programme/appels/{call_id}/modifier",
                       data=call_form(envelope_id, title="Piraté")).status_code == 403
    assert client.post(f"/programme/appels/{call_id}/statut").status_code == 403
    assert client.get(f"/programme/appels/{call_id}").status_code == 200  # they may still read
    with app.app_context():
        call = db.session.get(Call, call_id)
        assert (call.title, call.status, call.envelope.total) == (
            "Appel test", CallStatus.OPEN, 100_000_000)
    assert count(app, BudgetEnvelope) == 1 and count(app, Call) == 1

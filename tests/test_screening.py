"""Eligibility screening of submitted dossiers: the checklist suggested from the data, the
decision and its rules, who may screen, and the screening page."""

import html
import re
from datetime import date

import pytest
from flask_babel import force_locale, gettext

from grants.extensions import db
from grants.models import (
    Application,
    ApplicationEvent,
    Attachment,
    Beneficiary,
    CheckItem,
    CheckResult,
    Role,
    Screening,
    User,
)
from grants.services.errors import ConflictError, ValidationError
from grants.services.intake import applications, beneficiaries, screening
from grants.vocabulary import BeneficiaryCategory, DocumentKind, VerificationStatus
from grants.workflow import ApplicationAction, ApplicationStatus
from tests import factories
from tests.conftest import committed, login

PASS, FAIL = CheckResult.PASS, CheckResult.FAIL
ALL_PASS = dict.fromkeys(CheckItem, PASS)
Outcome = screening.ScreeningOutcome


def fr(app, message: str, **values) -> str:
    """`message` as a French user reads it (the translation, or the English text while the
    catalog lacks it)."""
    with app.test_request_context(), force_locale("fr"):
        return gettext(message, **values)


def born_years_ago(years: int) -> date:
    today = date.today()
    return date(today.year - years, today.month, min(today.day, 28))


def actor(user_id: int) -> User:
    return db.session.get(User, user_id)


def dossier(app, user_id: int, *, submit: bool = True, call_overrides=None, **person) -> int:
    """A complete dossier of a returnee of 34 in region 01 (Kayes), submitted; its id."""
    with committed(app):
        staff = actor(user_id)
        call = factories.open_call(staff, **(call_overrides or {}))
        lead = factories.person(staff, **{"birth_date": born_years_ago(34), **person})
        application = factories.complete_dossier(staff, call, lead)
        if submit:
            applications.submit(staff, application)
        return application.id


def load(app_id: int) -> Application:
    return db.session.get(Application, app_id)


def suggestions(app, app_id: int) -> dict:
    with app.app_context():
        return screening.suggest(load(app_id))


def failing(result: dict) -> list[CheckItem]:
    return [item for item, value in result.items() if value == FAIL]


@pytest.fixture
def manager(make_user):
    return make_user(Role.PROGRAMME_MANAGER, username="gestion")


# --- suggestions ---------------------------------------------------------------------------

def test_complete_dossier_of_a_returnee_of_34_passes_every_item(app, manager):
    result = suggestions(app, dossier(app, manager))
    assert result == ALL_PASS


def test_category_outside_the_call_targets_fails_target_group(app, manager):
    app_id = dossier(app, manager, category=BeneficiaryCategory.COMMUNITY_MEMBER)
    assert failing(suggestions(app, app_id)) == [CheckItem.TARGET_GROUP]


def test_age_above_the_maximum_fails_age(app, manager):
    app_id = dossier(app, manager, birth_date=born_years_ago(61))
    assert failing(suggestions(app, app_id)) == [CheckItem.AGE]


def test_age_at_the_maximum_passes(app, manager):
    app_id = dossier(app, manager, birth_date=born_years_ago(60))
    assert failing(suggestions(app, app_id)) == []


def test_missing_proforma_fails_documents(app, manager):
    app_id = dossier(app, manager, submit=False)
    with committed(app):
        proforma = db.session.scalar(db.select(Attachment).where(
            Attachment.application_id == app_id, Attachment.kind == DocumentKind.PROFORMA))
        db.session.delete(proforma)
    assert failing(suggestions(app, app_id)) == [CheckItem.DOCUMENTS]


def test_person_marked_as_suspected_duplicate_fails_not_duplicate(app, manager):
    app_id = dossier(app, manager)
    with committed(app):
        beneficiaries.set_verification(actor(manager), load(app_id).lead,
                                       VerificationStatus.SUSPECTED_DUPLICATE, "Même NINA")
    assert failing(suggestions(app, app_id)) == [CheckItem.NOT_DUPLICATE]


def test_another_dossier_of_the_same_person_with_an_active_grant_fails(app, manager):
    app_id = dossier(app, manager)
    with committed(app):
        first = load(app_id)
        other = factories.complete_dossier(actor(manager), first.call, first.lead)
        other.status = ApplicationStatus.SELECTED
    assert failing(suggestions(app, app_id)) == [CheckItem.NO_ACTIVE_GRANT]


def test_another_dossier_that_was_not_selected_does_not_count(app, manager):
    app_id = dossier(app, manager)
    with committed(app):
        first = load(app_id)
        other = factories.complete_dossier(actor(manager), first.call, first.lead)
        other.status = ApplicationStatus.REJECTED
    assert failing(suggestions(app, app_id)) == []


# --- the decision --------------------------------------------------------------------------

def _screen(app, user_id, app_id, *, results=None, comments=None, outcome, reason=None):
    with committed(app):
        return screening.screen(actor(user_id), load(app_id), results=results or ALL_PASS,
                                comments=comments or {}, outcome=outcome, reason=reason)


def _status(app, app_id) -> ApplicationStatus:
    with app.app_context():
        return load(app_id).status


def _nothing_recorded(app, app_id) -> bool:
    with app.app_context():
        screenings = db.session.scalar(db.select(db.func.count()).select_from(Screening))
        return screenings == 0 and load(app_id).status == ApplicationStatus.SUBMITTED


def test_eligible_with_a_failed_item_is_refused(app, manager):
    app_id = dossier(app, manager)
    results = {**ALL_PASS, CheckItem.AGE: FAIL}
    with pytest.raises(ValidationError) as raised:
        _screen(app, manager, app_id, results=results, comments={CheckItem.AGE: "Né en 1950"},
                outcome=Outcome.ELIGIBLE)
    assert raised.value.field == "outcome"
    assert _nothing_recorded(app, app_id)


@pytest.mark.parametrize("outcome", [Outcome.INELIGIBLE, Outcome.INCOMPLETE])
def test_ineligible_or_incomplete_needs_a_reason(app, manager, outcome):
    app_id = dossier(app, manager)
    with pytest.raises(ValidationError) as raised:
        _screen(app, manager, app_id, outcome=outcome, reason="   ")
    assert raised.value.field == "reason"
    assert _nothing_recorded(app, app_id)


def test_an_item_answered_no_needs_a_comment(app, manager):
    app_id = dossier(app, manager)
    results = {**ALL_PASS, CheckItem.DOCUMENTS: FAIL}
    with pytest.raises(ValidationError) as raised:
        _screen(app, manager, app_id, results=results, comments={CheckItem.DOCUMENTS: " "},
                outcome=Outcome.INCOMPLETE, reason="Pro-forma illisible")
    assert raised.value.field == "items"
    assert _nothing_recorded(app, app_id)


def test_every_item_must_be_answered(app, manager):
    app_id = dossier(app, manager)
    results = {item: PASS for item in CheckItem if item != CheckItem.AGE}
    with pytest.raises(ValidationError):
        _screen(app, manager, app_id, results=results, outcome=Outcome.ELIGIBLE)
    assert _nothing_recorded(app, app_id)


def test_eligible_decision_is_stored_with_items_suggestions_and_event(app, manager):
    app_id = dossier(app, manager)
    with committed(app):
        beneficiaries.set_verification(actor(manager), load(app_id).lead,
                                       VerificationStatus.SUSPECTED_DUPLICATE, "Même NINA")
    _screen(app, manager, app_id, outcome=Outcome.ELIGIBLE)  # staff overrule the suggestion
    with app.app_context():
        application = load(app_id)
        assert application.status == ApplicationStatus.ELIGIBLE
        record = db.session.scalar(db.select(Screening).where(Screening.application_id == app_id))
        assert (record.outcome, record.screened_by_id, record.reason) == (
            Outcome.ELIGIBLE, manager, None)
        assert [(i.item, i.result) for i in record.items] == [(item, PASS) for item in CheckItem]
        suggested = {i.item: i.suggested for i in record.items}
        assert suggested == {**ALL_PASS, CheckItem.NOT_DUPLICATE: FAIL}
        event = application.events[-1]
        assert (event.action, event.from_status, event.to_status, event.actor_id) == (
            ApplicationAction.DECLARE_ELIGIBLE, ApplicationStatus.SUBMITTED,
            ApplicationStatus.ELIGIBLE, manager)


def test_ineligible_decision_keeps_the_reason_and_the_comments(app, manager):
    app_id = dossier(app, manager)
    results = {**ALL_PASS, CheckItem.AGE: FAIL}
    _screen(app, manager, app_id, results=results, comments={CheckItem.AGE: "  A 67 ans  "},
            outcome=Outcome.INELIGIBLE, reason="  Hors limite d'âge  ")
    with app.app_context():
        application = load(app_id)
        assert application.status == ApplicationStatus.INELIGIBLE
        record = db.session.scalar(db.select(Screening))
        assert record.reason == "Hors limite d'âge"
        comments = {i.item: i.comment for i in record.items}
        assert comments == {**dict.fromkeys(CheckItem), CheckItem.AGE: "A 67 ans"}
        event = application.events[-1]
        assert (event.action, event.comment, event.actor_id) == (
            ApplicationAction.DECLARE_INELIGIBLE, "Hors limite d'âge", manager)


def test_incomplete_dossier_is_completed_and_submitted_again_with_the_same_reference(app,
                                                                                    manager):
    app_id = dossier(app, manager)
    with app.app_context():
        reference = load(app_id).reference
    assert reference
    _screen(app, manager, app_id, outcome=Outcome.INCOMPLETE, reason="Pro-forma illisible")
    assert _status(app, app_id) == ApplicationStatus.INCOMPLETE
    with committed(app):
        application = load(app_id)
        applications.update_draft(actor(manager), application, {"title": "Atelier de couture 2"})
        applications.submit(actor(manager), application)
    with app.app_context():
        application = load(app_id)
        assert application.status == ApplicationStatus.SUBMITTED
        assert application.reference == reference
        assert [e.to_status for e in application.events] == [
            ApplicationStatus.SUBMITTED, ApplicationStatus.INCOMPLETE, ApplicationStatus.SUBMITTED]
        assert len(application.revisions) == 2


def test_only_submitted_dossiers_can_be_screened(app, manager):
    draft_id = dossier(app, manager, submit=False)
    with pytest.raises(ConflictError):
        _screen(app, manager, draft_id, outcome=Outcome.ELIGIBLE)
    screened_id = dossier(app, manager)
    _screen(app, manager, screened_id, outcome=Outcome.ELIGIBLE)
    with pytest.raises(ConflictError):
        _screen(app, manager, screened_id, outcome=Outcome.INELIGIBLE, reason="Erreur")
    assert _status(app, draft_id) == ApplicationStatus.DRAFT
    assert _status(app, screened_id) == ApplicationStatus.ELIGIBLE
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Screening)) == 1


# --- who may screen ------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.APPLICANT, Role.AUDITOR])
def test_applicants_and_auditors_may_not_screen(app, client, login_as, manager, role):
    app_id = dossier(app, manager)
    login_as(role)
    assert client.get(f"/dossiers/{app_id}/recevabilite").status_code == 403
    response = client.post(f"/dossiers/{app_id}/recevabilite", data=_decision("eligible"))
    assert response.status_code == 403
    assert _status(app, app_id) == ApplicationStatus.SUBMITTED


def test_intake_agent_of_another_region_gets_404(app, client, login_as, manager):
    app_id = dossier(app, manager)  # region 01
    login_as(Role.INTAKE_AGENT, regions=("07",))
    assert client.get(f"/dossiers/{app_id}/recevabilite").status_code == 404
    assert client.post(f"/dossiers/{app_id}/recevabilite",
                       data=_decision("eligible")).status_code == 404
    assert _status(app, app_id) == ApplicationStatus.SUBMITTED


# --- the screening page --------------------------------------------------------------------

def _decision(outcome: str, reason: str = "", **changes) -> dict:
    data = {"outcome": outcome, "reason": reason}
    for index, _item in enumerate(CheckItem):
        data[f"items-{index}-result"] = "pass"
        data[f"items-{index}-comment"] = ""
    data.update(changes)
    return data


def _checked(page: str, index: int) -> str | None:
    for tag in re.findall(rf'<input[^>]*name="items-{index}-result"[^>]*>', page):
        if re.search(r"\bchecked\b", tag):
            return re.search(r'value="(\w+)"', tag).group(1)
    return None


def test_screening_page_is_prefilled_with_the_suggestions(app, client, login_as, manager):
    app_id = dossier(app, manager)
    with committed(app):
        beneficiaries.set_verification(actor(manager), load(app_id).lead,
                                       VerificationStatus.SUSPECTED_DUPLICATE, "Même NINA")
    login_as(Role.INTAKE_AGENT, regions=("01",))
    page = client.get(f"/dossiers/{app_id}/recevabilite").get_data(as_text=True)
    expected = ["fail" if item == CheckItem.NOT_DUPLICATE else "pass" for item in CheckItem]
    assert [_checked(page, index) for index in range(len(CheckItem))] == expected


def test_posting_a_full_decision_moves_the_dossier_and_redirects(app, client, login_as, manager):
    app_id = dossier(app, manager)
    agent = login_as(Role.INTAKE_AGENT, regions=("01",))
    response = client.post(f"/dossiers/{app_id}/recevabilite", data=_decision(
        "incomplete", "Il manque la pro-forma signée", **{
            "items-3-result": "fail", "items-3-comment": "Pro-forma non signée"}))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/dossiers/{app_id}")
    with app.app_context():
        application = load(app_id)
        assert application.status == ApplicationStatus.INCOMPLETE
        record = db.session.scalar(db.select(Screening))
        assert record.screened_by_id == agent
        assert [(i.item, i.result) for i in record.items][3] == (CheckItem.DOCUMENTS, FAIL)
        assert record.items[3].comment == "Pro-forma non signée"
        event = db.session.scalar(db.select(ApplicationEvent).order_by(ApplicationEvent.id.desc()))
        assert (event.actor_id, event.comment) == (agent, "Il manque la pro-forma signée")


def test_page_refuses_eligible_with_a_no_and_keeps_the_dossier_submitted(app, client, login_as,
                                                                          manager):
    app_id = dossier(app, manager)
    login_as(Role.INTAKE_AGENT, regions=("01",))
    page = html.unescape(client.post(f"/dossiers/{app_id}/recevabilite", data=_decision(
        "eligible", **{"items-1-result": "fail", "items-1-comment": "Trop âgé"})
    ).get_data(as_text=True))
    assert fr(app, "A dossier that fails an item cannot be declared eligible.") in page
    assert _status(app, app_id) == ApplicationStatus.SUBMITTED


def test_page_refuses_to_screen_a_draft(app, client, login_as, manager):
    app_id = dossier(app, manager, submit=False)
    login_as(Role.PROGRAMME_MANAGER)
    page = html.unescape(client.post(f"/dossiers/{app_id}/recevabilite",
                                     data=_decision("eligible")).get_data(as_text=True))
    assert fr(app, "Only a submitted dossier can be screened.") in page
    assert _status(app, app_id) == ApplicationStatus.DRAFT


def test_applicant_of_the_dossier_still_may_not_screen_it(app, client, manager):
    app_id = dossier(app, manager, phone="+223 76 11 22 33")
    with committed(app):
        person = db.session.scalar(db.select(Beneficiary))
        _, temporary = beneficiaries.create_applicant_account(actor(manager), person)
        user = db.session.get(User, person.user_id)
        user.must_change_password = False
    assert login(client, "76 11 22 33", temporary).status_code == 302
    assert client.get(f"/dossiers/{app_id}").status_code == 200  # their own dossier
    assert client.get(f"/dossiers/{app_id}/recevabilite").status_code == 403

"""The returnee registry: consent, duplicates, restricted data, region scope, verification and
applicant accounts, through the services and through the pages intake staff use."""

import html
import io
import uuid
from datetime import date, timedelta

import openpyxl
import pytest
from flask_babel import force_locale, gettext

from grants.extensions import db
from grants.models import (
    AuditEvent,
    Beneficiary,
    BeneficiaryRestricted,
    Consent,
    DuplicateReview,
    Role,
    User,
)
from grants.services.errors import ConflictError, ValidationError
from grants.services.intake import beneficiaries
from grants.vocabulary import ConsentScope, IdType, VerificationStatus, Vulnerability
from tests import factories
from tests.conftest import PASSWORD, committed, download, field_errors, login

YEAR = date.today().year
HEALTH_NOTE = "Suivi psychologique hebdomadaire au CSCOM"


# --- helpers ------------------------------------------------------------------------------

def fr(app, message: str, **values) -> str:
    """`message` as a French user reads it (the catalog's translation, or the English text
    while the translation is still missing)."""
    with app.test_request_context(), force_locale("fr"):
        return gettext(message, **values)


def actor(user_id: int) -> User:
    return db.session.get(User, user_id)


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return count(Beneficiary), count(Consent)


def register(user_id: int, **overrides) -> Beneficiary:
    """Register through the service (inside `committed`), with consent to everything."""
    values = dict(first_name="Aminata", last_name="Traoré",
                  consent_scopes=factories.ALL_SCOPES, consent_date=date.today(),
                  profile=factories.profile(id_number="98765432109876B",
                                            phone="+223 76 12 34 56"))
    values.update(overrides)
    return beneficiaries.register(actor(user_id), **values)


def form(**overrides) -> dict:
    """The registration form as the browser posts it (Aminata Traoré, region 01 Kayes)."""
    values = {
        "first_name": "Aminata", "last_name": "Traoré", "consent_scopes": ["processing", "follow_up"],
        "consent_date": date.today().isoformat(), "sex": "F", "birth_date": "1995-03-02",
        "id_type": "nina", "id_number": "98765432109876B", "phone": "+223 76 12 34 56",
        "region_id": "2", "cercle": "Kayes", "commune": "Kayes", "address": "Plateau",
        "category": "returnee", "return_country": "Libye", "return_date": "2025-06-01",
        "return_mode": "avrr", "iom_case_number": "", "education": "primary", "skills": "Couture",
        "skills_abroad": "", "household_size": "3", "vulnerabilities": ["medical_need"],
        "health_notes": HEALTH_NOTE, "not_duplicate_reason": "",
        "client_token": str(uuid.uuid4())}
    values.update(overrides)
    return values


@pytest.fixture
def manager(make_user):
    return make_user(Role.PROGRAMME_MANAGER, username="gestion")


# --- registration and consent --------------------------------------------------------------

def test_registration_with_consent_stores_profile_consent_and_readable_code(app, make_user):
    agent = make_user(Role.INTAKE_AGENT, regions=("01",))
    with committed(app):
        first = register(agent)
        second = register(agent, first_name="Oumar", last_name="Keïta",
                          profile=factories.profile(id_number="55555555555555C"))
        first_id = first.id
        assert (first.code, second.code) == (f"ML-{YEAR}-000001", f"ML-{YEAR}-000002")
    with app.app_context():
        person = db.session.get(Beneficiary, first_id)
        assert person.phone == "+22376123456"
        assert person.id_type == IdType.NINA and person.id_number == "98765432109876B"
        assert person.birth_date == date(1992, 5, 17) and person.region.code == "01"
        assert person.created_by_id == agent
        (consent,) = person.consents
        assert consent.scopes == sorted(factories.ALL_SCOPES)
        assert consent.notice_version == beneficiaries.CURRENT_NOTICE_VERSION
        assert consent.recorded_by_id == agent and consent.given_on == date.today()
        assert person.has_consent(ConsentScope.PROCESSING)


def test_registration_without_processing_consent_keeps_only_names_and_refusal(app, manager):
    with committed(app):
        person = register(manager, consent_scopes=[],
                          restricted={"vulnerabilities": ["trafficking"], "health_notes": "x"})
        person_id = person.id
    with app.app_context():
        person = db.session.get(Beneficiary, person_id)
        assert (person.first_name, person.last_name) == ("Aminata", "Traoré")
        for name in beneficiaries.PROFILE_FIELDS:
            if name != "birth_date_estimated":
                assert getattr(person, name) is None, name
        assert person.id_number_key is None
        assert [c.scopes for c in person.consents] == [[]]
        assert not person.has_consent(ConsentScope.PROCESSING)
        assert db.session.get(BeneficiaryRestricted, person_id) is None


def test_registration_with_consent_keeps_restricted_data_apart(app, manager):
    with committed(app):
        person_id = register(manager, restricted={"vulnerabilities": ["trafficking"],
                                                  "health_notes": HEALTH_NOTE}).id
    with app.app_context():
        row = db.session.get(BeneficiaryRestricted, person_id)
        assert (row.vulnerabilities, row.health_notes) == (["trafficking"], HEALTH_NOTE)


def test_intake_agent_can_see_the_refusal_they_just_registered(app, client, login_as):
    login_as(Role.INTAKE_AGENT, regions=("01",))
    response = client.post("/beneficiaires/nouveau", data=form(consent_scopes=[]))
    assert response.status_code == 302
    with app.app_context():
        person = db.session.scalar(db.select(Beneficiary))
        assert person.region_id is None and person.phone is None
    assert client.get(response.headers["Location"]).status_code == 200


# --- duplicates ----------------------------------------------------------------------------

@pytest.mark.parametrize("first,last,changes,reason", [
    ("Fatoumata", "Diallo", {"id_number": " 98765 43210 9876b ", "phone": None}, "id_number"),
    ("Fatoumata", "Diallo", {"id_number": "11111111111111Z", "phone": "76 12 34 56"}, "phone"),
    ("MOUSSA", "KANTE", {"id_number": "11111111111111Z", "phone": None}, "name_birth_date"),
])
def test_likely_duplicate_stops_registration_with_the_reason(app, manager, first, last, changes,
                                                             reason):
    with committed(app):
        existing = register(manager, first_name="Kanté", last_name="Moussa",
                            profile=factories.profile(id_number="98765432109876B",
                                                      phone="+22376123456"))
        existing_id = existing.id
    with app.app_context(), pytest.raises(beneficiaries.PossibleDuplicates) as raised:
        register(manager, first_name=first, last_name=last, profile=factories.profile(**changes))
    assert [(m.beneficiary.id, m.reasons) for m in raised.value.matches] == [(existing_id, (reason,))]
    assert counts(app)[0] == 1


def test_same_name_with_another_birth_date_is_not_a_duplicate(app, manager):
    with committed(app):
        register(manager, first_name="Kanté", last_name="Moussa")
        other = register(manager, first_name="MOUSSA", last_name="KANTE",
                         profile=factories.profile(birth_date=date(1990, 1, 1),
                                                   id_number="22222222222222D"))
        assert other.code == f"ML-{YEAR}-000002"
    with app.app_context():
        assert count(DuplicateReview) == 0


def test_confirming_not_a_duplicate_needs_a_reason(app, manager):
    with committed(app):
        register(manager)
    with app.app_context(), pytest.raises(ValidationError) as raised:
        register(manager, first_name="Awa", duplicates_confirmed=True, not_duplicate_reason="  ")
    assert raised.value.field == "not_duplicate_reason"
    assert counts(app)[0] == 1


def test_confirmed_not_duplicate_is_remembered_both_ways_and_not_flagged_again(app, manager):
    with committed(app):
        first_id = register(manager).id
        second = register(manager, first_name="Awa", duplicates_confirmed=True,
                          not_duplicate_reason="Sœur jumelle, autre carte NINA à venir")
        second_id = second.id
    with app.app_context():
        reviews = db.session.execute(db.select(
            DuplicateReview.beneficiary_id, DuplicateReview.other_id, DuplicateReview.reason,
            DuplicateReview.decided_by_id).order_by(DuplicateReview.id)).all()
        reason = "Sœur jumelle, autre carte NINA à venir"
        assert sorted(reviews) == sorted([(second_id, first_id, reason, manager),
                                          (first_id, second_id, reason, manager)])
    # Later edits of either record do not raise the same pair again.
    with committed(app):
        for person_id in (first_id, second_id):
            person = db.session.get(Beneficiary, person_id)
            beneficiaries.update(actor(manager), person, first_name=person.first_name,
                                 last_name=person.last_name,
                                 profile=factories.profile(id_number="98765432109876B",
                                                           phone="+22376123456", household_size=6))
    with app.app_context():
        assert db.session.get(Beneficiary, second_id).household_size == 6
        assert count(DuplicateReview) == 2


def test_an_edit_that_creates_a_new_duplicate_is_stopped(app, manager):
    with committed(app):
        register(manager)
        other_id = register(manager, first_name="Oumar", last_name="Keïta",
                            profile=factories.profile(id_number="33333333333333E")).id
    with app.app_context():
        other = db.session.get(Beneficiary, other_id)
        with pytest.raises(beneficiaries.PossibleDuplicates):
            beneficiaries.update(actor(manager), other, first_name="Oumar", last_name="Keïta",
                                 profile=factories.profile(phone="76 12 34 56",
                                                           id_number="33333333333333E"))


def test_registration_page_shows_the_possible_duplicate_and_saves_nothing(app, client, login_as):
    agent = login_as(Role.INTAKE_AGENT, regions=("01",))
    with committed(app):
        code = register(agent, first_name="Kanté", last_name="Moussa").code
    before = counts(app)
    page = html.unescape(client.post("/beneficiaires/nouveau", data=form(
        first_name="Moussa", last_name="Kanté", phone="", id_number="44444444444444F",
        birth_date="1992-05-17")).get_data(as_text=True))
    assert f"{code} — Kanté Moussa" in page
    assert fr(app, "This person may already be registered. Open the existing record, or confirm "
                   "that it is someone else and say why.") in page
    assert 'id="not_duplicate"' in page
    assert counts(app) == before


def test_registration_page_accepts_a_confirmed_non_duplicate(app, client, login_as):
    agent = login_as(Role.INTAKE_AGENT, regions=("01",))
    with committed(app):
        register(agent)
    response = client.post("/beneficiaires/nouveau", data=form(
        first_name="Awa", not_duplicate="y", not_duplicate_reason="Même téléphone familial"))
    assert response.status_code == 302
    assert counts(app)[0] == 2


@pytest.mark.parametrize("change,field,message", [
    ({"phone": "12"}, "phone", "Invalid phone number (e.g. +223 76 12 34 56)."),
    ({"birth_date": (date.today() + timedelta(days=30)).isoformat()}, "birth_date",
     "The date of birth cannot be in the future."),
    ({"id_type": "nina", "id_number": ""}, "id_number",
     'Enter the document number, or choose "No document".'),
    ({"region_id": ""}, "region_id", "Choose the region."),
])
def test_bad_registration_input_is_shown_at_the_field_and_nothing_is_saved(
        app, client, login_as, change, field, message):
    login_as(Role.INTAKE_AGENT, regions=("01",))
    before = counts(app)
    page = client.post("/beneficiaires/nouveau", data=form(**change)).get_data(as_text=True)
    assert field_errors(page, field) == [fr(app, message)]
    assert counts(app) == before
    with app.app_context():
        assert count(BeneficiaryRestricted) == 0


def test_invalid_phone_message_is_in_french(app, client, login_as):
    login_as(Role.INTAKE_AGENT, regions=("01",))
    page = client.post("/beneficiaires/nouveau", data=form(phone="12")).get_data(as_text=True)
    assert field_errors(page, "phone") == ["Numéro de téléphone invalide (ex. +223 76 12 34 56)."]


def test_registration_page_registers_the_person_with_consent_and_restricted_data(
        app, client, login_as):
    agent = login_as(Role.INTAKE_AGENT, regions=("01",))
    response = client.post("/beneficiaires/nouveau", data=form())
    assert response.status_code == 302
    with app.app_context():
        person = db.session.scalar(db.select(Beneficiary))
        assert response.headers["Location"].endswith(f"/beneficiaires/{person.id}")
        assert (person.code, person.phone, person.region.code) == (
            f"ML-{YEAR}-000001", "+22376123456", "01")
        (consent,) = person.consents
        assert consent.scopes == ["follow_up", "processing"] and consent.recorded_by_id == agent
        row = db.session.get(BeneficiaryRestricted, person.id)
        assert (row.vulnerabilities, row.health_notes) == (["medical_need"], HEALTH_NOTE)


def test_the_same_form_posted_twice_creates_one_record(app, client, login_as):
    login_as(Role.INTAKE_AGENT, regions=("01",))
    data = form()
    first = client.post("/beneficiaires/nouveau", data=data)
    second = client.post("/beneficiaires/nouveau", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert counts(app) == (1, 1)


# --- withdrawal of consent -----------------------------------------------------------------

def test_withdrawing_consent_erases_profile_and_restricted_data_but_keeps_history(app, manager):
    with committed(app):
        person_id = register(manager, restricted={"vulnerabilities": ["trafficking"],
                                                  "health_notes": HEALTH_NOTE}).id
    with committed(app):
        beneficiaries.withdraw_consent(actor(manager), db.session.get(Beneficiary, person_id),
                                       "  Ne souhaite plus participer  ")
    with app.app_context():
        person = db.session.get(Beneficiary, person_id)
        assert (person.first_name, person.last_name) == ("Aminata", "Traoré")
        assert person.phone is None and person.birth_date is None and person.id_number is None
        assert person.region_id is None and person.id_number_key is None
        assert db.session.get(BeneficiaryRestricted, person_id) is None
        (consent,) = person.consents
        assert consent.withdrawn_at is not None and consent.withdrawn_by_id == manager
        assert consent.withdrawal_reason == "Ne souhaite plus participer"
        assert person.current_consent is None


def test_withdrawing_consent_needs_a_reason(app, manager):
    with committed(app):
        person_id = register(manager).id
    with app.app_context():
        person = db.session.get(Beneficiary, person_id)
        with pytest.raises(ValidationError) as raised:
            beneficiaries.withdraw_consent(actor(manager), person, "   ")
        assert raised.value.field == "reason"
    with app.app_context():
        person = db.session.get(Beneficiary, person_id)
        assert person.phone == "+22376123456" and person.current_consent is not None


def test_withdrawal_page_without_reason_changes_nothing(app, client, login_as):
    agent = login_as(Role.INTAKE_AGENT, regions=("01",))
    with committed(app):
        person_id = register(agent).id
    client.post(f"/beneficiaires/{person_id}/retrait-consentement", data={"reason": ""})
    with app.app_context():
        assert db.session.get(Beneficiary, person_id).phone == "+22376123456"
    client.post(f"/beneficiaires/{person_id}/retrait-consentement", data={"reason": "Départ"})
    with app.app_context():
        assert db.session.get(Beneficiary, person_id).phone is None


# --- restricted data -----------------------------------------------------------------------

@pytest.fixture
def sensitive(app, manager):
    """A person of region 01 with a health note and a dossier; returns (id, code)."""
    with committed(app):
        person = register(manager, restricted={"vulnerabilities": ["trafficking"],
                                               "health_notes": HEALTH_NOTE})
        call = factories.open_call(actor(manager))
        factories.complete_dossier(actor(manager), call, person)
        return person.id, person.code


def _restricted_reads(app) -> list[tuple[int, str]]:
    with app.app_context():
        return list(db.session.execute(db.select(AuditEvent.actor_id, AuditEvent.object_id).where(
            AuditEvent.action == "beneficiary.restricted_read").order_by(AuditEvent.id)).all())


@pytest.mark.parametrize("role", [Role.INTAKE_AGENT, Role.PROGRAMME_MANAGER])
def test_authorised_roles_see_the_confidential_section_and_the_reading_is_audited(
        app, client, login_as, sensitive, role):
    person_id, _ = sensitive
    reader = login_as(role, regions=("01",))
    plain = client.get(f"/beneficiaires/{person_id}").get_data(as_text=True)
    assert HEALTH_NOTE not in plain
    assert f'href="/beneficiaires/{person_id}?confidentiel=1"' in plain  # the button to ask
    assert _restricted_reads(app) == []
    page = client.get(f"/beneficiaires/{person_id}?confidentiel=1").get_data(as_text=True)
    assert HEALTH_NOTE in page
    assert _restricted_reads(app) == [(reader, str(person_id))]
    client.get(f"/beneficiaires/{person_id}?confidentiel=1")
    assert len(_restricted_reads(app)) == 2


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.FINANCE_OFFICER, Role.FIELD_OFFICER])
def test_other_roles_never_see_restricted_data(app, client, login_as, sensitive, role):
    person_id, code = sensitive
    login_as(role, regions=("01",))
    response = client.get(f"/beneficiaires/{person_id}?confidentiel=1")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert code in page  # the page itself is shown
    assert HEALTH_NOTE not in page
    assert f'href="/beneficiaires/{person_id}?confidentiel=1"' not in page  # no button either
    assert _restricted_reads(app) == []


def test_restricted_data_is_not_in_the_list_nor_the_export(app, client, login_as, sensitive):
    _, code = sensitive
    login_as(Role.PROGRAMME_MANAGER)
    listing = client.get("/beneficiaires/").get_data(as_text=True)
    assert code in listing and HEALTH_NOTE not in listing
    sheet = openpyxl.load_workbook(io.BytesIO(download(client, "/dossiers/export.xlsx"))).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert code in cells
    assert not any(HEALTH_NOTE in c or "trafficking" in c for c in cells)
    with app.app_context(), force_locale("fr"):
        label = Vulnerability.TRAFFICKING.label
    assert not any(label in c for c in cells)


# --- region scope --------------------------------------------------------------------------

@pytest.fixture
def kayes_and_gao(app, manager):
    """One person in region 01 (Kayes) and one in region 07 (Gao): their (id, code)."""
    with committed(app):
        kayes = register(manager)
        gao = register(manager, first_name="Ibrahim", last_name="Maïga",
                       profile=factories.profile(region_id=factories.region("07").id,
                                                 id_number="66666666666666G", phone=None))
        return (kayes.id, kayes.code), (gao.id, gao.code)


def test_intake_agent_reaches_only_people_of_their_regions(client, login_as, kayes_and_gao):
    (kayes_id, kayes_code), (gao_id, gao_code) = kayes_and_gao
    login_as(Role.INTAKE_AGENT, regions=("01",))
    assert client.get(f"/beneficiaires/{kayes_id}").status_code == 200
    assert client.get(f"/beneficiaires/{gao_id}").status_code == 404
    assert client.get(f"/beneficiaires/{gao_id}/modifier").status_code == 404
    assert client.post(f"/beneficiaires/{gao_id}/modifier", data=form()).status_code == 404
    listing = client.get("/beneficiaires/").get_data(as_text=True)
    assert kayes_code in listing and gao_code not in listing
    found = client.get("/beneficiaires/?q=Ibrahim").get_data(as_text=True)
    assert gao_code not in found


def test_programme_manager_reaches_every_region(client, login_as, kayes_and_gao):
    (kayes_id, kayes_code), (gao_id, gao_code) = kayes_and_gao
    login_as(Role.PROGRAMME_MANAGER)
    assert client.get(f"/beneficiaires/{gao_id}").status_code == 200
    assert client.get(f"/beneficiaires/{gao_id}/modifier").status_code == 200
    listing = client.get("/beneficiaires/").get_data(as_text=True)
    assert kayes_code in listing and gao_code in listing
    found = client.get("/beneficiaires/?q=maiga ibrahim").get_data(as_text=True)
    assert gao_code in found and kayes_code not in found


def test_search_service_applies_the_region_scope(app, make_user, kayes_and_gao):
    (kayes_id, _), (gao_id, _) = kayes_and_gao
    agent = make_user(Role.INTAKE_AGENT, regions=("07",))
    with app.app_context():
        found = db.session.scalars(beneficiaries.search(actor(agent))).all()
        assert [p.id for p in found] == [gao_id]
        by_phone = db.session.scalars(beneficiaries.search(actor(agent), q="76 12 34 56")).all()
        assert by_phone == []


# --- verification --------------------------------------------------------------------------

@pytest.mark.parametrize("status", [VerificationStatus.REJECTED,
                                    VerificationStatus.SUSPECTED_DUPLICATE])
def test_rejecting_or_flagging_a_duplicate_needs_a_comment(app, manager, status):
    with committed(app):
        person_id = register(manager).id
    with app.app_context():
        with pytest.raises(ValidationError) as raised:
            beneficiaries.set_verification(actor(manager), db.session.get(Beneficiary, person_id),
                                           status, " ")
        assert raised.value.field == "comment"
    with committed(app):
        beneficiaries.set_verification(actor(manager), db.session.get(Beneficiary, person_id),
                                       status, "Même NINA qu'un autre dossier")
    with app.app_context():
        assert db.session.get(Beneficiary, person_id).verification_status == status
        event = db.session.scalar(db.select(AuditEvent).where(
            AuditEvent.action == "beneficiary.verification"))
        assert event.details == {"from": "unverified", "to": status.value}


def test_verifying_needs_no_comment(app, manager):
    with committed(app):
        person = register(manager)
        beneficiaries.set_verification(actor(manager), person, VerificationStatus.VERIFIED, "")
        assert person.verification_status == VerificationStatus.VERIFIED


def test_programme_manager_verifies_through_the_page(app, client, login_as, make_user):
    login_as(Role.PROGRAMME_MANAGER)
    agent = make_user(Role.INTAKE_AGENT, regions=("01",))
    with committed(app):
        person_id = register(agent).id
    url = f"/beneficiaires/{person_id}/verification"
    client.post(url, data={"status": "rejected", "comment": ""})
    with app.app_context():
        status = db.session.get(Beneficiary, person_id).verification_status
        assert status == VerificationStatus.UNVERIFIED
    assert client.post(url, data={"status": "rejected", "comment": "Faux document"}).status_code == 302
    with app.app_context():
        assert db.session.get(Beneficiary, person_id).verification_status == VerificationStatus.REJECTED


def test_intake_agent_may_not_verify(app, client, login_as):
    agent = login_as(Role.INTAKE_AGENT, regions=("01",))
    with committed(app):
        person_id = register(agent).id
    response = client.post(f"/beneficiaires/{person_id}/verification",
                           data={"status": "verified", "comment": ""})
    assert response.status_code == 403
    with app.app_context():
        status = db.session.get(Beneficiary, person_id).verification_status
        assert status == VerificationStatus.UNVERIFIED


# --- applicant accounts --------------------------------------------------------------------

def test_applicant_account_logs_in_by_phone_and_must_change_password(app, manager):
    with committed(app):
        person = register(manager)
        user, temporary = beneficiaries.create_applicant_account(actor(manager), person)
        assert person.user_id == user.id
        assert user.roles == {Role.APPLICANT} and user.phone == "+22376123456"
    assert temporary and temporary != PASSWORD
    browser = app.test_client()
    assert login(browser, "76 12 34 56", temporary).status_code == 302
    home = browser.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/mot-de-passe")


def test_applicant_account_created_through_the_page_shows_the_password_once(app, client,
                                                                           login_as):
    agent = login_as(Role.INTAKE_AGENT, regions=("01",))
    with committed(app):
        person_id = register(agent).id
    response = client.post(f"/beneficiaires/{person_id}/compte")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        user_id = db.session.get(Beneficiary, person_id).user_id
        assert db.session.get(User, user_id).must_change_password


def test_no_applicant_account_without_phone(app, manager):
    with committed(app):
        person_id = register(manager, profile=factories.profile(phone=None)).id
    with app.app_context():
        with pytest.raises(ValidationError) as raised:
            beneficiaries.create_applicant_account(actor(manager),
                                                   db.session.get(Beneficiary, person_id))
        assert raised.value.field == "phone"


def test_no_second_applicant_account(app, manager):
    with committed(app):
        person = register(manager)
        first, _ = beneficiaries.create_applicant_account(actor(manager), person)
        first_id, person_id = first.id, person.id
    with app.app_context():
        with pytest.raises(ConflictError):
            beneficiaries.create_applicant_account(actor(manager),
                                                   db.session.get(Beneficiary, person_id))
        assert db.session.get(Beneficiary, person_id).user_id == first_id
        assert count(User) == 2


def test_intake_agent_cannot_register_a_person_outside_their_regions(app, client, login_as):
    login_as(Role.INTAKE_AGENT, regions=("01",))
    page = client.post("/beneficiaires/nouveau", data=form(region_id="8")).get_data(as_text=True)
    assert counts(app) == (0, 0)
    assert field_errors(page, "region_id")


def test_the_reason_of_a_rejection_is_kept(app, client, login_as):
    manager = login_as(Role.PROGRAMME_MANAGER)
    with committed(app):
        person_id = register(manager).id
    client.post(f"/beneficiaires/{person_id}/verification",
                data={"status": "rejected", "comment": "Carte NINA falsifiee"})
    page = client.get(f"/beneficiaires/{person_id}").get_data(as_text=True)
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).where(
            AuditEvent.action == "beneficiary.verification"))
        assert event is not None
        assert "Carte NINA falsifiee" in page or "Carte NINA falsifiee" in str(event.details)


def test_a_consent_replaced_by_a_newer_one_reads_in_french_in_the_history(app, client, login_as):
    """The system writes a code when a new consent replaces the current one; the history shows
    its translation, not the code (issue 10, point 20)."""
    manager = login_as(Role.PROGRAMME_MANAGER)
    with committed(app):
        person_id = register(manager).id
    with committed(app):
        beneficiaries.record_consent(actor(manager), db.session.get(Beneficiary, person_id),
                                     ["processing"], date.today())
    page = client.get(f"/beneficiaires/{person_id}").get_data(as_text=True)
    history = page.split(fr(app, "Consent"), 1)[1].split("</ul>", 1)[0]
    assert fr(app, "Ended on %(date)s:", date="").split()[0] in history
    assert fr(app, "Replaced by a newer consent") in history
    assert "replaced" not in history.lower()

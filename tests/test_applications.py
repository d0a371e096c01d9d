"""Dossiers: drafts, money input, budget totals, submission, revisions, documents, who sees what."""

import html
import io
import re

import openpyxl
import pytest
from flask_babel import force_locale

from grants.extensions import db
from grants.formatting import money
from grants.models import Application, ApplicationRevision, Attachment, Role, User
from grants.services.errors import ConflictError, ForbiddenError
from grants.services.intake import applications, members
from grants.vocabulary import ProjectType
from grants.workflow import ApplicationStatus
from tests import factories
from tests.conftest import committed, download, field_errors, login


@pytest.fixture
def setup(app, make_user):
    """A programme manager, an open call (cap 1 500 000), a returnee in Kayes with a draft."""
    manager_id = make_user(Role.PROGRAMME_MANAGER, username="manager")
    with committed(app):
        manager = db.session.get(User, manager_id)
        call = factories.open_call(manager)
        lead = factories.person(manager, phone="+22376123456")
        draft = applications.create_draft(manager, call=call, lead=lead,
                                          project_type=ProjectType.INDIVIDUAL)
        return {"manager": manager_id, "call": call.id, "lead": lead.id, "draft": draft.id}


def _get(model, key):
    return db.session.get(model, key)


def _count(app, model=Application):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_creating_a_dossier_twice_with_the_same_form_makes_one(app, client, login_as, setup):
    login_as(Role.INTAKE_AGENT, regions=("01",))
    before = _count(app)
    page = client.get(f"/dossiers/nouveau/{setup['lead']}").get_data(as_text=True)
    token = re.search(r'name="client_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"call_id": setup["call"], "project_type": "individual", "client_token": token}
    first = client.post(f"/dossiers/nouveau/{setup['lead']}", data=form)
    second = client.post(f"/dossiers/nouveau/{setup['lead']}", data=form)
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(app) == before + 1


def test_agents_cannot_create_dossiers_outside_their_regions(app, setup, make_user):
    gao = make_user(Role.INTAKE_AGENT, regions=("07",), username="gao")
    with app.app_context(), pytest.raises(ForbiddenError):
        applications.create_draft(_get(User, gao), call=_get(applications.Call, setup["call"]),
                                  lead=_get(applications.Beneficiary, setup["lead"]),
                                  project_type=ProjectType.INDIVIDUAL)


@pytest.mark.parametrize("typed,message", [
    ("12.5", "sans décimales"), ("1e6", "sans décimales"), ("-5", "négatif"),
    ("99999999999999999999", "trop élevé"), ("1,5", "sans décimales"),
])
def test_bad_amounts_get_a_french_message_and_nothing_is_saved(app, client, login_as, setup,
                                                               typed, message):
    login_as(Role.INTAKE_AGENT, regions=("01",))
    page = client.post(f"/dossiers/{setup['draft']}/plan", data={
        "product_service": "Pain", "monthly_revenue": typed, "monthly_costs": "10000"})
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 200 and message in text and "is-invalid" in text
    with app.app_context():
        draft = _get(Application, setup["draft"])
        assert draft.product_service is None and draft.monthly_costs is None


def test_amounts_with_spaces_are_accepted(app, client, login_as, setup):
    login_as(Role.INTAKE_AGENT, regions=("01",))
    client.post(f"/dossiers/{setup['draft']}/plan", data={
        "monthly_revenue": "1 250 000", "monthly_costs": "300\u202f000"})
    with app.app_context():
        draft = _get(Application, setup["draft"])
        assert (draft.monthly_revenue, draft.monthly_costs) == (1_250_000, 300_000)


def test_budget_totals_are_computed_on_the_server(app, client, login_as, setup):
    login_as(Role.INTAKE_AGENT, regions=("01",))
    response = client.post(f"/dossiers/{setup['draft']}/budget", data={
        "lines-0-category": "equipment", "lines-0-item": "Machine", "lines-0-quantity": "3",
        "lines-0-unit_cost": "125 000", "lines-0-total": "1",  # a forged total is ignored
        "lines-1-category": "stock", "lines-1-item": "Tissus", "lines-1-quantity": "1",
        "lines-1-unit_cost": "200000", "lines-2-category": "other",
        "requested_amount": "500 000", "own_contribution": "75000",
        "own_contribution_kind": "cash", "support_mode": "cash", "budget_total": "5"})
    assert response.status_code == 302
    with app.app_context():
        draft = _get(Application, setup["draft"])
        assert [line.total for line in draft.budget_lines] == [375_000, 200_000]
        assert draft.budget_total == 575_000
        assert draft.requested_amount == 500_000


def test_requested_amount_above_the_cap_is_refused_at_the_field(app, client, login_as, setup):
    login_as(Role.INTAKE_AGENT, regions=("01",))
    page = client.post(f"/dossiers/{setup['draft']}/budget", data={
        "requested_amount": "1 500 001", "own_contribution": "0", "own_contribution_kind": "none"})
    text = html.unescape(page.get_data(as_text=True))
    assert "dépasse le plafond" in text
    with app.app_context():
        assert _get(Application, setup["draft"]).requested_amount == 0


@pytest.mark.parametrize("requested,own", [
    ("800 000", "100 000"),  # 900 000: more than the plan spends (issue 10, point 15)
    ("700 000", "100 000"),  # 800 000: part of the plan left unfunded
])
def test_requested_and_own_contribution_must_pay_exactly_the_budget(app, client, login_as, setup,
                                                                    requested, own):
    login_as(Role.INTAKE_AGENT, regions=("01",))
    page = client.post(f"/dossiers/{setup['draft']}/budget", data={
        "lines-0-category": "equipment", "lines-0-item": "Machine", "lines-0-quantity": "1",
        "lines-0-unit_cost": "850 000", "requested_amount": requested, "own_contribution": own,
        "own_contribution_kind": "cash", "support_mode": "cash"}).get_data(as_text=True)
    asked, brought = int(requested.replace(" ", "")), int(own.replace(" ", ""))
    with app.test_request_context(), force_locale("fr"):  # "800 000 F CFA" as the app writes it
        figures = [money(n) for n in (asked, brought, asked + brought, 850_000)]
    (message,) = field_errors(page, "requested_amount")
    assert all(figure in message for figure in figures), message
    assert "égaux" in message
    with app.app_context():
        draft = _get(Application, setup["draft"])
        assert (draft.budget_lines, draft.budget_total, draft.requested_amount) == ([], 0, 0)


def test_submission_refuses_a_budget_the_money_does_not_match(app, setup):
    """A dossier whose amounts no longer match its budget (written before the rule) cannot be
    submitted: the service names the figures."""
    with committed(app):
        manager = _get(User, setup["manager"])
        dossier = factories.complete_dossier(manager, _get(applications.Call, setup["call"]),
                                             factories.person(manager, "Awa", "Diallo",
                                                              id_number="F1"))
        assert applications.missing_items(dossier) == []
        dossier.own_contribution += 50_000  # as stored before the rule existed
        dossier_id = dossier.id
    with app.app_context():
        dossier = _get(Application, dossier_id)
        with pytest.raises(applications.IncompleteDossier) as refused:
            applications.submit(_get(User, setup["manager"]), dossier)
        (gap,) = refused.value.missing
        assert "doivent être égaux" in gap and money(dossier.budget_total) in gap


def test_submission_checks_completeness_and_says_what_is_missing(app, client, login_as, setup):
    login_as(Role.INTAKE_AGENT, regions=("01",))
    client.post(f"/dossiers/{setup['draft']}/soumettre")
    page = html.unescape(client.get(f"/dossiers/{setup['draft']}").get_data(as_text=True))
    assert "pas encore complet" in page and "au moins une ligne de budget" in page
    with app.app_context():
        assert _get(Application, setup["draft"]).status == ApplicationStatus.DRAFT


def test_submission_gives_a_reference_and_freezes_the_version(app, setup):
    with committed(app):
        manager = _get(User, setup["manager"])
        call = _get(applications.Call, setup["call"])
        first = factories.complete_dossier(manager, call, factories.person(manager, "Awa", "Diallo",
                                                                          id_number="X1"))
        second = factories.complete_dossier(manager, call, factories.person(manager, "Ali", "Cissé",
                                                                           id_number="X2"))
        applications.submit(manager, first)
        applications.submit(manager, second)
        year = call.opens_on.year
        assert (first.reference, second.reference) == (f"AP-{year}-0001", f"AP-{year}-0002")
        frozen = first.revisions[0]
        assert frozen.number == 1 and frozen.snapshot["budget_total"] == first.budget_total
        assert frozen.snapshot["fields"]["requested_amount"] == 1_000_000
        assert first.status == ApplicationStatus.SUBMITTED and first.submitted_at is not None


def test_after_submission_only_staff_correct_with_a_reason(app, setup, make_user):
    applicant_id = make_user(Role.APPLICANT, username="appl", regions=())
    with committed(app):
        manager = _get(User, setup["manager"])
        lead = factories.person(manager, "Fanta", "Sidibé", id_number="Y1")
        lead.user_id = applicant_id
        dossier = factories.complete_dossier(manager, _get(applications.Call, setup["call"]), lead)
        applications.submit(manager, dossier)
        dossier_id = dossier.id
    with app.app_context():
        dossier, applicant = _get(Application, dossier_id), _get(User, applicant_id)
        with pytest.raises(ConflictError):
            applications.update_draft(applicant, dossier, {"title": "Changed"})
        with pytest.raises(ForbiddenError):
            applications.revise(applicant, dossier, "typo", {"title": "Changed"})
        with pytest.raises(applications.ValidationError):
            applications.revise(_get(User, setup["manager"]), dossier, " ", {"title": "Changed"})
    with committed(app):
        dossier = _get(Application, dossier_id)
        revision = applications.revise(_get(User, setup["manager"]), dossier,
                                       "Titre mal orthographié", {"title": "Atelier de couture Sidibé"})
        assert revision.number == 2
    with app.app_context():
        revisions = db.session.scalars(db.select(ApplicationRevision).where(
            ApplicationRevision.application_id == dossier_id).order_by(ApplicationRevision.number))
        assert [(r.number, r.snapshot["fields"]["title"]) for r in revisions] == [
            (1, "Atelier de couture"), (2, "Atelier de couture Sidibé")]


def test_collective_projects_need_members_whose_shares_add_up(app, setup):
    with committed(app):
        manager = _get(User, setup["manager"])
        call = _get(applications.Call, setup["call"])
        dossier = factories.complete_dossier(manager, call, factories.person(
            manager, "Lead", "Person", id_number="C1"), project_type=ProjectType.COLLECTIVE)
        missing = applications.missing_items(dossier)
        assert "au moins deux membres" in missing
        partner = factories.person(manager, "Partner", "Person", id_number="C2")
        members.add_member(manager, dossier, partner)
        assert [m.share_percent for m in dossier.members] == [50, 50]  # split equally
        assert applications.missing_items(dossier) == []
        dossier.members[0].share_percent = 60  # as stored before shares were checked
        assert "des parts des membres totalisant 100 %" in applications.missing_items(dossier)
        with pytest.raises(ConflictError):
            members.add_member(manager, dossier, partner)


def _upload(client, dossier_id, content, name, kind="proforma"):
    return client.post(f"/dossiers/{dossier_id}/pieces", data={
        "kind": kind, "file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def test_uploads_are_checked_by_content_and_stored_under_generated_names(app, client, login_as,
                                                                         setup):
    login_as(Role.INTAKE_AGENT, regions=("01",))
    _upload(client, setup["draft"], b"<html><script>alert(1)</script></html>", "facture.pdf")
    _upload(client, setup["draft"], b"MZ\x90\x00" + b"\x00" * 100, "photo.jpg")
    assert _count(app, Attachment) == 0
    _upload(client, setup["draft"], factories.PDF, "../../etc/passwd")
    with app.app_context():
        stored = db.session.scalar(db.select(Attachment))
        assert stored.display_name == "passwd" and stored.content_type == "application/pdf"
        assert re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{32}\.pdf", stored.stored_name)
        assert ".." not in stored.stored_name


def test_an_upload_over_the_limit_is_refused(make_app, make_user, setup):
    app = make_app(MAX_UPLOAD_BYTES=1024)
    make_user(Role.INTAKE_AGENT, regions=("01",), username="kayes")
    client = app.test_client()
    login(client, "kayes")
    page = _upload(client, setup["draft"], factories.PDF + b"0" * 5000, "big.pdf")
    assert page.status_code == 302
    assert "trop volumineux" in html.unescape(client.get(page.headers["Location"]).get_data(
        as_text=True))
    assert _count(app, Attachment) == 0


def test_documents_are_downloaded_only_by_those_who_see_the_dossier(app, client, login_as, setup,
                                                                    make_user):
    login_as(Role.INTAKE_AGENT, regions=("01",))
    _upload(client, setup["draft"], factories.PDF, "facture.pdf")
    with app.app_context():
        attachment_id = db.session.scalar(db.select(Attachment.id))
    response = client.get(f"/dossiers/pieces/{attachment_id}")
    assert response.status_code == 200 and response.data == factories.PDF
    assert "attachment" in response.headers["Content-Disposition"]
    response.close()
    make_user(Role.INTAKE_AGENT, regions=("07",), username="gao")
    make_user(Role.APPLICANT, regions=(), username="stranger")
    for username in ("gao", "stranger"):
        other = app.test_client()
        login(other, username)
        assert other.get(f"/dossiers/pieces/{attachment_id}").status_code == 404


def test_applicants_see_only_their_own_dossiers(app, setup, make_user):
    mine_id = make_user(Role.APPLICANT, regions=(), username="mine")
    make_user(Role.APPLICANT, regions=(), username="other")
    with committed(app):
        lead = _get(applications.Beneficiary, setup["lead"])
        lead.user_id = mine_id
    mine, other = app.test_client(), app.test_client()
    login(mine, "mine")
    login(other, "other")
    assert mine.get(f"/dossiers/{setup['draft']}").status_code == 200
    assert other.get(f"/dossiers/{setup['draft']}").status_code == 404
    assert other.get(f"/dossiers/{setup['draft']}/projet").status_code == 404
    card = f'data-dossier="{setup["draft"]}"'
    assert card in mine.get("/dossiers/", follow_redirects=True).get_data(as_text=True)
    assert card not in other.get("/dossiers/", follow_redirects=True).get_data(as_text=True)
    # the applicant may fill their own draft
    response = mine.post(f"/dossiers/{setup['draft']}/projet", data={
        "title": "Ma boutique", "region_id": 2})
    assert response.status_code == 302
    with app.app_context():
        assert _get(Application, setup["draft"]).title == "Ma boutique"


def test_an_applicant_reads_their_dossiers_as_cards_with_the_next_step(app, setup, make_user):
    """"Mes dossiers": the applicant's own dossiers only, each with its status in plain words and
    what happens next (from the workflow, not the staff's list with its filters)."""
    mine_id = make_user(Role.APPLICANT, regions=(), username="mine")
    with committed(app):
        manager = _get(User, setup["manager"])
        lead = _get(applications.Beneficiary, setup["lead"])
        lead.user_id = mine_id
        someone = factories.person(manager, "Autre", "Personne", id_number="X9")
        others = applications.create_draft(manager, call=_get(applications.Call, setup["call"]),
                                           lead=someone, project_type=ProjectType.INDIVIDUAL)
        submitted = applications.create_draft(
            manager, call=_get(applications.Call, setup["call"]), lead=lead,
            project_type=ProjectType.INDIVIDUAL)
        submitted.status = ApplicationStatus.SUBMITTED
        ids = {"others": others.id, "submitted": submitted.id}
    client = app.test_client()
    login(client, "mine")
    listed = client.get("/dossiers/")
    assert listed.status_code == 302 and listed.location.endswith("/dossiers/mes-dossiers")
    page = html.unescape(client.get("/dossiers/mes-dossiers").get_data(as_text=True))
    cards = dict(re.findall(r'data-dossier="(\d+)"(.*?)</article>', page, re.S))
    assert set(cards) == {str(setup["draft"]), str(ids["submitted"])}
    assert "Reçu, en cours de vérification" in cards[str(ids["submitted"])]
    assert ("Le bureau d'accueil vérifie que votre dossier est complet"
            in cards[str(ids["submitted"])])
    assert "Complétez votre dossier et soumettez-le." in cards[str(setup["draft"])]
    assert 'name="status"' not in page  # not the staff list's filters
    with app.test_request_context():
        assert all(status.next_step and status.plain_label for status in ApplicationStatus)


def test_intake_agents_are_limited_to_their_regions(app, client, login_as, setup):
    login_as(Role.INTAKE_AGENT, regions=("07",))
    assert client.get(f"/dossiers/{setup['draft']}").status_code == 404
    assert "Kanté" not in client.get("/dossiers/").get_data(as_text=True)


def test_an_agent_cannot_move_a_dossier_out_of_their_regions(app, client, login_as, setup):
    login_as(Role.INTAKE_AGENT, regions=("01",))
    page = client.post(f"/dossiers/{setup['draft']}/projet", data={"title": "X", "region_id": 8})
    assert "Choisissez une de vos régions" in html.unescape(page.get_data(as_text=True))
    with app.app_context():
        assert _get(Application, setup["draft"]).region_id == 2


def test_list_filters_counts_and_search(app, client, login_as, setup):
    with committed(app):
        manager = _get(User, setup["manager"])
        call = _get(applications.Call, setup["call"])
        woman = factories.person(manager, "Awa", "Traoré", id_number="W1", sex="F",
                                 phone="+22366554433")
        applications.submit(manager, factories.complete_dossier(manager, call, woman))
    login_as(Role.PROGRAMME_MANAGER)
    everything = client.get("/dossiers/").get_data(as_text=True)
    assert "2 résultat(s)" in everything
    submitted = client.get("/dossiers/?status=submitted").get_data(as_text=True)
    assert "1 résultat(s)" in submitted and "Awa Traoré" in submitted
    assert "Awa Traoré" in client.get("/dossiers/?sex=F").get_data(as_text=True)
    assert "Awa Traoré" not in client.get("/dossiers/?sex=M").get_data(as_text=True)
    for query in ("traore", "TRAORÉ", "66 55 44 33", "AP-"):
        found = client.get(f"/dossiers/?q={query}").get_data(as_text=True)
        assert "Awa Traoré" in found or query == "AP-", query


def test_export_lists_the_dossiers_as_numbers_and_text(app, client, login_as, setup):
    login_as(Role.PROGRAMME_MANAGER)
    sheet = openpyxl.load_workbook(io.BytesIO(download(client, "/dossiers/export.xlsx"))).active
    header = [cell.value for cell in sheet[1]]
    assert "Porteur" in header or "Lead" in header
    row = [cell.value for cell in sheet[2]]
    assert "Kanté" in " ".join(str(v) for v in row if v)
    assert sheet.freeze_panes == "A2"


def test_lists_do_not_issue_more_queries_as_dossiers_grow(app, client, login_as, setup):
    from tests.conftest import count_queries

    login_as(Role.PROGRAMME_MANAGER)

    def queries():
        counts = []
        for path in ("/dossiers/", "/beneficiaires/", "/dossiers/export.xlsx"):
            with count_queries(app) as n:
                download(client, path)
            counts.append(n[0])
        return counts

    client.get("/")  # the menu's reminder count, kept a while after the first page
    queries()  # and the regions of the filters, read once per process
    few = queries()
    with committed(app):
        manager = _get(User, setup["manager"])
        call = _get(applications.Call, setup["call"])
        for i in range(12):
            lead = factories.person(manager, f"Person{i}", "Growth", id_number=f"G{i}",
                                    phone=f"+2237650{i:04d}")
            applications.submit(manager, factories.complete_dossier(manager, call, lead))
    assert queries() == few


def test_the_upload_form_offers_the_missing_document_first(app, client, login_as, setup):
    login_as(Role.INTAKE_AGENT, regions=("01",))

    def chosen() -> list[str]:
        page = client.get(f"/dossiers/{setup['draft']}").get_data(as_text=True)
        select = re.search(r'<select[^>]*name="kind".*?</select>', page, re.S).group(0)
        return re.findall(r'<option selected value="([a-z_]+)"|<option value="([a-z_]+)" selected',
                          select)

    assert [a or b for a, b in chosen()] == ["id_scan"]  # the call requires id_scan, proforma
    _upload(client, setup["draft"], factories.PDF, "cni.pdf", kind="id_scan")
    assert [a or b for a, b in chosen()] == ["proforma"]

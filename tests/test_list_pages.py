"""Lists at national size (issue 12): the worklist and the finance home paginate, survival is
counted by the database; the same rows and figures as the former whole-list computations, and
the same number of SQL statements whatever the amount of data."""

import uuid
from datetime import date, timedelta

import pytest

from grants.extensions import db
from grants.models import Application, Call, Grant, GrantStatus, Region, Visit
from grants.vocabulary import ActivityStatus, Sector
from grants.workflow import VisitStatus
from tests.conftest import count_queries, login, statements_before_and_after
from tests.factories import make_followed_more, report, user


def _client(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _record(followed, grant, seq, status, validate=True):
    from grants.services.followup import visit_reports
    from grants.services.followup import visits as visit_service

    visit = db.session.scalar(db.select(Visit).where(Visit.grant_id == grant.id,
                                                     Visit.seq == seq))
    visit_reports.submit_visit(user(followed, "field"), visit.id,
                               report(visit, activity_status=status), str(uuid.uuid4()))
    db.session.commit()
    if validate:
        visit_service.validate_visit(user(followed, "manager"), visit.id)
        db.session.commit()


def _survival_by_python(actor, months, by, today):
    """The former computation: every visit up to the milestone read, grouped in Python."""
    from grants.permissions import Permission, region_scope
    from grants.services.followup.monitoring import DEFINITIVE_STOPS

    group = {"region": Region.name, "sector": Application.sector, "call": Call.title}[by]
    query = (db.select(Visit.grant_id, Visit.months, Visit.status, Visit.activity_status,
                       Visit.due_on, Grant.status, group)
             .join(Grant, Grant.id == Visit.grant_id)
             .join(Application, Application.id == Visit.application_id)
             .join(Region, Region.id == Visit.region_id)
             .join(Call, Call.id == Application.call_id)
             .where(Visit.seq.is_not(None), Visit.months <= months))
    regions = region_scope(actor, Permission.VISIT_VIEW)
    if regions is not None:
        query = query.where(Visit.region_id.in_(regions))
    projects: dict = {}
    for grant_id, at, status, found, due_on, grant_status, label in db.session.execute(query):
        project = projects.setdefault(grant_id, {"label": label, "milestone": None,
                                                 "stopped_before": False,
                                                 "cancelled": grant_status == GrantStatus.CANCELLED})
        validated = status == VisitStatus.VALIDATED
        if at == months:
            project["milestone"] = (due_on, found if validated else None)
        elif validated and found in DEFINITIVE_STOPS:
            project["stopped_before"] = True
    figures: dict = {}
    for project in projects.values():
        if project["milestone"] is None:
            continue
        due_on, found = project["milestone"]
        label = project["label"]
        if by == "sector":
            label = Sector(label).label if label else "—"
        row = figures.setdefault(str(label), [0, 0, 0, 0])
        row[0] += 1
        row[1] += due_on <= today
        stopped = project["cancelled"] or project["stopped_before"]
        known = stopped or (found is not None and found.operating is not None)
        row[2] += known
        row[3] += bool(known and not stopped and found.operating)
    return sorted((label, *numbers) for label, numbers in figures.items())


def test_survival_counted_by_the_database_equals_the_visit_by_visit_computation(app, followed):
    from grants.services.followup import monitoring
    from grants.services.money import agreements

    make_followed_more(app, followed, 6)
    with app.app_context():
        grants = db.session.scalars(db.select(Grant).order_by(Grant.id)).all()
        _record(followed, grants[0], 3, ActivityStatus.STABLE)
        _record(followed, grants[1], 2, ActivityStatus.ABANDONED)
        agreements.cancel_grant(user(followed, "manager"), grants[2].id, "Abandon",
                                str(uuid.uuid4()))
        db.session.commit()
        _record(followed, grants[3], 3, ActivityStatus.UNREACHABLE)
        _record(followed, grants[4], 2, ActivityStatus.REMIGRATED)
        _record(followed, grants[4], 3, ActivityStatus.GROWING)  # stopped before: not running
        _record(followed, grants[5], 3, ActivityStatus.GROWING, validate=False)  # not observed
        _record(followed, grants[6], 3, ActivityStatus.IN_DIFFICULTY)
        manager, far = user(followed, "manager"), user(followed, "far")
        for today in (date.today(), date.today() + timedelta(days=400)):
            for months in (6, 12):
                for by in monitoring.GROUPINGS:
                    expected = _survival_by_python(manager, months, by, today)
                    rows = monitoring.survival(manager, months, by, today)
                    assert [(r.label, r.funded, r.due, r.observed, r.operating)
                            for r in rows] == expected
                    assert monitoring.survival(far, months, by, today) == []
        at_six = monitoring.survival(manager, 6, "region", date.today())
        assert [(r.funded, r.observed, r.operating) for r in at_six] == [(7, 5, 2)]


def _worklist_by_python(actor, today):
    """The former worklist: every open or submitted visit read, grouped by section."""
    from flask import current_app

    from grants.permissions import Permission, region_scope

    soon = today + timedelta(days=current_app.config["VISIT_DUE_SOON_DAYS"])
    query = db.select(Visit).where(db.or_(
        db.and_(Visit.status == VisitStatus.PLANNED, Visit.due_on <= today + timedelta(days=60)),
        Visit.status == VisitStatus.SUBMITTED))
    regions = region_scope(actor, Permission.VISIT_VIEW)
    if regions is not None:
        query = query.where(Visit.region_id.in_(regions))
    sections: dict = {"to_validate": [], "overdue": [], "due": [], "upcoming": []}
    for visit in db.session.scalars(query.order_by(Visit.due_on, Visit.id)).unique():
        if visit.status == VisitStatus.SUBMITTED:
            sections["to_validate"].append(visit.id)
        elif visit.due_on < today:
            sections["overdue"].append(visit.id)
        elif visit.due_on <= soon:
            sections["due"].append(visit.id)
        else:
            sections["upcoming"].append(visit.id)
    return sections


@pytest.mark.parametrize("today_shift", [0, 200])
def test_the_worklist_pages_hold_every_visit_of_the_former_list_once(app, followed, monkeypatch,
                                                                     today_shift):
    from grants.services.followup import monitoring

    make_followed_more(app, followed, 3)
    monkeypatch.setattr(monitoring, "WORKLIST_PAGE_ROWS", 3)
    with app.app_context():
        grants = db.session.scalars(db.select(Grant).order_by(Grant.id)).all()
        _record(followed, grants[1], 1, ActivityStatus.STABLE, validate=False)
        manager = user(followed, "manager")
        today = date.today() + timedelta(days=today_shift)
        expected = _worklist_by_python(manager, today)
        assert sum(map(len, expected.values())) > 3  # more than one page
        seen: dict = {name: [] for name in monitoring.SECTIONS}
        first = monitoring.worklist(manager, today)
        for number in range(1, first.page.pages + 1):
            work = monitoring.worklist(manager, today, page=number)
            assert work.counts == {name: len(ids) for name, ids in expected.items()}
            for name in monitoring.SECTIONS:
                seen[name] += [v.id for v in work.sections.get(name, [])]
        assert seen == expected
        assert monitoring.worklist(user(followed, "far"), today).empty


def test_the_worklist_page_shows_each_section_total_and_links_the_next_page(app, followed,
                                                                            monkeypatch):
    from grants.services.followup import monitoring

    make_followed_more(app, followed, 2)
    monkeypatch.setattr(monitoring, "WORKLIST_PAGE_ROWS", 2)
    page = _client(app, "manager").get("/suivi/").get_data(as_text=True)
    assert 'href="/suivi/?page=2"' in page
    assert page.count("list-group-item") == 2


def test_the_finance_home_pages_list_every_agreement_once(app, followed, monkeypatch):
    from grants.blueprints.finance import views

    make_followed_more(app, followed, 2)
    monkeypatch.setattr(views, "FINANCE_PAGE_ROWS", 1)
    client = _client(app, "officer")
    with app.app_context():
        numbers = db.session.scalars(db.select(Grant.number)).all()
    shown = []
    for number in range(1, len(numbers) + 1):
        page = client.get(f"/finances/?page={number}").get_data(as_text=True)
        shown += [n for n in numbers if f'<tr data-agreement="{n}">' in page]
    assert sorted(shown) == sorted(numbers)
    assert "/finances/?page=2" in client.get("/finances/").get_data(as_text=True)


@pytest.mark.parametrize(("username", "url"), [
    ("officer", "/finances/"), ("manager", "/suivi/"), ("manager", "/suivi/charge"),
    ("manager", "/suivi/survie"), ("field", "/suivi/")])
def test_list_pages_run_as_many_statements_whatever_the_data(app, followed, username, url):
    def more():
        make_followed_more(app, followed, 3)
        with app.app_context():  # visits submitted by another officer, one validated
            grants = db.session.scalars(db.select(Grant).order_by(Grant.id.desc())).all()
            _record(followed, grants[0], 1, ActivityStatus.STABLE, validate=False)
            _record(followed, grants[1], 1, ActivityStatus.STABLE)

    few, many = statements_before_and_after(app, _client(app, username), url, more)
    assert many == few


def test_the_referral_list_does_not_load_the_people_of_each_referral(app, followed):
    """From no referral to referrals by several users for several returnees: no statement
    more (the people's roles, regions and consents are not loaded)."""
    from grants.models import Beneficiary, Partner
    from grants.services.followup import referrals
    from grants.vocabulary import ReferralService

    with app.app_context():
        partner_id = referrals.save_partner(user(followed, "manager"), Partner(), name="P",
                                            services=["legal"]).id
        db.session.commit()

    def refer(by):
        with app.app_context():
            for grant in db.session.scalars(db.select(Grant)):
                visit = db.session.scalar(db.select(Visit).where(Visit.grant_id == grant.id))
                referrals.refer(user(followed, by), db.session.get(
                    Beneficiary, visit.application.lead_id),
                    partner=db.session.get(Partner, partner_id),
                    service=ReferralService.LEGAL, reason="Droit", visit=visit)
            db.session.commit()

    def more():  # the first referrals: by the officer who reads the list and by another user
        make_followed_more(app, followed, 2)
        refer("field")
        refer("manager")

    few, many = statements_before_and_after(app, _client(app, "field"), "/suivi/orientations", more)
    assert many == few


@pytest.mark.parametrize("username", ["officer", "accountant"])
def test_the_finance_home_runs_as_many_statements_from_no_agreement_to_several(app, money,
                                                                              username):
    from tests.factories import ordered_first_tranche, prepared_agreement, signed_agreement

    def more():
        with app.app_context():
            prepared_agreement(money, 0)
            signed_agreement(money, 1)
            ordered_first_tranche(money, 2)

    few, many = statements_before_and_after(app, _client(app, username), "/finances/", more)
    assert many == few


def test_the_register_page_rows_equal_the_first_rows_of_the_whole_register(app, money,
                                                                          monkeypatch):
    """Read from the operations up to the last row shown, the first rows keep the running
    totals (paid to date, left on the agreement, available on the envelope) of the whole
    register; filtered, the whole register is read."""
    from grants.exports.ledger import rows
    from grants.services.money import agreements, payments
    from grants.services.money.register import RegisterFilters
    from tests.factories import key, ordered_first_tranche, signed_agreement

    with app.app_context():
        accountant = user(money, "accountant")
        first = ordered_first_tranche(money, 0)
        paid = payments.pay_ordered(accountant, first, key(), "VIR-1")
        db.session.commit()
        signed_agreement(money, 1, amount=1_500_000)
        payments.reverse_payment(accountant, paid.id, "Erreur de compte", key())
        db.session.commit()
        second = ordered_first_tranche(money, 2)
        payments.pay_ordered(accountant, second, key(), "VIR-2")
        db.session.commit()
        agreements.cancel_grant(user(money, "manager"), db.session.scalar(db.select(Grant.id).where(
            Grant.amount == 1_500_000)), "Abandon", key())
        db.session.commit()
        whole = list(rows(RegisterFilters()))
        assert len(whole) >= 7
        for count in range(1, len(whole) + 2):
            assert list(rows(RegisterFilters(first_rows=count)))[:count] == whole[:count]
        payments_only = list(rows(RegisterFilters(step="payment", first_rows=1)))
        assert len(payments_only) == 2 and all(row in whole for row in payments_only)


def test_the_register_page_shows_its_movements_a_page_at_a_time(app, money, monkeypatch):
    from grants.blueprints.finance import views
    from tests.factories import signed_agreement

    with app.app_context():
        for n in range(3):
            signed_agreement(money, n, amount=1_000_000 + n)
    monkeypatch.setattr(views, "REGISTER_PAGE_ROWS", 2)
    client = _client(app, "officer")
    first = client.get("/finances/registre").get_data(as_text=True)
    assert "Mouvements 1 à 2" in first and 'href="/finances/registre?page=2"' in first
    second = client.get("/finances/registre?page=2").get_data(as_text=True)
    assert "Mouvements 3 à 3" in second and "page=1" in second and "page=3" not in second
    assert "1 000 002" in second.replace("\u202f", " ").replace("\xa0", " ")
    for garbage in ("0", "-4", "x", "99999999999"):
        assert client.get(f"/finances/registre?page={garbage}").status_code == 200


def test_a_result_file_sent_again_is_answered_from_the_batch_in_as_many_statements(app, money):
    import io

    from tests.factories import ordered_wallet_tranches

    tranches = ordered_wallet_tranches(app, money)
    officer, accountant = _client(app, "officer"), _client(app, "accountant")
    batch_path = officer.post("/finances/lots/nouveau?operator=orange_money", data={
        "tranches": [t for t, _ in tranches]}).headers["Location"]
    accountant.post(batch_path + "/approuver")

    def send(lines):
        text = "reference;status;transaction\n" + "".join(lines)
        response = accountant.post(batch_path + "/resultats", data={
            "file": (io.BytesIO(text.encode()), "r.csv")}, content_type="multipart/form-data")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    both = [f"{tranches[0][1]};OK;TX-1\n", f"{tranches[1][1]};FAILED;\n"]
    first = send(both)
    assert "Payé" in first and "Échec" in first
    with count_queries(app) as few:
        once = send(both[:1])
    with count_queries(app) as many:
        often = send(both * 4 + ["nope;OK;X\n"])
    # each line, and once in the summary of outcomes
    assert once.count("Déjà enregistré") == 2 and often.count("Déjà enregistré") == 9
    assert "Aucune ligne de ce lot n&#39;a cette référence" in often
    assert many[0] == few[0]

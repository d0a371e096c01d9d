"""The donor and CNRM indicator report (grants/reporting/indicators.py, grants/exports/
indicators.py): figures against a scenario counted by hand, small cells, money against the
ledger, the frozen versions and their hash, the viewer's scope, the pages."""

import hashlib
import io
import re
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from grants.extensions import db
from grants.models import (
    Account,
    BudgetEnvelope,
    IndicatorReport,
    IndicatorReportFile,
    LedgerEntry,
    Partner,
    Role,
    User,
)
from grants.reporting import indicators
from grants.reporting.breakdowns import TOTAL
from grants.reporting.filters import ReportFilter
from grants.reporting.issued import file_path
from grants.services.followup import referrals
from grants.services.intake import applications
from grants.services.money import agreements
from grants.vocabulary import ReferralService, Sex
from grants.workflow import ApplicationAction
from tests import factories
from tests.conftest import committed, login

TODAY = date.today()


def born(age: int) -> date:
    return date(TODAY.year - age, 1, 15)


@pytest.fixture
def programme(app, make_user):
    """Counted by hand: seven women of 20 in Kayes (01), one man of 30 in Kayes, one woman of
    40 in Gao (07). Women 1 and 2 and the man have dossiers, selected; woman 1's agreement
    (1 000 000) is signed and its first tranche (600 000) paid by bank; the man's agreement
    (1 000 000) is signed, nothing paid. Women 2 to 6 are referred to psychosocial support, the
    woman of Gao to health care."""
    ids = {"manager": make_user(Role.PROGRAMME_MANAGER, username="manager"),
           "officer": make_user(Role.FINANCE_OFFICER, username="officer"),
           "accountant": make_user(Role.ACCOUNTANT, username="accountant"),
           "kayes": make_user(Role.INTAKE_AGENT, regions=("01",), username="kayes")}
    with committed(app):
        manager, officer, accountant = (db.session.get(User, ids[name])
                                        for name in ("manager", "officer", "accountant"))
        call = factories.open_call(manager)
        people = [(f"Femme{n}", Sex.FEMALE, 20, "01") for n in range(7)]
        people += [("Bakary", Sex.MALE, 30, "01"), ("Coumba", Sex.FEMALE, 40, "07")]
        persons = {name: factories.person(manager, name, "Test", id_number=f"ID{n}", sex=sex,
                                          birth_date=born(age),
                                          region_id=factories.region(code).id)
                   for n, (name, sex, age, code) in enumerate(people)}
        dossiers = {}
        for name in ("Femme0", "Femme1", "Bakary"):
            dossier = factories.eligible_dossier(manager, call, persons[name])
            dossier.region_id = persons[name].region_id
            applications.transition(manager, dossier, ApplicationAction.START_REVIEW)
            applications.transition(manager, dossier, ApplicationAction.SELECT)
            dossiers[name] = dossier
        db.session.commit()
        factories.funded_grant(officer, accountant, dossiers["Femme0"], paid_on=factories.PAID_ON)
        grant_id = factories.prepared_agreement(
            {"officer": ids["officer"], "applications": [dossiers["Bakary"].id]}, 0, 1_000_000)
        agreements.sign_agreement(officer, grant_id, TODAY, factories.key())
        partner = referrals.save_partner(
            manager, Partner(), name="Centre d'écoute", region_id=None,
            services=[s.value for s in ReferralService], contact_name="", phone="", email="",
            address="", active=True)
        for name, service in [(f"Femme{n}", ReferralService.PSYCHOSOCIAL) for n in range(2, 7)] \
                + [("Coumba", ReferralService.HEALTH)]:
            referrals.refer(manager, persons[name], partner=partner, service=service,
                            reason="Soutien")
        db.session.commit()
        ids.update(envelope=call.envelope_id, call=call.id)
    return ids


def report_for(ids, name="manager", **chosen):
    user = db.session.get(User, ids[name])
    return indicators.build(ReportFilter.for_viewer(user, **chosen), TODAY)


def table(report, section: str, key: str) -> indicators.Table:
    found = next(s for s in report.sections if s.key == section)
    return next(t for t in found.tables if t.key == key)


def test_the_figures_are_those_counted_by_hand(app, programme):
    with app.test_request_context():
        report = report_for(programme)
        reach = table(report, "reach", "reach").raw
        assert (reach.loc["registered", "F"], reach.loc["registered", "M"],
                reach.loc["registered", TOTAL]) == (8, 1, 9)
        assert reach.loc["with_consent", TOTAL] == 9 and reach.loc["verified", TOTAL] == 0
        cross = table(report, "reach", "registered_by_region").raw
        assert cross.loc["01", "F|18-24"] == 7 and cross.loc["01", "M|25-35"] == 1
        assert cross.loc["07", "F|36+"] == 1 and cross.loc[TOTAL, TOTAL] == 9
        pipeline = table(report, "pipeline", "pipeline").raw
        assert pipeline[TOTAL].to_dict() == {"submitted": 3, "eligible": 3, "selected": 3,
                                             "waitlisted": 0, "not_selected": 0}
        assert table(report, "pipeline", "by_sector").raw.loc["tailoring", "submitted"] == 3
        money = table(report, "money", "money").raw
        assert (money.loc["committed", "F"], money.loc["committed", "M"]) == (1_000_000,
                                                                             1_000_000)
        assert (money.loc["committed", TOTAL], money.loc["disbursed", TOTAL]) == (2_000_000,
                                                                                 600_000)
        assert table(report, "money", "by_channel").raw.loc["bank", "disbursed"] == 600_000
        tranches = table(report, "money", "tranches").raw.loc[TOTAL]
        assert (tranches.ordered, tranches.on_time, tranches.late) == (1, 1, 0)
        jobs = table(report, "outcomes", "jobs").raw
        assert (jobs.loc["planned", "jobs"], jobs.loc["found", "jobs"]) == (4, 0)
        survival = table(report, "outcomes", "survival").raw
        assert survival.loc["M+6", "followed"] == 1 and survival.loc["M+12", "observed"] == 0
        assert all(str(column.dtype) == "Int64" for _name, column in money.items())
        referred = table(report, "referrals", "by_service").raw
        assert (referred.loc["psychosocial", "proposed"], referred.loc["health", "proposed"],
                referred.loc[TOTAL, TOTAL]) == (5, 1, 6)
        assert table(report, "referrals", "by_region").raw.loc["01", "F|18-24"] == 5


def test_a_tranche_is_late_past_the_configured_days_after_its_order(app, programme):
    """The paid tranche was ordered today and paid (back-dated) 100 days ago: on time with the
    default 15 days; with a limit of -101 days it is late."""
    with app.test_request_context():
        assert table(report_for(programme), "money", "tranches").raw.loc[TOTAL, "late"] == 0
        app.config["REPORT_LATE_DAYS"] = -101
        late = table(report_for(programme), "money", "tranches").raw.loc[TOTAL]
        assert (late.on_time, late.late, late.waiting_late) == (0, 1, 0)


def test_small_cells_are_hidden_in_what_leaves_the_office(app, programme):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        report = report_for(programme)
        shown = table(report, "reach", "registered_by_region").shown
        assert shown.loc["Kayes", "Homme 25–35 ans"] == "< 5"
        # 7 women alone would give the man away through the total 8: hidden too.
        assert shown.loc["Kayes", "Femme 18–24 ans"] == "< 5"
        assert shown.loc["Total", "Femme 18–24 ans"] == 7 and shown.loc["Total", "Total"] == 9
        for section in report.sections:
            for item in section.tables:
                values = [v for v in item.shown.to_numpy().ravel() if isinstance(v, int)]
                if item.kind == indicators.PEOPLE:
                    assert all(v == 0 or v >= 5 for v in values), (section.key, item.key)
        referred = table(report, "referrals", "by_service").shown
        # 1 referral to health is hidden, and the 5 of its column with it (else 6 - 5 = 1).
        assert referred.loc["Santé", "Proposée"] == "< 5"
        assert referred.loc["Soutien psychosocial", "Proposée"] == "< 5"
        assert referred.loc["Total", "Total"] == 6
        # Amounts of fewer than 5 agreements are hidden with them.
        money = table(report, "money", "money").shown
        assert set(money.to_numpy().ravel()) == {"< 5"}


def test_money_equals_the_ledger_for_the_same_filter(app, programme):
    def ledger(account: str, region=None) -> int:
        from grants.models import Application, Grant

        query = (sa.select(LedgerEntry.side, LedgerEntry.amount)
                 .join(Grant, Grant.id == LedgerEntry.grant_id)
                 .join(Application, Application.id == Grant.application_id)
                 .where(LedgerEntry.account == account))
        if region is not None:
            query = query.where(Application.region_id == region)
        return sum(a if side == "D" else -a for side, a in db.session.execute(query))

    with app.test_request_context():
        envelope = db.session.get(BudgetEnvelope, programme["envelope"])
        for region in (None, factories.region("01").id, factories.region("07").id):
            report = report_for(programme, region_id=region)
            money = table(report, "money", "money").raw
            assert money.loc["disbursed", TOTAL] == ledger(Account.SPENT, region)
            assert money.loc["committed", TOTAL] == ledger(Account.COMMITTED, region) \
                + money.loc["disbursed", TOTAL]
        envelope_table = table(report_for(programme), "money", "envelope").raw[TOTAL]
        assert envelope_table["available"] == envelope.total - envelope.committed
        assert envelope_table["disbursed"] == envelope.disbursed


def test_an_intake_agent_sees_the_figures_of_their_regions_only(app, programme):
    with app.test_request_context():
        report = report_for(programme, "kayes")
        assert table(report, "reach", "reach").raw.loc["registered", TOTAL] == 8
        assert table(report, "money", "envelope").raw[TOTAL].isna()["available"]
        gao = report_for(programme, "kayes", region_id=factories.region("07").id)
        assert table(gao, "reach", "reach").raw.loc["registered", TOTAL] == 0


def _issue(client, **fields) -> int:
    data = {"start": "", "end": "", "envelope_id": "0", "call_id": "0", "region_id": "0"}
    response = client.post("/rapports/indicateurs/emettre", data={**data, **fields})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    job = int(re.fullmatch(r"/telechargements/(\d+)", response.location).group(1))
    state = client.get(f"/telechargements/{job}/etat.json").get_json()
    assert state["status"] == "done", state
    return job


def test_an_issued_version_is_frozen_with_the_hash_of_its_files(app, programme):
    manager = app.test_client()
    login(manager, "manager")
    with app.app_context():
        kayes = factories.region("01").id
    _issue(manager)
    _issue(manager, region_id=str(kayes), end=TODAY.isoformat())
    with app.app_context():
        first, second = db.session.scalars(sa.select(IndicatorReport)
                                           .order_by(IndicatorReport.version)).all()
        assert (first.version, second.version, first.issued_by.username) == (1, 2, "manager")
        assert second.filters["region_id"] == kayes
        files = {f.format: f for f in first.files}
        assert set(files) == {"xlsx", "pdf", "csv"}
        for stored in files.values():
            data = file_path(stored).read_bytes()
            assert hashlib.sha256(data).hexdigest() == stored.sha256 and len(data) == stored.size
        before = {f.format: f.sha256 for f in first.files}
        with pytest.raises(sa.exc.DatabaseError):
            db.session.execute(sa.update(IndicatorReportFile).values(sha256="0" * 64))
        db.session.rollback()
        with pytest.raises(sa.exc.DatabaseError):
            db.session.execute(sa.delete(IndicatorReport))
        db.session.rollback()
        assert {f.format: f.sha256 for f in db.session.get(IndicatorReport, first.id).files} \
            == before
        first_id, second_id = first.id, second.id
    response = manager.get(f"/rapports/indicateurs/{first_id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert hashlib.sha256(response.data).hexdigest() == before["pdf"]
    response.close()
    csv = manager.get(f"/rapports/indicateurs/{first_id}.csv")
    text = csv.data.decode("utf-8-sig")
    csv.close()
    assert text.startswith("Section;Tableau;") and "reach;registered_by_region;" in text
    assert "< 5" in text
    # An intake agent of Kayes sees the Kayes version, not the national one.
    agent = app.test_client()
    login(agent, "kayes")
    page = agent.get("/rapports/indicateurs").get_data(as_text=True)
    assert "Version 2" in page and "Version 1" not in page
    assert "Émettre" not in page  # no form without REPORT_ISSUE
    assert agent.get(f"/rapports/indicateurs/{first_id}.xlsx").status_code == 404
    response = agent.get(f"/rapports/indicateurs/{second_id}.xlsx")
    assert response.status_code == 200
    response.close()


def test_the_workbook_has_a_sheet_and_a_chart_per_section_and_a_method(app, programme):
    manager = app.test_client()
    login(manager, "manager")
    _issue(manager)
    with app.app_context():
        report_id = db.session.scalar(sa.select(IndicatorReport.id))
    response = manager.get(f"/rapports/indicateurs/{report_id}.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    response.close()
    assert workbook.sheetnames[-1] == "Méthode"
    assert len(workbook.sheetnames) == 7
    for sheet in workbook.worksheets[:-1]:
        assert len(sheet._charts) == 1, sheet.title
    money = workbook.worksheets[2]
    values = [cell for row in money.iter_rows(values_only=True) for cell in row]
    assert 98_000_000 in values and 600_000 in values  # available; disbursed (envelope)
    assert "< 5" in values
    assert not any(isinstance(v, float) for v in values)  # francs are whole numbers
    method = [row for row in workbook["Méthode"].iter_rows(values_only=True) if row[0]]
    assert len(method) > 20


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"start": "2026-05-01", "end": "2026-04-01"}, "end", "précède"),
    ({"start": "1890-01-01"}, "start", "2000"),
    ({"region_id": "abc"}, "region_id", None),
    ({"call_id": "999999"}, "call_id", None),
])
def test_bad_filters_are_refused_at_their_field(app, programme, fields, field, message):
    manager = app.test_client()
    login(manager, "manager")
    data = {"start": "", "end": "", "envelope_id": "0", "call_id": "0", "region_id": "0"}
    response = manager.post("/rapports/indicateurs/emettre", data={**data, **fields})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}"' in page and "is-invalid" in page
    if message:
        assert message in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(IndicatorReport.id))) == 0

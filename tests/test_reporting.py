"""The reporting layer (grants/reporting/): breakdowns, the viewer's scope, facts against a
scenario counted by hand, money against the ledger, small cells."""

from datetime import date, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from grants.extensions import db
from grants.models import Account, Application, BudgetEnvelope, LedgerEntry, Role, User
from grants.reporting import facts, money_facts
from grants.reporting.breakdowns import TOTAL, UNKNOWN, age_bands, period_code
from grants.reporting.filters import ReportFilter
from grants.reporting.frames import hide_small_cells, label, pivot
from grants.services.intake import applications
from grants.vocabulary import Sex
from grants.workflow import ApplicationAction
from tests import factories
from tests.conftest import committed

TODAY = date.today()


def born(age: int) -> date:
    return date(TODAY.year - age, 1, 15)


@pytest.fixture
def programme(app, make_user):
    """Four returnees counted by hand:
    Awa (F, 20, Kayes 01): dossier selected, agreement of 1 000 000 signed, first tranche
    (60 %: 600 000) paid by bank; Bakary (M, 30, Kayes): dossier selected, agreement of
    1 000 000 signed, nothing paid; Coumba (F, 40, Gao 07): dossier eligible; Drissa (M, 30,
    Gao): registered, no dossier."""
    ids = {"manager": make_user(Role.PROGRAMME_MANAGER, username="manager"),
           "officer": make_user(Role.FINANCE_OFFICER, username="officer"),
           "accountant": make_user(Role.ACCOUNTANT, username="accountant"),
           "kayes": make_user(Role.INTAKE_AGENT, regions=("01",), username="kayes")}
    with committed(app):
        manager, officer, accountant = (db.session.get(User, ids[name])
                                        for name in ("manager", "officer", "accountant"))
        call = factories.open_call(manager)
        people = {
            name: factories.person(manager, name, "Test", id_number=f"ID{n}", sex=sex,
                                   birth_date=born(age),
                                   region_id=factories.region(code).id)
            for n, (name, sex, age, code) in enumerate([
                ("Awa", Sex.FEMALE, 20, "01"), ("Bakary", Sex.MALE, 30, "01"),
                ("Coumba", Sex.FEMALE, 40, "07"), ("Drissa", Sex.MALE, 30, "07")])}
        dossiers = {}
        for name in ("Awa", "Bakary", "Coumba"):
            dossier = factories.eligible_dossier(manager, call, people[name])
            dossier.region_id = people[name].region_id
            dossiers[name] = dossier
        for name in ("Awa", "Bakary"):
            applications.transition(manager, dossiers[name], ApplicationAction.START_REVIEW)
            applications.transition(manager, dossiers[name], ApplicationAction.SELECT)
        db.session.commit()
        factories.funded_grant(officer, accountant, dossiers["Awa"], paid_on=factories.PAID_ON)
        grant_id = factories.prepared_agreement(
            {"officer": ids["officer"], "applications": [dossiers["Bakary"].id]}, 0, 1_000_000)
        from grants.services.money import agreements
        agreements.sign_agreement(officer, grant_id, TODAY, factories.key())
        db.session.commit()
        ids.update(envelope=call.envelope_id, call=call.id)
    return ids


def viewer(ids, name) -> User:
    return db.session.get(User, ids[name])


def as_dict(frame: pd.DataFrame, key: str, measure: str) -> dict:
    return {str(k): int(v) for k, v in zip(frame[key], frame[measure], strict=True)}


def test_the_registry_is_counted_by_region_sex_and_age_band(app, programme):
    with app.test_request_context():
        everyone = ReportFilter.for_viewer(viewer(programme, "manager"))
        totals = facts.REGISTRATIONS.read(everyone)
        assert totals.loc[0, "registered"] == 4
        assert totals.loc[0, "with_consent"] == 4
        regions = as_dict(facts.REGISTRATIONS.read(everyone, ["region"]), "region", "registered")
        assert regions["01"] == 2 and regions["07"] == 2 and regions["00"] == 0
        assert len(regions) == 20  # every region listed, none "not recorded"
        table = pivot(facts.REGISTRATIONS.read(everyone, ["sex", "age_band"]), "age_band", "sex",
                      "registered")
        assert table.loc["18-24", "F"] == 1 and table.loc["36+", "F"] == 1
        assert table.loc["25-35", "M"] == 2 and table.loc["25-35", "F"] == 0
        assert table.loc[TOTAL, TOTAL] == 4 and table.loc[TOTAL, "F"] == 2
        youth = as_dict(facts.REGISTRATIONS.read(everyone, ["youth"]), "youth", "registered")
        assert youth == {"youth": 3, "not_youth": 1}


def test_the_funnel_never_widens_and_counts_each_stage(app, programme):
    with app.test_request_context():
        frame = facts.DOSSIERS.read(ReportFilter.for_viewer(viewer(programme, "manager")),
                                    ["region"])
        kayes = frame[frame.region == "01"].iloc[0]
        gao = frame[frame.region == "07"].iloc[0]
        assert (kayes.submitted, kayes.eligible, kayes.selected, kayes.funded) == (2, 2, 2, 2)
        assert (gao.submitted, gao.eligible, gao.selected, gao.funded) == (1, 1, 0, 0)
        assert frame.requested.sum() == 3_000_000
        assert frame.requested.dtype == "Int64"


def test_a_withdrawn_dossier_keeps_the_stages_its_history_shows(app, programme):
    """Coumba's dossier, eligible, is taken to review, selected, then withdrawn: its status
    says nothing of it, its history says it was eligible and selected."""
    with committed(app):
        manager = viewer(programme, "manager")
        coumba = db.session.scalar(db.select(Application).where(
            Application.region_id == factories.region("07").id))
        applications.transition(manager, coumba, ApplicationAction.START_REVIEW)
        applications.transition(manager, coumba, ApplicationAction.SELECT)
        applications.transition(manager, coumba, ApplicationAction.WITHDRAW, "Left")
    with app.test_request_context():
        flt = ReportFilter.for_viewer(viewer(programme, "manager"))
        for measures in (None, ["eligible", "selected", "funded"]):
            gao = facts.DOSSIERS.read(flt, ["region"], measures)
            gao = gao[gao.region == "07"].iloc[0]
            assert (gao.eligible, gao.selected, gao.funded) == (1, 1, 0)


def test_money_figures_equal_the_ledger_for_the_same_filter(app, programme):
    with app.test_request_context():
        everyone = ReportFilter.for_viewer(viewer(programme, "manager"))
        money = money_facts.MONEY.read(everyone, ["envelope"])
        envelope = db.session.get(BudgetEnvelope, programme["envelope"])
        row = money[money.envelope == str(envelope.id)].iloc[0]
        assert (row.committed, row.disbursed) == (2_000_000, 600_000)
        assert (row.committed, row.disbursed) == (envelope.committed, envelope.disbursed)
        legs = db.session.execute(db.select(LedgerEntry.side, LedgerEntry.amount).where(
            LedgerEntry.envelope_id == envelope.id, LedgerEntry.account == Account.SPENT)).all()
        assert sum(a if side == "D" else -a for side, a in legs) == row.disbursed
        by_region = as_dict(money_facts.MONEY.read(everyone, ["region"]), "region", "disbursed")
        assert by_region["01"] == 600_000 and sum(by_region.values()) == 600_000
        by_channel = as_dict(money_facts.MONEY.read(everyone, ["channel"]), "channel", "disbursed")
        assert by_channel["bank"] == 600_000
        appropriated = money_facts.APPROPRIATIONS.read(everyone, ["envelope"])
        assert appropriated[appropriated.envelope == str(envelope.id)].appropriated.iloc[0] \
            == envelope.total
        assert all(money[column].dtype == "Int64" for column in ("committed", "disbursed"))
        assert all(isinstance(value, int) for value in money.disbursed.tolist())


def test_money_by_month_follows_the_value_dates(app, programme):
    with app.test_request_context():
        flt = ReportFilter.for_viewer(viewer(programme, "manager"), granularity="month")
        money = money_facts.MONEY.read(flt, ["period"])
        paid_month = period_code(factories.PAID_ON.strftime("%Y-%m"), "month")
        assert as_dict(money, "period", "disbursed")[paid_month] == 600_000
        after = flt.but(start=factories.PAID_ON + timedelta(days=1))
        assert money_facts.MONEY.read(after).disbursed.iloc[0] == 0


def test_an_intake_agent_sees_only_the_figures_of_their_regions(app, programme):
    with app.test_request_context():
        agent = ReportFilter.for_viewer(viewer(programme, "kayes"))
        assert agent.scope is not None
        assert facts.REGISTRATIONS.read(agent).registered.iloc[0] == 2
        regions = as_dict(facts.DOSSIERS.read(agent, ["region"]), "region", "submitted")
        assert regions["01"] == 2 and regions["07"] == 0
        # Asking for another region through the address gives nothing, not that region.
        elsewhere = agent.but(region_id=factories.region("07").id)
        assert facts.REGISTRATIONS.read(elsewhere).registered.iloc[0] == 0
        assert money_facts.MONEY.read(elsewhere).disbursed.iloc[0] == 0


def test_scores_and_survival_read_with_the_survival_pages_definition(app, programme):
    with app.test_request_context():
        flt = ReportFilter.for_viewer(viewer(programme, "manager"))
        survival = facts.survival(6, TODAY).read(flt)
        assert survival.followed.iloc[0] == 1  # Awa's M+6 visit, planned by her payment
        assert survival.observed.iloc[0] == 0
        scores = facts.means(facts.SCORES.read(flt, ["visit"]))
        assert scores.empty or scores.composite.isna().all()  # nothing validated yet


def test_age_bands_come_from_the_configuration(app):
    with app.app_context():
        assert [code for code, _low, _high in age_bands()] == ["0-17", "18-24", "25-35", "36+"]
        app.config["REPORT_AGE_BANDS"] = (15, 36)
        assert [code for code, _low, _high in age_bands()] == ["0-14", "15-35", "36+"]


@pytest.mark.parametrize(("month", "granularity", "code"), [
    ("2026-05", "month", "2026-05"), ("2026-05", "quarter", "2026-Q2"),
    ("2026-07", "semester", "2026-S2"), ("2026-12", "year", "2026")])
def test_periods_roll_months_up(month, granularity, code):
    assert period_code(month, granularity) == code


def test_small_cells_are_hidden_with_a_second_cell_on_their_line(app):
    table = pd.DataFrame({"F": [3, 12, 0], "M": [20, 14, 6]}, index=["01", "02", "03"],
                         dtype="Int64")
    table[TOTAL] = table.sum(axis=1)
    table.loc[TOTAL] = table.sum(axis=0)
    shown = hide_small_cells(table.astype("Int64"), 5)
    assert shown.loc["01", "F"] == "< 5"
    # Alone on its line, 3 could be worked out from the total 23: the smallest other is hidden.
    assert shown.loc["01", "M"] == "< 5"
    assert shown.loc["03", "F"] == 0  # zero is not a small cell
    assert shown.loc["02", "F"] == "< 5"  # alone hidden in its column otherwise
    assert shown.loc[TOTAL, TOTAL] == 55
    assert "3" not in {str(value) for value in shown.to_numpy().ravel()}


def test_labels_are_in_the_readers_language(app, programme):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        flt = ReportFilter.for_viewer(viewer(programme, "manager"))
        table = pivot(facts.REGISTRATIONS.read(flt, ["region", "sex"]), "region", "sex",
                      "registered")
        shown = label(table, "region", "sex", flt.context())
        assert "Kayes" in shown.index and "Total" in shown.index
        assert {"Femme", "Homme"} <= set(shown.columns)
        assert UNKNOWN not in table.index


def test_figures_are_read_again_once_their_time_is_up(app, programme, monkeypatch):
    app.config["REPORT_CACHE_SECONDS"] = 60
    clock = [1000.0]
    monkeypatch.setattr("grants.reporting.frames.time.monotonic", lambda: clock[0])
    with app.test_request_context():
        flt = ReportFilter.for_viewer(viewer(programme, "manager"))
        first = facts.REGISTRATIONS.read(flt)
        assert first.registered.iloc[0] == 4
        first.loc[0, "registered"] = 99  # a caller's change does not reach the cache
        with committed(app):
            factories.person(viewer(programme, "manager"), "Enplus", "Test", id_number="ID9")
        db.session.rollback()  # end the read transaction: the next read sees the new row
        assert facts.REGISTRATIONS.read(flt).registered.iloc[0] == 4  # within the minute
        clock[0] += 61
        assert facts.REGISTRATIONS.read(flt).registered.iloc[0] == 5


@pytest.mark.parametrize("fact", [
    facts.REGISTRATIONS, facts.DOSSIERS, facts.visits(TODAY), facts.survival(6, TODAY),
    facts.SCORES, facts.REFERRALS, money_facts.MONEY, money_facts.ORDERS,
    money_facts.tranches(15, TODAY)], ids=lambda fact: fact.name)
def test_a_few_measures_read_alone_equal_the_full_read(app, programme, fact):
    """A figure that reads two measures leaves out the joins they do not need (the lead
    person, the call, the envelope, the payment…): its counts are those of the full read,
    for every filter that needs one of them back."""
    with app.test_request_context():
        manager = ReportFilter.for_viewer(viewer(programme, "manager"))
        envelope = db.session.get(BudgetEnvelope, programme["envelope"])
        filters = [manager, ReportFilter.for_viewer(viewer(programme, "kayes")),
                   manager.but(call_id=programme["call"]),
                   manager.but(envelope_id=programme["envelope"]),
                   manager.but(funding_source=envelope.funding_source),
                   manager.but(start=TODAY - timedelta(days=400), end=TODAY)]
        measures = list(fact.measures())
        for flt in filters:
            for by in ([], ["region"], ["period"]):
                full = fact.read(flt, by)
                for measure in measures:
                    alone = fact.read(flt, by, [measure])
                    assert list(alone.columns) == [*by, measure]
                    pd.testing.assert_frame_equal(alone, full[[*by, measure]])


def test_a_read_joins_only_what_its_columns_and_filter_need(app, programme):
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.test_request_context():
        flt = ReportFilter.for_viewer(viewer(programme, "manager"))
        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            facts.DOSSIERS.read(flt, ["region"], ["submitted", "funded"])
            facts.DOSSIERS.read(flt, ["sex"], ["submitted"])
            facts.DOSSIERS.read(flt.but(funding_source="iom"), ["region"], ["submitted"])
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
    regions, sexes, funded_by = (" ".join(sql.split()) for sql in statements
                                 if "FROM application" in sql)  # not the regions' names
    assert "JOIN beneficiary" not in regions and "JOIN call" not in regions
    assert "stages" not in regions and "JOIN grant_agreement" in regions
    assert "JOIN beneficiary" in sexes and "JOIN grant_agreement" not in sexes
    assert "JOIN budget_envelope" in funded_by

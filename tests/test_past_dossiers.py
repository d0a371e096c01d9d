"""Returnees imported with their dossiers of a past call: the extra columns checked like the rest,
a PastDossier recorded per row (never an Application), removed by the undo, and the
one-grant-per-person rule: a past grant funded within PAST_GRANT_ACTIVE_MONTHS blocks."""

import re
from datetime import date, timedelta

import pytest

from grants.extensions import db
from grants.models import (
    Application,
    Beneficiary,
    Decision,
    DecisionReason,
    ImportBatch,
    ImportHolds,
    ImportRow,
    PastDossier,
    PastOutcome,
    Role,
    RowDecision,
    RowOutcome,
    RowStatus,
    User,
)
from grants.services.committees import selection
from grants.services.errors import ConflictError, ValidationError
from grants.services.imports import batches, mapping
from grants.services.intake import members
from grants.services.intake.past_grants import active_since
from grants.vocabulary import ProjectType, Sector
from tests import factories
from tests.conftest import committed
from tests.factories import load_committee, score_dossier

HEADERS = ["Nom", "Prénom", "Téléphone", "Consentement", "Programme", "Année", "Titre du projet",
           "Secteur", "Résultat", "Montant", "Date de financement", "Sexe", "Né le", "Région"]
RECENT = (date.today() - timedelta(days=60)).strftime("%d/%m/%Y")


def _rows(*lines) -> list[list]:
    return [HEADERS, *[[*line, "F", "01/01/1990", "Kayes"] for line in lines]]


@pytest.fixture
def manager(make_user):
    return make_user(Role.PROGRAMME_MANAGER)


def _previewed(app, manager, rows) -> int:
    with app.test_request_context(), committed(app):
        actor = db.session.get(User, manager)
        batch, table = batches.upload(actor, factories.csv_bytes(rows), "anciens.csv",
                                      ImportHolds.PAST_DOSSIERS)
        batches.preview(actor, batch, table)
        return batch.id


def _imported(app, manager, batch_id) -> None:
    with app.test_request_context(), committed(app):
        actor = db.session.get(User, manager)
        batches.queue(actor, db.session.get(ImportBatch, batch_id))
        batches.run_import(actor, batch_id)


def _errors(batch_id) -> dict[int, list]:
    return {row.line: [code for code, _ in row.errors] for row in db.session.scalars(
        db.select(ImportRow).where(ImportRow.batch_id == batch_id, ImportRow.status
                                   == RowStatus.ERROR))}


def test_the_past_columns_are_proposed_only_for_a_file_of_past_dossiers(app):
    with app.test_request_context():
        assert "past_outcome" not in mapping.propose(HEADERS)
        proposed = mapping.propose(HEADERS, ImportHolds.PAST_DOSSIERS)
        assert proposed["past_programme"] == "Programme"
        assert proposed["past_outcome"] == "Résultat"
        assert proposed["past_amount"] == "Montant"
        assert proposed["past_funded_on"] == "Date de financement"
        with pytest.raises(ValidationError) as refused:
            mapping.check_columns({"last_name": "Nom", "first_name": "Prénom"}, HEADERS,
                                  ImportHolds.PAST_DOSSIERS)
        assert refused.value.field == "past_programme"
        with pytest.raises(ValidationError):  # not a field of a list of returnees alone
            mapping.check_columns({"last_name": "Nom", "first_name": "Prénom",
                                   "past_outcome": "Résultat"}, HEADERS)


def test_each_past_column_is_checked_and_outcomes_read_in_french_and_english(app, manager):
    batch_id = _previewed(app, manager, _rows(
        ["KANTE", "Awa", "", "oui", "OIM Kayes", "2024", "Couture", "Couture", "financé",
         "1 500 000", "15/07/2024"],
        ["DIARRA", "Bakary", "", "oui", "OIM Kayes", "", "", "", "Non financé", "", ""],
        ["COULIBALY", "Mariam", "", "non", "GIZ", "2023", "", "", "funded", "1.200.000", ""],
        ["KEITA", "Sidi", "", "oui", "OIM", "2024", "", "", "peut-être", "", ""],
        ["TRAORE", "Ali", "", "oui", "OIM", "2024", "", "", "oui", "12,5", ""],
        ["SISSOKO", "Fanta", "", "oui", "", "2024", "", "Espace", "oui", "", "31/02/2024"],
        ["KONATE", "Issa", "", "oui", "OIM", "2024", "", "", "non", "", "01/01/2024"],
    ))
    with app.app_context():
        assert _errors(batch_id) == {
            3: ["past_year"],  # neither a year nor a date of funding
            5: ["past_outcome"], 6: ["past_amount"],
            7: ["past_programme", "past_funded_on", "past_sector"],
            8: ["past_funded_on"],  # not funded, yet a date of funding
        }
        rows = {r.line: r.data["past"] for r in db.session.scalars(
            db.select(ImportRow).where(ImportRow.batch_id == batch_id))}
        assert rows[2] == {"programme": "OIM Kayes", "year": 2024, "outcome": "funded",
                           "title": "Couture", "sector": "tailoring", "amount": 1_500_000,
                           "funded_on": "2024-07-15"}
        # Without consent the past dossier is kept for the rule, but not its title.
        assert rows[4]["amount"] == 1_200_000 and rows[4]["title"] is None


def test_the_import_records_past_dossiers_and_the_undo_removes_them(app, manager):
    with committed(app):
        registered = factories.person(db.session.get(User, manager), "Inscrite", "Registre",
                                      phone="+22376000001").id
    batch_id = _previewed(app, manager, _rows(
        ["KANTE", "Awa", "76 00 00 09", "oui", "OIM Kayes", "2024", "Couture", "", "financé",
         "1 500 000", RECENT],
        ["KANTE", "Awa", "76000009", "oui", "GIZ", "2021", "", "", "non financé", "", ""],
        ["DEMBELE", "Oumou", "76 00 00 01", "oui", "PNUD", "2019", "", "Commerce", "oui",
         "900000", ""],
    ))
    with app.app_context():
        statuses = dict(db.session.execute(db.select(ImportRow.line, ImportRow.decision).where(
            ImportRow.batch_id == batch_id)).all())
        assert statuses == {2: RowDecision.IMPORT, 3: RowDecision.LINK, 4: RowDecision.LINK}
    _imported(app, manager, batch_id)
    with app.app_context():
        awa = db.session.scalar(db.select(Beneficiary).where(Beneficiary.last_name == "KANTE"))
        theirs = db.session.scalars(db.select(PastDossier).where(
            PastDossier.beneficiary_id == awa.id).order_by(PastDossier.year)).all()
        assert [(p.programme, p.outcome, p.amount) for p in theirs] == [
            ("GIZ", PastOutcome.NOT_FUNDED, None), ("OIM Kayes", PastOutcome.FUNDED, 1_500_000)]
        assert theirs[0].counts_from is None and theirs[1].funded_on == theirs[1].counts_from
        oumou = db.session.scalar(db.select(PastDossier).where(
            PastDossier.beneficiary_id == registered))
        assert oumou.sector is Sector.TRADE and oumou.counts_from == date(2019, 7, 1)
        assert db.session.scalar(db.select(db.func.count()).select_from(Application)) == 0
        assert {r.line: r.outcome for r in db.session.scalars(db.select(ImportRow).where(
            ImportRow.batch_id == batch_id))} == {2: RowOutcome.CREATED, 3: RowOutcome.LINKED,
                                                 4: RowOutcome.LINKED}
    with app.test_request_context(), committed(app):
        batches.undo(db.session.get(User, manager), db.session.get(ImportBatch, batch_id))
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PastDossier)) == 0
        assert db.session.get(Beneficiary, registered) is not None


def _past(beneficiary_id: int, funded_on: date | None, year: int | None = None,
          outcome=PastOutcome.FUNDED) -> PastDossier:
    counts_from = (funded_on or date(year or 2000, 7, 1)) if outcome.is_funded else None
    dossier = PastDossier(beneficiary_id=beneficiary_id, programme="OIM Kayes",
                          year=year or funded_on.year, outcome=outcome, amount=1_000_000,
                          funded_on=funded_on, counts_from=counts_from)
    db.session.add(dossier)
    return dossier


def test_the_rule_counts_from_the_date_of_funding_else_1_july(app):
    with app.app_context():
        assert active_since(date(2026, 3, 31)) == date(2025, 3, 31)
        app.config["PAST_GRANT_ACTIVE_MONTHS"] = 13
        assert active_since(date(2026, 3, 31)) == date(2025, 2, 28)


def test_a_recent_past_grant_blocks_joining_a_group_dossier_an_older_one_does_not(app, make_user):
    manager_id = make_user(Role.PROGRAMME_MANAGER, username="manager")
    today = date.today()
    with committed(app):
        manager = db.session.get(User, manager_id)
        lead = factories.person(manager, "Awa", "Diallo", id_number="L1")
        dossier = factories.complete_dossier(manager, factories.open_call(manager), lead,
                                             project_type=ProjectType.COLLECTIVE)
        recent = factories.person(manager, "Récent", "Financé", id_number="R1")
        old = factories.person(manager, "Ancien", "Financé", id_number="R2")
        refused = factories.person(manager, "Non", "Financé", id_number="R3")
        this_year = factories.person(manager, "Sans", "Date", id_number="R4")
        _past(recent.id, today - timedelta(days=200))
        _past(old.id, today - timedelta(days=400))
        _past(refused.id, None, today.year, PastOutcome.NOT_FUNDED)
        _past(this_year.id, None, today.year)  # 1 July of this year: within 12 months
        ids = {"dossier": dossier.id, "recent": recent.id, "old": old.id,
               "refused": refused.id, "this_year": this_year.id}
    with app.app_context():
        manager = db.session.get(User, manager_id)
        dossier = db.session.get(Application, ids["dossier"])
        for name in ("recent", "this_year"):
            with pytest.raises(ConflictError) as raised:
                members.add_member(manager, dossier, db.session.get(Beneficiary, ids[name]))
            assert "OIM Kayes" in str(raised.value.message), name
        for name in ("old", "refused"):
            members.add_member(manager, dossier, db.session.get(Beneficiary, ids[name]))
        assert len(dossier.members) == 3


def test_the_ranking_rejects_a_recent_past_grant_holder_not_an_older_one(app, committee):
    today = date.today()
    with committed(app):
        user, session, dossiers = load_committee(committee)
        _past(dossiers[0].lead_id, today - timedelta(days=30))
        _past(dossiers[1].lead_id, today - timedelta(days=500))
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        score_dossier(user["m0"], session, dossiers[0], 90)
        score_dossier(user["m0"], session, dossiers[1], 85)
        rows = {row.application.id: row for row in selection.propose(session)}
        assert rows[dossiers[0].id].decision == Decision.REJECTED
        assert rows[dossiers[0].id].reason == DecisionReason.HOLDS_GRANT
        assert rows[dossiers[1].id].decision == Decision.SELECTED


# --- the returnee's page, their file, erasure ---------------------------------------------------

def test_the_returnees_page_lists_past_dossiers_and_flags_an_active_grant(app, client, login_as):
    manager_id = login_as(Role.PROGRAMME_MANAGER)
    with committed(app):
        person = factories.person(db.session.get(User, manager_id), "Awa", "Kanté")
        _past(person.id, date.today() - timedelta(days=30)).title = "Atelier de couture"
        _past(person.id, None, 2015, PastOutcome.NOT_FUNDED)
        person_id = person.id
    page = client.get(f"/beneficiaires/{person_id}").get_data(as_text=True)
    assert "Dossiers antérieurs" in page and "Atelier de couture" in page
    assert page.count("compte comme une subvention en cours") == 1
    assert re.search(r"1\s000\s000", page) and "Non financé" in page


def test_the_persons_file_holds_their_past_dossiers_and_erasure_keeps_the_rule(app, make_user):
    from grants.services.privacy import erasure, person_file

    manager_id = make_user(Role.PROGRAMME_MANAGER)
    with committed(app):
        person = factories.person(db.session.get(User, manager_id), "Awa", "Kanté")
        _past(person.id, date.today() - timedelta(days=30)).title = "Atelier de couture"
        person_id = person.id
    with app.test_request_context(), committed(app):
        person = db.session.get(Beneficiary, person_id)
        held = person_file.collect(person)["past_dossiers"]
        assert [(d["programme"], d["title"], d["amount"], d["outcome"]) for d in held] == [
            ("OIM Kayes", "Atelier de couture", 1_000_000, "funded")]
        erasure.erase(db.session.get(User, manager_id), person, "Demande écrite du 1er mars")
    with app.app_context():
        kept = db.session.scalar(db.select(PastDossier).where(
            PastDossier.beneficiary_id == person_id))
        assert kept.title is None and kept.amount == 1_000_000 and kept.counts_from
        assert person_id in members.active_grant_holders([person_id])


def test_the_command_line_imports_past_dossiers_with_a_saved_mapping(app, manager, tmp_path):
    with app.test_request_context(), committed(app):
        actor = db.session.get(User, manager)
        mapping.save_mapping(actor, "Anciens OIM", mapping.propose(
            HEADERS, ImportHolds.PAST_DOSSIERS))
        username = actor.username
    path = tmp_path / "anciens.csv"
    path.write_bytes(factories.csv_bytes(_rows(
        ["KANTE", "Awa", "", "oui", "OIM Kayes", "2024", "", "", "financé", "1 500 000", ""],
        ["DIARRA", "Bakary", "", "oui", "OIM Kayes", "2023", "", "", "non", "", ""])))
    args = ["import-beneficiaries", str(path), "--mapping", "Anciens OIM", "--user", username]
    people_only = app.test_cli_runner().invoke(args=args)  # the past columns are ignored
    assert people_only.exit_code == 0 and "created: 2" in people_only.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PastDossier)) == 0
    done = app.test_cli_runner().invoke(args=[*args, "--past-dossiers"])
    assert done.exit_code == 0, done.output
    assert "linked: 2" in done.output  # the same people, now with their past dossiers
    with app.app_context():
        assert sorted(db.session.scalars(db.select(PastDossier.year))) == [2023, 2024]


def test_the_committees_dossier_page_flags_a_members_recent_past_grant(app, committee):
    from tests.conftest import login

    with committed(app):
        user, session, dossiers = load_committee(committee)
        _past(dossiers[0].lead_id, date.today() - timedelta(days=30))
        _past(dossiers[1].lead_id, date.today() - timedelta(days=900))
    member = app.test_client()
    login(member, "member1")
    pages = {}
    for dossier_id in committee["dossiers"][:3]:
        url = f"/comites/{committee['session']}/dossiers/{dossier_id}"
        member.post(url + "/declaration", data={"conflicted": "no"})
        pages[dossier_id] = member.get(url).get_data(as_text=True)
    first, second, third = (pages[d] for d in committee["dossiers"][:3])
    assert 'id="past-dossiers"' in first and "compte comme une subvention en cours" in first
    assert 'id="past-dossiers"' in second and "compte comme une subvention" not in second
    assert 'id="past-dossiers"' not in third

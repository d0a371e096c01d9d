"""Test data built through the services, as the application itself would."""

import io
import uuid
from datetime import date, timedelta

from grants.extensions import db
from grants.models import (
    Application,
    Channel,
    CommitteeSession,
    Decision,
    DecisionReason,
    Grant,
    Region,
    Role,
    Score,
    ScoreSheet,
    SessionDossier,
    SheetStatus,
    User,
    Visit,
)
from grants.services.committees import grids, scoring, selection, sessions
from grants.services.followup import visit_reports
from grants.services.intake import applications, beneficiaries, calls
from grants.services.money import agreements, envelopes, payments
from grants.vocabulary import (
    ActivityStatus,
    BeneficiaryCategory,
    ConsentScope,
    ContributionKind,
    DocumentKind,
    FundingSource,
    IdType,
    ItemPresence,
    ProjectType,
    Recommendation,
    Sector,
    Sex,
    SupportMode,
    VisitMode,
)
from grants.workflow import ApplicationStatus
from tests.conftest import committed

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ALL_SCOPES = [scope.value for scope in ConsentScope]


def region(code: str) -> Region:
    return db.session.scalar(db.select(Region).where(Region.code == code))


def open_call(actor: User, *, cap: int = 1_500_000, min_contribution: int = 10, **overrides):
    envelope = envelopes.save_envelope(actor, None, name="Enveloppe test", fiscal_year=date.today().year,
                                   funding_source=FundingSource.BSI, budget_line="TEST-1",
                                   total=100_000_000)
    values = dict(
        title="Appel test", description=None, envelope=envelope,
        opens_on=date.today() - timedelta(days=10), closes_on=date.today() + timedelta(days=30),
        target_categories=[BeneficiaryCategory.RETURNEE.value],
        regions=list(db.session.scalars(db.select(Region))),
        project_types=[t.value for t in ProjectType],
        required_documents=[DocumentKind.ID_SCAN.value, DocumentKind.PROFORMA.value],
        min_age=18, max_age=60, cap_per_project=cap, min_contribution_percent=min_contribution,
        tranche_plan=[60, 40], visit_plan=[1, 3, 6, 12])
    values.update(overrides)
    call = calls.save_call(actor, None, **values)
    calls.advance_call(actor, call)
    return call


def profile(**overrides) -> dict:
    values = {
        "sex": Sex.MALE, "birth_date": date(1992, 5, 17), "birth_date_estimated": False,
        "id_type": IdType.NINA, "id_number": "12345678901234A", "phone": None,
        "region_id": region("01").id, "cercle": "Kayes", "commune": "Kayes", "address": None,
        "category": BeneficiaryCategory.RETURNEE, "return_country": "Libye",
        "return_date": date(2025, 6, 1), "return_mode": None, "iom_case_number": None,
        "education": None, "skills": "Couture", "skills_abroad": None, "household_size": 4}
    values.update(overrides)
    return values


def person(actor: User, first_name="Moussa", last_name="Kanté", scopes=None, **overrides):
    return beneficiaries.register(
        actor, first_name=first_name, last_name=last_name,
        consent_scopes=ALL_SCOPES if scopes is None else scopes, consent_date=date.today(),
        profile=profile(**overrides), duplicates_confirmed=True,
        not_duplicate_reason="test data")


def complete_dossier(actor: User, call, lead, *, requested: int = 1_000_000,
                     project_type: ProjectType = ProjectType.INDIVIDUAL):
    """A draft with everything needed to be submitted."""
    app = applications.create_draft(actor, call=call, lead=lead, project_type=project_type)
    applications.update_draft(actor, app, {
        "title": "Atelier de couture", "sector": Sector.TAILORING, "activity": "Couture",
        "product_service": "Tenues sur mesure", "customers_market": "Quartier",
        "monthly_revenue": 150_000, "monthly_costs": 60_000, "jobs_planned": 2})
    total = -(-requested * 10 // 9)
    applications.set_budget(actor, app, [
        {"category": "equipment", "item": "Machine à coudre", "quantity": 2, "unit_cost": 100_000},
        {"category": "stock", "item": "Tissus", "quantity": 1, "unit_cost": total - 200_000}],
        {"own_contribution": total - requested, "own_contribution_kind": ContributionKind.CASH,
         "requested_amount": requested, "support_mode": SupportMode.MIXED})
    for kind in (DocumentKind.ID_SCAN, DocumentKind.PROFORMA):
        applications.add_attachment(actor, app, kind.value, io.BytesIO(PDF), f"{kind.value}.pdf")
    return app


def eligible_dossier(actor: User, call, lead, *, requested: int = 1_000_000):
    """A submitted dossier declared eligible through the screening service."""
    from grants.models import ScreeningOutcome
    from grants.services.intake import screening

    app = complete_dossier(actor, call, lead, requested=requested)
    applications.submit(actor, app)
    screening.screen(actor, app, results=screening.suggest(app), comments={},
                     outcome=ScreeningOutcome.ELIGIBLE, reason=None)
    return app


def points_for(grid, total: int, social: int | None = None) -> dict[int, int]:
    """Points per criterion adding up to `total` (the social-priority one set to `social`)."""
    points, left = {}, total
    criteria = sorted(grid.criteria, key=lambda c: (c.social_priority is False, c.position))
    for criterion in criteria:
        if criterion.social_priority and social is not None:
            value = social
        else:
            value = min(criterion.max_points, max(0, round(total * criterion.max_points / 100)))
        points[criterion.id] = value
        left -= value
    for criterion in sorted(grid.criteria, key=lambda c: c.position):  # settle rounding
        if criterion.social_priority and social is not None:
            continue
        step = max(-points[criterion.id], min(left, criterion.max_points - points[criterion.id]))
        points[criterion.id] += step
        left -= step
    assert left == 0, "total out of reach"
    return points


def comments_for(grid, points: dict[int, int]) -> dict[int, str]:
    return {c.id: "justifié" for c in grid.criteria if points[c.id] in (0, c.max_points)}


def funded_grant(officer: User, accountant: User, application, *, paid_on: date,
                 amount: int | None = None):
    """A signed agreement of a selected dossier whose first tranche was paid on `paid_on` (which
    plans its visits). Commits between the money operations, as separate requests would."""
    grant = agreements.prepare_agreement(officer, application,
                                      amount=amount or application.requested_amount,
                                      channel=Channel.BANK, account="ML123 BDM 0001")
    db.session.commit()
    agreements.sign_agreement(officer, grant.id, paid_on, str(uuid.uuid4()))
    db.session.commit()
    first = grant.tranches[0].id
    payments.order_payment(officer, first, str(uuid.uuid4()))
    db.session.commit()
    payments.pay_tranche(accountant, first, str(uuid.uuid4()), "VIR-TEST", paid_on)
    db.session.commit()
    return db.session.get(type(grant), grant.id)


def validated_visit(tranche, recommendation: str = "favourable"):
    """A validated visit that decides `tranche`, as the follow-up services leave it (for tests
    of the money rules that do not walk through the visit form)."""
    from grants.services.references import next_reference

    grant = tranche.grant
    application = db.session.get(Application, grant.application_id)
    visit = Visit(reference=next_reference("VS", date.today().year), grant_id=grant.id,
                  application_id=application.id, region_id=application.region_id, seq=None,
                  due_on=date.today(), gates_tranche_id=tranche.id, status="validated",
                  recommendation=recommendation, visited_on=date.today())
    db.session.add(visit)
    db.session.commit()
    return visit.id


# Scenario builders shared by the test modules. They take the ids a fixture of
# tests/fixtures/ returns and work inside the caller's app context.

PAID_ON = date.today() - timedelta(days=100)


def key() -> str:
    """A fresh idempotency key."""
    return str(uuid.uuid4())


def user(ids, name) -> User:
    return db.session.get(User, ids[name])


# Money (the `money` fixture: four selected dossiers, an officer and an accountant).

def prepared_agreement(ids, n=0, amount=2_000_000, channel=Channel.BANK) -> int:
    """A prepared (unsigned) agreement of the n-th selected dossier; its grant id."""
    application = db.session.get(Application, ids["applications"][n])
    grant = agreements.prepare_agreement(user(ids, "officer"), application, amount=amount,
                                         channel=channel, account="ML123 BDM 0001")
    db.session.commit()
    return grant.id


def signed_agreement(ids, n=0, amount=2_000_000) -> int:
    """A signed agreement of the n-th selected dossier; its grant id."""
    grant_id = prepared_agreement(ids, n, amount)
    agreements.sign_agreement(user(ids, "officer"), grant_id, date.today(), key())
    db.session.commit()
    return grant_id


def ordered_first_tranche(ids, n=0) -> int:
    """A signed agreement whose first tranche was ordered by the officer; the tranche id."""
    first = db.session.get(Grant, signed_agreement(ids, n)).tranches[0].id
    payments.order_payment(user(ids, "officer"), first, key())
    db.session.commit()
    return first


def ordered_wallet_tranches(app, ids, count=2, accounts=None) -> list[tuple[int, str]]:
    """`count` signed mobile-money agreements whose first tranche was ordered:
    (tranche id, order number) each."""
    references = []
    with app.app_context():
        officer = user(ids, "officer")
        for n in range(count):
            application = db.session.get(Application, ids["applications"][n])
            grant = agreements.prepare_agreement(officer, application, amount=2_000_000,
                                                 channel=Channel.ORANGE_MONEY,
                                                 account=(accounts or [])[n] if accounts
                                                 else f"+2237600000{n}")
            db.session.commit()
            agreements.sign_agreement(officer, grant.id, date.today(), key())
            db.session.commit()
            tranche = payments.order_payment(officer, db.session.get(Grant, grant.id).tranches[0].id,
                                             key())
            db.session.commit()
            references.append((tranche.id, tranche.order_number))
    return references


# Committees (the `committee` fixture: a session with a chair, three members, an observer).

def load_committee(ids):
    """The committee's people (by key), its session and its five dossiers."""
    people = {key: db.session.get(User, value) for key, value in ids.items()
              if key in ("manager", "chair", "observer", "m0", "m1", "m2")}
    session = db.session.get(CommitteeSession, ids["session"])
    dossiers = [db.session.get(Application, i) for i in ids["dossiers"]]
    return people, session, dossiers


def score_dossier(member, session, application, total, social=None, submit=True):
    """`member`'s score sheet of `application`, adding up to `total` (declared first if needed)."""
    grid = grids.grid_for(session.call)
    if sessions.declaration_for(session.member(member.id), application.id) is None:
        sessions.declare_for_dossier(member, session, application, False, None)
    points = points_for(grid, total, social)
    return scoring.save_sheet(member, session, application, points,
                              comments_for(grid, points), submit=submit)


# Follow-up (the `followed` fixture: a funded activity in Kayes paid 100 days ago).

def finalise_committee(app, committee):
    """The chair scores the five dossiers 90, 85, 80, 75, 70, then finalises with the quorum."""
    with app.app_context():
        user, session, dossiers = load_committee(committee)
        for n, dossier in enumerate(dossiers):
            score_dossier(user["chair"], session, dossier, 90 - n * 5)
        selection.record_attendance(user["chair"], session,
                                    {user["chair"].id, user["m0"].id, user["m1"].id})
        selection.finalise(user["chair"], session)
        db.session.commit()
        return [d.reference for d in dossiers]


def add_decided_dossiers(app, committee, count: int) -> list[str]:
    """`count` more dossiers in the finalised session, ranked after the others, each with the
    chair's submitted sheet (rows written directly: the session no longer takes scores)."""
    with app.app_context():
        user, session, _dossiers = load_committee(committee)
        manager = db.session.get(User, committee["manager"])
        chair = session.member(user["chair"].id)
        grid = grids.grid_for(session.call)
        references = []
        for n in range(count):
            extra = eligible_dossier(manager, session.call, person(
                manager, f"Extra{n}", "Test", id_number=f"X{n}"), requested=1_000_000)
            db.session.add(SessionDossier(
                session_id=session.id, application_id=extra.id, rank=6 + n,
                decision=Decision.REJECTED,
                decision_reason_code=DecisionReason.BELOW_PASS_MARK))
            sheet = ScoreSheet(member_id=chair.id, application_id=extra.id,
                               status=SheetStatus.SUBMITTED, total=len(grid.criteria))
            sheet.scores = [Score(criterion_id=c.id, points=1, comment="justifié")
                            for c in grid.criteria]
            db.session.add(sheet)
            references.append(extra.reference)
        db.session.commit()
        return references


def make_followed(app, make_user):
    """A funded activity in Kayes (01) whose first tranche was paid 100 days ago."""
    ids = {"officer": make_user(Role.FINANCE_OFFICER, username="officer"),
           "accountant": make_user(Role.ACCOUNTANT, username="accountant"),
           "manager": make_user(Role.PROGRAMME_MANAGER, username="manager"),
           "field": make_user(Role.FIELD_OFFICER, regions=("01",), username="field"),
           "far": make_user(Role.FIELD_OFFICER, regions=("07",), username="far")}
    with committed(app):
        manager = db.session.get(User, ids["manager"])
        call = open_call(manager)
        dossier = eligible_dossier(manager, call, person(manager))
        dossier.status = ApplicationStatus.SELECTED  # the committee's decision
        db.session.commit()
        grant = funded_grant(db.session.get(User, ids["officer"]),
                             db.session.get(User, ids["accountant"]), dossier, paid_on=PAID_ON)
        ids.update(grant=grant.id, application=dossier.id)
    return ids


def make_followed_more(app, ids, count: int) -> None:
    """`count` more funded activities in Kayes, on the call of `ids`'s dossier."""
    with committed(app):
        manager = user(ids, "manager")
        call = db.session.get(Application, ids["application"]).call
        for n in range(count):
            dossier = eligible_dossier(manager, call, person(
                manager, f"Autre{n}", "Suivi", id_number=f"S{n}"))
            dossier.status = ApplicationStatus.SELECTED
            db.session.commit()
            funded_grant(user(ids, "officer"), user(ids, "accountant"), dossier, paid_on=PAID_ON)


def plan(ids) -> list[Visit]:
    """The visits planned for the followed grant, in order."""
    return list(db.session.scalars(db.select(Visit).where(Visit.grant_id == ids["grant"])
                                   .order_by(Visit.due_on, Visit.id)))


def report(visit: Visit, **overrides) -> visit_reports.VisitReport:
    """A favourable field report of `visit` (every budget item present)."""
    values = dict(
        visited_on=date.today(), mode=VisitMode.ON_SITE, activity_status=ActivityStatus.STABLE,
        monthly_revenue=180_000, monthly_profit=60_000, jobs_total=3, jobs_women=1,
        jobs_youth=2, problems=["supply"], observations="Atelier ouvert, deux machines.",
        recommendation=Recommendation.FAVOURABLE,
        items={line.id: ItemPresence.ALL for line in visit.application.budget_lines})
    values.update(overrides)
    return visit_reports.VisitReport(**values)


def submit(ids, visit, key=None, who="field", **overrides):
    done = visit_reports.submit_visit(user(ids, who), visit.id, report(visit, **overrides),
                                      key or str(uuid.uuid4()))
    db.session.commit()
    return done


# --- partner lists to import (tests/test_imports*.py, the browser test, the benchmark) ---------

PARTNER_HEADERS = ["N°", "NOM", "Prénom(s)", "Sexe", "Né(e) le", "Téléphone", "N° NINA",
                   "Région", "Pays de retour", "Consentement"]
_REGIONS = ["Kayes", "SÉGOU", "segou", "District de Bamako", "01", "Tombouctou", "Gao", "Mopti"]
_SURNAMES = ["TRAORÉ", "Keïta", "COULIBALY", "Diarra", "Sissoko", "Konaté", "Diallo", "Camara"]
_BAD = [("NOM", ""), ("Né(e) le", "32/13/1990"), ("Téléphone", "12"), ("Région", "Atlantide"),
        ("Sexe", "X")]


def _letters(n: int) -> str:
    word = ""
    for _ in range(4):
        n, rest = divmod(n, 26)
        word += chr(97 + rest)
    return word.capitalize()


def partner_nina(i: int) -> str:
    return f"{i:014d}K"


def partner_phone(i: int) -> str:
    return f"+2237{i % 10}{i // 10:06d}"


def partner_list(count: int, *, file_duplicates: int = 0, bad: int = 0) -> list[list]:
    """A partner's list: headers then `count` people written the ways partners write them
    (phones, dates, regions with or without accents). Its last `file_duplicates` rows repeat the
    phone of a row in the middle; the `bad` rows before them each have one error. People i share
    partner_nina(i) and partner_phone(i), so a test registers duplicates of the registry."""
    rows: list[list] = [list(PARTNER_HEADERS)]
    for i in range(count):
        born = date(1975 + i % 30, 1 + i % 12, 1 + i % 28)
        phone = partner_phone(i)
        written_phone = (phone, "00" + phone[1:], f"{phone[4:6]}.{phone[6:8]}.{phone[8:10]}."
                         f"{phone[10:]}")[i % 3]
        written_born = (born.strftime("%d/%m/%Y"), born.isoformat(), str(born.year))[i % 3]
        rows.append([str(i + 1), _SURNAMES[i % 8], f"{_letters(i)} Moussa" if i % 2 else
                     f"{_letters(i)} Awa", "M" if i % 2 else "Femme", written_born, written_phone,
                     partner_nina(i), _REGIONS[i % 8], "Libye", "non" if i % 10 == 9 else "oui"])
    first_bad = count - file_duplicates - bad
    for k in range(bad):
        header, value = _BAD[k % len(_BAD)]
        rows[1 + first_bad + k][PARTNER_HEADERS.index(header)] = value
        rows[1 + first_bad + k][-1] = "oui"  # the rules apply to what is kept
    for k in range(file_duplicates):  # the phone of a person in the middle of the list
        rows[count - k][PARTNER_HEADERS.index("Téléphone")] = partner_phone(count // 2 + k)
    return rows


def csv_bytes(rows: list[list], *, encoding: str = "utf-8-sig", separator: str = ";") -> bytes:
    return "\r\n".join(separator.join(str(c) for c in row) for row in rows).encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xls_bytes(rows: list[list]) -> bytes:
    """The old Excel format (.xls, BIFF8), as some offices still save their lists."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Liste")
    day = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write(r, c, value, day)  # a date cell, as Excel writes one
            else:
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def register_partner_people(actor: User, indices) -> list[int]:
    """Register people i of a partner list (same NINA and phone): the registry's duplicates."""
    ids = []
    for i in indices:
        ids.append(person(actor, first_name=f"Inscrit{i}", last_name="Registre",
                          id_number=partner_nina(i), phone=partner_phone(i)).id)
    return ids

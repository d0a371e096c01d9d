"""Demo intake data: the 2024 call on a 100 000 000 F CFA envelope, about 130 returnees and
120 dossiers at every stage, and an open 2026 call. Everything goes through the services."""

import io
import random
from datetime import UTC, date, datetime, timedelta

from grants.demo.people import COUNTRIES, FEMALE, MALE, PLACES, PROJECTS, SKILLS, SURNAMES
from grants.extensions import db
from grants.models import (
    Application,
    Beneficiary,
    Call,
    CheckItem,
    CheckResult,
    ContactChannel,
    Region,
    User,
)
from grants.models import ScreeningOutcome as Outcome
from grants.services.intake import applications, beneficiaries, calls, members, screening
from grants.services.money import envelopes
from grants.services.notifications import outbox
from grants.vocabulary import (
    BeneficiaryCategory,
    ConsentScope,
    ContributionKind,
    DocumentKind,
    Education,
    FundingSource,
    IdType,
    ProjectType,
    ReturnMode,
    Sector,
    Sex,
    SupportMode,
    VerificationStatus,
)
from grants.workflow import ApplicationAction

CALL_2024 = "Projets d'insertion et de réinsertion 2024"
CALL_2026 = "Appel à projets 2026 — réinsertion économique des migrants de retour"
TINY_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
ALL_SCOPES = [scope.value for scope in ConsentScope]
sector_of: dict[int, str] = {}  # beneficiary id -> the trade their project is in

# 2024 dossiers by final status, then 2026 ones: (status, count)
PLAN_2024 = [("eligible", 82), ("ineligible_age", 4), ("ineligible_group", 4), ("incomplete", 4),
             ("withdrawn", 3), ("draft", 3)]
PLAN_2026 = [("draft", 8), ("submitted", 10), ("incomplete", 2), ("eligible", 2)]


def seed() -> list[str]:
    if db.session.scalar(db.select(Call.id).where(Call.title == CALL_2024)):
        return ["Intake demo data: already loaded."]
    rng = random.Random(2024)
    staff = {u.username: u for u in db.session.scalars(db.select(User))}
    manager, agent = staff["gestionnaire"], staff["agent"]
    regions = {r.code: r for r in db.session.scalars(db.select(Region))}
    call_2024, call_2026 = _calls(manager, regions)
    people = _people(rng, staff, regions)
    leads, partners = people[:122], people[122:]
    dossiers = 0
    plan = [(call_2024, status) for status, n in PLAN_2024 for _ in range(n)] + \
           [(call_2026, status) for status, n in PLAN_2026 for _ in range(n)]
    for index, ((call, status), lead) in enumerate(zip(plan, leads, strict=False)):
        actor = agent if lead.region_id in agent.region_ids else manager
        _dossier(rng, actor, manager, call, lead, status, partners if index % 17 == 5 else [],
                 kind=ProjectType.COMMUNITY if index % 23 == 7 else None)
        dossiers += 1
    _link_demo_applicant(staff["demandeur"])
    call_2024.status = call_2024.status.__class__("closed")
    return [f"Intake demo data: {len(people)} returnees, {dossiers} dossiers, calls "
            f"\"{CALL_2024}\" (closed) and 2026 (open)."]


def _calls(manager: User, regions: dict[str, Region]) -> tuple[Call, Call]:
    envelope_2024 = envelopes.save_envelope(
        manager, None, name=CALL_2024, fiscal_year=2024, funding_source=FundingSource.BSI,
        budget_line="MMEIA-2024-6.4.1", total=100_000_000)
    envelope_2026 = envelopes.save_envelope(
        manager, None, name="Microprojets des migrants de retour 2026", fiscal_year=2026,
        funding_source=FundingSource.BSI, budget_line="MMEIA-2026-6.4.1", total=100_000_000)
    common = dict(target_categories=[BeneficiaryCategory.RETURNEE.value],
                  regions=list(regions.values()), required_documents=[
                      DocumentKind.ID_SCAN.value, DocumentKind.PROFORMA.value],
                  min_age=18, max_age=60, min_contribution_percent=10, tranche_plan=[60, 40],
                  visit_plan=[1, 3, 6, 12])
    call_2024 = calls.save_call(
        manager, None, title=CALL_2024, envelope=envelope_2024, opens_on=date(2024, 3, 1),
        closes_on=date(2024, 4, 30), cap_per_project=2_500_000,
        description="Financement de 40 microprojets de migrants de retour sur le budget national.",
        project_types=[t.value for t in ProjectType], **common)
    call_2026 = calls.save_call(
        manager, None, title=CALL_2026, envelope=envelope_2026, opens_on=date(2026, 10, 1),
        closes_on=date(2026, 12, 31), cap_per_project=1_500_000, description=None,
        project_types=[t.value for t in ProjectType], **common)
    calls.advance_call(manager, call_2024)
    calls.advance_call(manager, call_2026)
    return call_2024, call_2026


def _phone(rng: random.Random, used: set[str]) -> str:
    while True:
        number = f"+223{rng.choice(['76', '66', '79', '65'])}{rng.randint(0, 999_999):06d}"
        if number not in used:
            used.add(number)
            return number


def _people(rng: random.Random, staff: dict[str, User], regions: dict[str, Region]):
    codes = [code for code, (weight, *_rest) in PLACES.items() for _ in range(weight)]
    sectors = list(SKILLS)
    used: set[str] = {"+22376000001", "+22376000002", "+22376000003"}
    people = []
    for n in range(130):  # sector_of (module-level) remembers each person's trade
        female = n % 4 == 1
        first = ("Boubacar" if n == 0 else
                 rng.choice(FEMALE if female else MALE))
        last = "Keïta" if n == 0 else rng.choice(SURNAMES)
        code = rng.choice(codes)
        weight, cercle, communes = PLACES[code]
        region = regions[code]
        actor = staff["agent"] if code in ("00", "01", "07") else staff["gestionnaire"]
        sector = sectors[n % len(sectors)]
        consent_day = date(2024, 3, 1) + timedelta(days=rng.randint(0, 55)) if n < 100 \
            else date(2026, 10, 1) + timedelta(days=rng.randint(0, 45))
        old = n in (82, 83, 84, 85)  # beyond the age limit: the "ineligible_age" dossiers
        profile = {
            "sex": Sex.FEMALE if female else Sex.MALE,
            "birth_date": date(1958 if old else rng.randint(1978, 2003), rng.randint(1, 12),
                               rng.randint(1, 28)),
            "birth_date_estimated": n % 9 == 0, "id_type": IdType.NINA,
            "id_number": f"{rng.randint(10**13, 10**14 - 1)}{rng.choice('ABCDEFGHJK')}",
            "phone": "+22376000002" if n == 0 else _phone(rng, used),
            "region_id": region.id, "cercle": cercle, "commune": rng.choice(communes),
            "address": None,
            "category": BeneficiaryCategory.POTENTIAL_MIGRANT if n in (86, 87, 88, 89)
            else BeneficiaryCategory.RETURNEE,
            "return_country": rng.choice(COUNTRIES),
            "return_date": consent_day - timedelta(days=rng.randint(30, 700)),
            "return_mode": rng.choice(list(ReturnMode)), "iom_case_number":
                f"MLI-{rng.randint(10000, 99999)}" if n % 3 == 0 else None,
            "education": rng.choice(list(Education)),
            "skills": SKILLS[sector][0], "skills_abroad": SKILLS[sector][1],
            "household_size": rng.randint(1, 12)}
        # One in seven did not agree to be contacted: no message reaches them (issue 14).
        scopes = [s for s in ALL_SCOPES if (s != "photo" or n % 5)
                  and (s != ConsentScope.FOLLOW_UP.value or n % 7 != 3)]
        person = beneficiaries.register(
            actor, first_name=first, last_name=last, consent_scopes=scopes,
            consent_date=consent_day, profile=profile, duplicates_confirmed=True,
            not_duplicate_reason="Homonyme vérifié avec la pièce d'identité",
            restricted={"vulnerabilities": ["route_violence"] if n % 6 == 0 else [],
                        "health_notes": None} if n % 6 == 0 else None)
        sector_of[person.id] = sector
        if n % 8 == 5:  # cannot read: an agent of their region calls them instead
            outbox.set_preference(actor, person, "fr", ContactChannel.CALL)
        person.created_at = datetime.combine(consent_day, datetime.min.time(), UTC)
        if n % 5 in (0, 2, 3):
            beneficiaries.set_verification(staff["gestionnaire"], person,
                                           VerificationStatus.VERIFIED, "Pièce vérifiée")
        people.append(person)
    for n in range(2):  # two people who refused: only their names are kept
        beneficiaries.register(staff["agent"], first_name=rng.choice(MALE),
                               last_name=rng.choice(SURNAMES), consent_scopes=[],
                               consent_date=date(2026, 10, 20 + n), profile={})
    return people


def budget_lines_for(rng: random.Random, sector: str, cap: int):
    title, product, template = PROJECTS[sector]
    requested = cap if rng.random() < 0.6 else rng.randint(int(cap * 0.7) // 5000, cap // 5000) * 5000
    total = -(-requested * 10 // 9 // 5000) * 5000  # own contribution of at least 10 %
    lines = [dict(category=c, item=i, quantity=q, unit_cost=u) for c, i, q, u in template]
    while len(lines) > 1 and sum(line["quantity"] * line["unit_cost"] for line in lines) > total:
        lines.pop()
    spent = sum(line["quantity"] * line["unit_cost"] for line in lines)
    if spent > total:
        lines = [dict(lines[0], quantity=1, unit_cost=total)]
    elif spent < total:
        lines.append(dict(category="working_capital", item="Fonds de roulement", quantity=1,
                          unit_cost=total - spent))
    return title, product, lines, requested, total - requested


def _dossier(rng, actor: User, manager: User, call: Call, lead: Beneficiary, status: str,
             partners: list[Beneficiary], kind: ProjectType | None) -> Application:
    day = call.opens_on + timedelta(days=rng.randint(0, 40))
    project_type = kind or (ProjectType.COLLECTIVE if partners else ProjectType.INDIVIDUAL)
    app = applications.create_draft(actor, call=call, lead=lead, project_type=project_type,
                                    today=day)
    sector = sector_of[lead.id]
    title, product, lines, requested, own = budget_lines_for(rng, sector, call.cap_per_project)
    place = lead.commune or lead.region.name
    applications.update_draft(actor, app, {
        "title": f"{title} à {place}", "sector": Sector(sector),
        "activity": f"{product}. Activité lancée par {lead.full_name} à {place}.",
        "community_name": f"Association des jeunes de {place}"
        if project_type == ProjectType.COMMUNITY else None,
        "product_service": product, "customers_market": "Habitants du quartier et marchés voisins",
        "competition": "Quelques concurrents, mais la demande dépasse l'offre",
        "suppliers": "Fournisseurs de Bamako et du marché local",
        "monthly_revenue": rng.randint(30, 90) * 5000, "monthly_costs": rng.randint(10, 25) * 5000,
        "jobs_planned": rng.randint(1, 4), "jobs_women": 1 if lead.sex == Sex.FEMALE else 0,
        "jobs_youth": 1, "training_needs": "Gestion simplifiée et comptabilité"})
    if status == "draft":
        return app
    applications.set_budget(actor, app, [dict(line, category=line["category"]) for line in lines], {
        "own_contribution": own, "own_contribution_kind": ContributionKind.CASH,
        "own_contribution_details": "Épargne personnelle", "requested_amount": requested,
        "support_mode": rng.choice(list(SupportMode))})
    for partner in partners[:2]:  # the partners live anywhere: a national role adds them
        members.add_member(manager, app, partner)
    if partners and project_type == ProjectType.COLLECTIVE:
        members.set_shares(manager, app, {m.id: (50 if m.is_lead else 25) for m in app.members}
                           if len(app.members) == 3 else {m.id: 50 for m in app.members})
    for document in (DocumentKind.ID_SCAN, DocumentKind.PROFORMA):
        applications.add_attachment(actor, app, document, io.BytesIO(TINY_PDF),
                                    f"{document.value}-{lead.code}.pdf")
    applications.submit(actor, app, today=day)
    app.created_at = app.submitted_at = datetime.combine(day, datetime.min.time(), UTC)
    if status == "withdrawn":
        applications.transition(actor, app, ApplicationAction.WITHDRAW,
                                "Le porteur a trouvé un emploi salarié")
    elif status != "submitted":
        _screen(manager, app, status)
    return app


def _screen(manager: User, app: Application, status: str) -> None:
    results = screening.suggest(app)
    comments = {item: None for item in CheckItem}
    outcome, reason = Outcome.ELIGIBLE, None
    if status == "incomplete":
        results[CheckItem.DOCUMENTS] = CheckResult.FAIL
        comments[CheckItem.DOCUMENTS] = "Facture pro forma illisible"
        outcome, reason = Outcome.INCOMPLETE, "Fournir une facture pro forma lisible et signée"
    elif status.startswith("ineligible"):
        failed = [item for item, result in results.items() if result == CheckResult.FAIL]
        assert failed, "demo ineligible dossiers fail an item of the checklist"
        for item in failed:
            comments[item] = "Constaté à l'examen du dossier"
        outcome, reason = Outcome.INELIGIBLE, "Ne remplit pas les conditions de l'appel"
    screening.screen(manager, app, results=results, comments=comments, outcome=outcome,
                     reason=reason)


def _link_demo_applicant(user: User) -> None:
    """The demo applicant account is Boubacar Keïta, the first registered returnee."""
    person = db.session.scalar(db.select(Beneficiary).where(Beneficiary.phone == user.phone))
    if person is not None and person.user_id is None:
        person.user_id = user.id

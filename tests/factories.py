"""Test data built through the services, as the application itself would."""

import io
from datetime import date, timedelta

from grants.extensions import db
from grants.models import Region, User
from grants.services.intake import applications, beneficiaries, calls
from grants.services.money import envelopes
from grants.vocabulary import (
    BeneficiaryCategory,
    ConsentScope,
    ContributionKind,
    DocumentKind,
    FundingSource,
    IdType,
    ProjectType,
    Sector,
    Sex,
    SupportMode,
)

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
    import uuid

    from grants.models import Channel
    from grants.services.money import agreements, payments

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
    from grants.models import Application, Visit
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

"""National set-up: the demo's accounts, a field officer for every region and intake agents,
and five calls on their envelopes (through the programme services)."""

from datetime import date, timedelta
from types import SimpleNamespace

from grants.demo.accounts import DEMO_ACCOUNTS
from grants.demo.national.bulk import at
from grants.demo.people import FEMALE, MALE, PLACES, SURNAMES
from grants.extensions import db
from grants.models import Role, User, UserRole, user_region
from grants.services import accounts
from grants.services.intake import calls
from grants.services.money import envelopes
from grants.vocabulary import BeneficiaryCategory, DocumentKind, FundingSource, ProjectType


def seed_staff(ctx) -> None:
    """The demo's accounts (those missing), a field officer for every region and an intake
    agent for each region of the demo places, all with the demo password (hashed once)."""
    password_hash = accounts.hash_password(ctx.password)
    users, roles, regions = [], [], []
    wanted = [(username, full_name, user_roles, codes, phone)
              for username, full_name, user_roles, codes, phone in DEMO_ACCOUNTS
              if username not in ctx.users]
    for code in sorted(ctx.regions):
        for role, prefix in ((Role.FIELD_OFFICER, "terrain"), (Role.INTAKE_AGENT, "agent")):
            if role == Role.FIELD_OFFICER or code in PLACES:
                name = f"{ctx.rng.choice(MALE + FEMALE)} {ctx.rng.choice(SURNAMES)}"
                wanted.append((f"{prefix}.r{code}", name, [role], [code], None))
    for username, full_name, user_roles, codes, phone in wanted:
        user_id = ctx.loader.new_id(User.__table__)
        ctx.users[username] = user_id
        users.append(dict(id=user_id, username=username, full_name=full_name, phone=phone,
                          email=None, password_hash=password_hash, created_at=at(ctx.start)))
        roles += [dict(user_id=user_id, role=role) for role in user_roles]
        regions += [dict(user_id=user_id, region_id=ctx.regions[code]) for code in codes]
        ctx.loader.audit("user.created", None, "user_account", user_id, at(ctx.start),
                         {"roles": sorted(r.value for r in user_roles), "regions": codes})
        if username.startswith(("terrain.r", "agent.r")):
            group = ctx.field_officers if user_roles == [Role.FIELD_OFFICER] else ctx.agents
            group.setdefault(ctx.regions[codes[0]], []).append(user_id)
    ctx.loader.insert(User.__table__, users)
    ctx.loader.insert(UserRole.__table__, roles)
    ctx.loader.insert(user_region, regions)


def seed_calls(ctx) -> None:
    """Four past calls (one a year) and this year's open call, each on its own envelope."""
    manager = db.session.get(User, ctx.users["gestionnaire"])
    regions = list(ctx.region_objects.values())
    today = ctx.today
    for index in range(5):
        year = today.year - 4 + index
        opens = date(year, 3, 1) if index < 4 else today - timedelta(days=60)
        closes = date(year, 4, 30) if index < 4 else today + timedelta(days=30)
        envelope = envelopes.save_envelope(
            manager, None, name=f"Microprojets des migrants de retour {year}", fiscal_year=year,
            funding_source=FundingSource.BSI, budget_line=f"MMEIA-{year}-6.4.1",
            total=ctx.envelope_total if index < 3 else 2 * ctx.envelope_total)
        call = calls.save_call(
            manager, None, title=f"Appel national {year} — réinsertion économique",
            description="Microprojets des migrants de retour dans toutes les régions.",
            envelope=envelope, opens_on=opens, closes_on=closes,
            target_categories=[BeneficiaryCategory.RETURNEE.value], regions=regions,
            project_types=[t.value for t in ProjectType],
            required_documents=[DocumentKind.ID_SCAN.value, DocumentKind.PROFORMA.value],
            min_age=18, max_age=60, cap_per_project=2_500_000, min_contribution_percent=10,
            tranche_plan=[60, 40], visit_plan=[1, 3, 6, 12])
        calls.advance_call(manager, call)
        ctx.calls.append(SimpleNamespace(
            id=call.id, envelope_id=envelope.id, opens_on=opens, closes_on=closes,
            cap_per_project=call.cap_per_project, tranche_plan=list(call.tranche_plan),
            visit_plan=list(call.visit_plan)))
    db.session.flush()

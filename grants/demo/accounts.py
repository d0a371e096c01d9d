"""Demo accounts: one per role, all with the same public password."""

from grants.extensions import db
from grants.models import Region, Role, User
from grants.services import accounts

DEMO_PASSWORD = "demo-grants-2026"  # noqa: S105 (public on purpose: printed and in the README)

# username, full name, roles, region codes, phone
DEMO_ACCOUNTS = [
    ("admin", "Aminata Diallo", [Role.ADMIN], [], None),
    ("agent", "Moussa Traoré", [Role.INTAKE_AGENT], ["00", "01", "07"], "+22376000001"),
    ("demandeur", "Boubacar Keïta", [Role.APPLICANT], [], "+22376000002"),
    ("membre", "Fatoumata Coulibaly", [Role.COMMITTEE_MEMBER], [], None),
    ("membre.anpe", "Salif Koné", [Role.COMMITTEE_MEMBER], [], None),
    ("membre.apcmm", "Assitan Diakité", [Role.COMMITTEE_MEMBER], [], None),
    ("observateur", "Mahamane Touré", [Role.COMMITTEE_MEMBER], [], None),
    ("president", "Oumar Sangaré", [Role.COMMITTEE_CHAIR, Role.COMMITTEE_MEMBER], [], None),
    ("ordonnateur", "Mariam Konaté", [Role.FINANCE_OFFICER], [], None),
    ("comptable", "Ibrahim Cissé", [Role.ACCOUNTANT], [], None),
    ("terrain", "Awa Dembélé", [Role.FIELD_OFFICER], ["01", "07"], "+22376000003"),
    ("terrain.sud", "Hamidou Sow", [Role.FIELD_OFFICER],
     [f"{n:02d}" for n in range(20) if n not in (1, 7)], "+22376000004"),
    ("gestionnaire", "Seydou Maïga", [Role.PROGRAMME_MANAGER], [], None),
    ("auditeur", "Kadiatou Sidibé", [Role.AUDITOR], [], None),
    ("dpd", "Rokia Ballo", [Role.DATA_PROTECTION_OFFICER], [], None),
]


def seed() -> list[str]:
    """Create what is missing and return lines describing the demo logins."""
    lines = ["Demo accounts (password for all: " + DEMO_PASSWORD + "):"]
    regions = {r.code: r for r in db.session.scalars(db.select(Region))}
    for username, full_name, roles, region_codes, phone in DEMO_ACCOUNTS:
        user = db.session.scalar(db.select(User).where(User.username == username))
        if user is None:
            user, _ = accounts.create_user(
                None, username=username, full_name=full_name, roles=roles,
                regions=[regions[code] for code in region_codes], phone=phone,
                password=DEMO_PASSWORD)
        login = f"{username}" + (f" or {phone}" if phone else "")
        lines.append(f"  {', '.join(r.value for r in roles):40} {login}")
    return lines

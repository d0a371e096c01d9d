"""Demo data for `flask seed-demo`: accounts for every role, then the 2024 call with its returnees
and dossiers, and an open 2026 call. Running it again changes nothing."""

from grants.demo import accounts, committee, intake


def seed() -> list[str]:
    lines = accounts.seed()
    lines += intake.seed()
    lines += committee.seed()
    return lines

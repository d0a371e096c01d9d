"""Demo data for `flask seed-demo`: accounts for every role; the 2024 call with its returnees,
dossiers, committee, money and follow-up visits; an open 2026 call. Running it again changes nothing."""

from grants.demo import accounts, committee, intake, messages, money, visits
from grants.extensions import db


def seed() -> list[str]:
    lines = accounts.seed()
    lines += intake.seed()
    lines += committee.seed()
    db.session.commit()  # money operations run in transactions of their own
    lines += money.seed()
    lines += visits.seed()
    lines += messages.seed()
    return lines

"""Past dossiers in the one-grant-per-person rule: a dossier of an earlier call or programme,
funded within PAST_GRANT_ACTIVE_MONTHS (its funding date, else 1 July of its year), counts as an
active grant, as a dossier of this system between its selection and its closing does."""

from __future__ import annotations

import calendar
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from grants.extensions import db
from grants.models import PastDossier, PastOutcome


def active_since(today: date | None = None) -> date:
    """The earliest funding date of a past grant still active today."""
    day = today or date.today()
    index = day.year * 12 + day.month - 1 - int(current_app.config["PAST_GRANT_ACTIVE_MONTHS"])
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def active_past_grants(today: date | None = None) -> sa.Select:
    """SELECT beneficiary_id of the people holding an active past grant (for IN and UNION)."""
    return sa.select(PastDossier.beneficiary_id).where(
        PastDossier.outcome == PastOutcome.FUNDED,
        PastDossier.counts_from > active_since(today))


def past_grant_holders(beneficiary_ids, today: date | None = None) -> dict[int, str]:
    """{beneficiary id: "programme, year (past dossier)"} for those holding an active past grant."""
    ids = list(beneficiary_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(PastDossier.beneficiary_id, PastDossier.programme, PastDossier.year)
        .where(PastDossier.beneficiary_id.in_(ids),
               PastDossier.beneficiary_id.in_(active_past_grants(today)),
               PastDossier.outcome == PastOutcome.FUNDED)
        .order_by(PastDossier.counts_from.desc()))
    holders: dict[int, str] = {}
    for person_id, programme, year in rows:
        holders.setdefault(person_id, str(_l("%(programme)s, %(year)s (past dossier)",
                                             programme=programme, year=year)))
    return holders


def past_dossiers_of(*beneficiary_ids: int) -> list[PastDossier]:
    """The past dossiers of returnees (one, or a dossier's members), the latest first."""
    return list(db.session.scalars(sa.select(PastDossier).where(
        PastDossier.beneficiary_id.in_(beneficiary_ids)).order_by(
        PastDossier.year.desc(), PastDossier.id.desc())))


def counts_as_active(dossier: PastDossier, today: date | None = None) -> bool:
    """The same test as `active_past_grants`, for one dossier already loaded."""
    return (dossier.outcome is PastOutcome.FUNDED and dossier.counts_from is not None
            and dossier.counts_from > active_since(today))

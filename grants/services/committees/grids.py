"""The scoring grid of a call: the default criteria of docs/DOMAIN.md (C1–C7 out of 100, pass mark
60), edited by the programme until the first score locks it."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from grants.extensions import db
from grants.models import (
    Call,
    Criterion,
    ScoringGrid,
    User,
)
from grants.services import audit
from grants.services.errors import ConflictError, ValidationError

# The default grid of docs/DOMAIN.md: code, French label, English label, maximum, social priority.
DEFAULT_CRITERIA = [
    ("C1", "Profil du demandeur : expérience et compétences dans l'activité (y compris acquises "
           "à l'étranger), formation, motivation",
     "Applicant profile: experience and skills in the activity (incl. acquired abroad), "
     "training, motivation", 20, False),
    ("C2", "Pertinence et marché : demande locale, concurrence, clientèle",
     "Relevance and market: local demand, competition, customers", 20, False),
    ("C3", "Faisabilité technique : local, équipement, fournisseurs (factures pro forma)",
     "Technical feasibility: premises, equipment, suppliers (pro-forma invoices)", 15, False),
    ("C4", "Viabilité économique : recettes et charges prévues, marge, cohérence du budget",
     "Economic viability: forecast revenue and costs, margin, budget coherence", 20, False),
    ("C5", "Impact : emplois créés (femmes, jeunes), bénéfice pour la communauté",
     "Impact: jobs created (women, youth), benefit to the community", 10, False),
    ("C6", "Priorité sociale / vulnérabilité", "Social priority / vulnerability", 10, True),
    ("C7", "Apport personnel (en espèces ou en nature)", "Own contribution (cash or in kind)", 5,
     False),
]
DEFAULT_PASS_MARK = 60


def preview_grid(call: Call) -> ScoringGrid:
    """The call's grid, or (not saved) the default one: for pages that only read."""
    grid = db.session.scalar(db.select(ScoringGrid).where(ScoringGrid.call_id == call.id))
    if grid is None:
        grid = ScoringGrid(call_id=call.id, pass_mark=DEFAULT_PASS_MARK)
        grid.criteria = [
            Criterion(position=n, code=code, label_fr=fr, label_en=en, max_points=maximum,
                      social_priority=social)
            for n, (code, fr, en, maximum, social) in enumerate(DEFAULT_CRITERIA, start=1)]
    return grid


def grid_for(call: Call) -> ScoringGrid:
    """The call's grid, created from the default one the first time it is needed."""
    grid = preview_grid(call)
    if grid.id is None:
        db.session.add(grid)
        db.session.flush()
    return grid


@dataclass
class CriterionInput:
    code: str
    label_fr: str
    label_en: str
    guidance: str | None
    max_points: int
    eliminatory: bool
    social_priority: bool


def save_grid(actor: User, grid: ScoringGrid, pass_mark: int,
              criteria: list[CriterionInput]) -> None:
    """Replace the criteria of a grid: maxima must add up to 100; locked once scoring began."""
    if grid.locked_at is not None:
        raise ConflictError(_l("The grid is locked: scores have been recorded."))
    if grid.id is None:
        db.session.add(grid)
    if not 0 <= pass_mark <= 100:
        raise ValidationError(_l("Enter a pass mark from 0 to 100."), "pass_mark")
    codes = [(c.code or "").strip().upper() for c in criteria]
    if not criteria or len(set(codes)) != len(codes) or not all(codes):
        raise ValidationError(_l("Each criterion needs its own code."), "criteria")
    if any(not (c.label_fr or "").strip() or not (c.label_en or "").strip() for c in criteria):
        raise ValidationError(_l("Each criterion needs a label in French and in English."),
                              "criteria")
    if any(c.max_points <= 0 for c in criteria):
        raise ValidationError(_l("Each criterion needs a maximum above zero."), "criteria")
    if sum(c.max_points for c in criteria) != 100:
        raise ValidationError(_l("The maxima must add up to 100 (now %(total)d).",
                                 total=sum(c.max_points for c in criteria)), "criteria")
    if sum(c.social_priority for c in criteria) > 1:
        raise ValidationError(_l("Only one criterion can break ties (social priority)."),
                              "criteria")
    grid.pass_mark = pass_mark
    # The old criteria go first: the unit of work would insert the new ones before deleting
    # the old, and (grid, position) is unique.
    grid.criteria = []
    db.session.flush()
    grid.criteria = [
        Criterion(position=n, code=code, label_fr=c.label_fr.strip(), label_en=c.label_en.strip(),
                  guidance=(c.guidance or "").strip() or None, max_points=c.max_points,
                  eliminatory=c.eliminatory, social_priority=c.social_priority)
        for n, (code, c) in enumerate(zip(codes, criteria, strict=True), start=1)]
    db.session.flush()
    audit.record("grid.saved", actor, grid, details={"criteria": codes, "pass_mark": pass_mark})

"""Sustainability scores of the visits' questionnaires and the weight sets they are computed
with. Loading a new weight set recomputes every stored score with it."""

import math

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from grants.extensions import db
from grants.models import SustainabilityScore, User, Visit, WeightSet
from grants.services import audit
from grants.services.errors import ValidationError
from grants.services.followup.questionnaire import ITEMS_BY_CODE, Scores, compute, low_dimensions


def current_weight_set() -> WeightSet:
    weight_set = db.session.scalar(sa.select(WeightSet).order_by(WeightSet.version.desc())
                                   .limit(1))
    if weight_set is None:  # the migration ships version 1
        raise RuntimeError("no weight set: run the migrations")
    return weight_set


def score_visit(visit: Visit, weight_set: WeightSet | None = None) -> SustainabilityScore | None:
    """Store (or refresh) the scores of a visit's questionnaire."""
    if not visit.survey:
        return None
    weight_set = weight_set or current_weight_set()
    scores = compute(visit.survey, weight_set.weights)
    row = visit.score or SustainabilityScore(visit_id=visit.id)
    row.weight_set_id = weight_set.id
    row.economic, row.social = scores.economic, scores.social
    row.psychosocial, row.composite = scores.psychosocial, scores.composite
    row.answered = scores.answered
    db.session.add(row)
    db.session.flush()
    return row


def parse_weights(text: str) -> dict[str, float]:
    """Weights typed as lines `item_code = weight` (or `item_code;weight`, as Excel saves it)."""
    weights: dict[str, float] = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        code, sep, value = line.replace(";", "=").partition("=")
        code, value = code.strip(), value.strip().replace(",", ".")  # 0,5 as typed in French
        if not sep or code not in ITEMS_BY_CODE:
            raise ValidationError(_l("Line %(n)d: unknown item \"%(code)s\".", n=number,
                                     code=code[:40]), "weights")
        try:
            weight = float(value)
        except ValueError:
            weight = math.nan
        if not math.isfinite(weight) or weight < 0 or weight > 100:
            raise ValidationError(_l("Line %(n)d: the weight must be a number from 0 to 100.",
                                     n=number), "weights")
        weights[code] = weight
    missing = set(ITEMS_BY_CODE) - set(weights)
    if missing:
        raise ValidationError(_l("Give a weight to every item; missing: %(codes)s.",
                                 codes=", ".join(sorted(missing))), "weights")
    if sum(weights.values()) <= 0:
        raise ValidationError(_l("At least one weight must be above zero."), "weights")
    return weights


def check_weight_set(name: str, threshold: float | None) -> None:
    """The form's checks, also run before the recomputation is queued as a job."""
    if not (name or "").strip():
        raise ValidationError(_l("Name the weight set."), "name")
    if threshold is None or not (0 < threshold < 1):
        raise ValidationError(_l("The threshold must be between 0 and 1."), "threshold")


def replace_weight_set(actor: User, *, name: str, official: bool, threshold: float,
                       weights: dict[str, float]) -> tuple[WeightSet, int]:
    """Load a new version of the weights and recompute every stored score with it."""
    check_weight_set(name, threshold)
    version = (db.session.scalar(sa.select(sa.func.max(WeightSet.version))) or 0) + 1
    weight_set = WeightSet(version=version, name=name.strip(), official=official,
                           threshold=threshold, weights=weights, created_by_id=actor.id)
    db.session.add(weight_set)
    db.session.flush()
    recomputed = 0
    surveyed = (sa.select(Visit).options(selectinload(Visit.score))
                .where(Visit.survey.is_not(None)).order_by(Visit.id))
    for visit in db.session.scalars(surveyed):
        if score_visit(visit, weight_set) is not None:
            recomputed += 1
    audit.record("weight_set.loaded", actor, weight_set,
                 details={"version": version, "recomputed": recomputed})
    return weight_set, recomputed


def suggestions(visit: Visit):
    """The dimensions of a visit's scores below the threshold of their weight set."""
    row = visit.score
    if row is None:
        return []
    scores = Scores(row.economic, row.social, row.psychosocial, row.composite, row.answered)
    return low_dimensions(scores, row.weight_set.threshold)

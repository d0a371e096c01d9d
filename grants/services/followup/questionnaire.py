"""The sustainable reintegration questionnaire (IOM approach, docs/DOMAIN.md) and its scoring.

Each answer is normalised to [0, 1] (best = 1). A dimension's score is the weighted mean of its
answered items; the composite is the weighted mean of all answered items, computed only when every
dimension that weighs in the weight set has a score: a composite without a whole dimension would
read as a reintegration score while it says nothing of that dimension. Unanswered items (left
blank, "don't know") count for nothing, neither in the numerator nor in the denominator. The
weights come from a versioned weight set (models.WeightSet); only the raw answers are stored with a
visit, so scores can be recomputed when a new weight set is loaded."""

from dataclasses import dataclass, replace

from flask_babel import lazy_gettext as _l

from grants.vocabulary import LabelledEnum, ReferralService


class Dimension(LabelledEnum):
    ECONOMIC = "economic", _l("Economic")
    SOCIAL = "social", _l("Social")
    PSYCHOSOCIAL = "psychosocial", _l("Psychosocial")


@dataclass(frozen=True)
class Option:
    code: str
    label: object  # a lazy string
    value: float  # normalised: best = 1


SATISFACTION = (
    Option("very_unsatisfied", _l("Very unsatisfied"), 0.0),
    Option("unsatisfied", _l("Unsatisfied"), 0.25),
    Option("neutral", _l("Neither"), 0.5),
    Option("satisfied", _l("Satisfied"), 0.75),
    Option("very_satisfied", _l("Very satisfied"), 1.0),
)
YES_GOOD = (Option("yes", _l("Yes"), 1.0), Option("no", _l("No"), 0.0))
YES_BAD = (Option("yes", _l("Yes"), 0.0), Option("no", _l("No"), 1.0))
NEVER_GOOD = (Option("never", _l("Never"), 1.0), Option("sometimes", _l("Sometimes"), 0.5),
              Option("often", _l("Often"), 0.0))
OFTEN_GOOD = (Option("often", _l("Often"), 1.0), Option("sometimes", _l("Sometimes"), 0.5),
              Option("never", _l("Never"), 0.0))
ACCESS = (Option("good", _l("Good access"), 1.0), Option("limited", _l("Limited access"), 0.5),
          Option("none", _l("No access"), 0.0))
QUALITY = (Option("good", _l("Good"), 1.0), Option("average", _l("Average"), 0.5),
           Option("poor", _l("Poor"), 0.0))
AGREE = (Option("agree", _l("Agree"), 1.0), Option("partly", _l("Partly"), 0.5),
         Option("disagree", _l("Disagree"), 0.0))
DEBT = (Option("none", _l("No debt"), 1.0),
        Option("lower", _l("Less than a month's spending"), 0.5),
        Option("higher", _l("More than a month's spending"), 0.0))


@dataclass(frozen=True)
class Item:
    code: str
    dimension: Dimension
    question: object  # a lazy string, read aloud by the field officer
    options: tuple[Option, ...]

    def value_of(self, answer: str | None) -> float | None:
        return next((o.value for o in self.options if o.code == answer), None)


E, S, P = Dimension.ECONOMIC, Dimension.SOCIAL, Dimension.PSYCHOSOCIAL
ITEMS: tuple[Item, ...] = (
    Item("eco_satisfaction", E, _l("How satisfied are you with your economic situation?"),
         SATISFACTION),
    Item("eco_food_reduced", E, _l("Did you have to eat less because food cost too much?"),
         NEVER_GOOD),
    Item("eco_can_borrow", E, _l("Could you borrow money if you needed it?"), YES_GOOD),
    Item("eco_borrowing", E, _l("How often do you borrow money?"), NEVER_GOOD),
    Item("eco_debt", E, _l("Your debts compared with a month's spending"), DEBT),
    Item("eco_income", E, _l("Do you have work or an income?"), YES_GOOD),
    Item("eco_assets", E, _l("Do you own productive assets (tools, animals, land)?"), YES_GOOD),
    Item("eco_job_search", E, _l("Are you looking for another job?"), YES_BAD),
    Item("eco_training_access", E, _l("Access to employment or training services"), ACCESS),
    Item("soc_housing_access", S, _l("Access to housing"), ACCESS),
    Item("soc_housing_standard", S, _l("Standard of your housing"), QUALITY),
    Item("soc_education_access", S, _l("Access to education"), ACCESS),
    Item("soc_children_school", S, _l("Do your school-age children go to school?"), YES_GOOD),
    Item("soc_justice_access", S, _l("Access to justice and the police"), ACCESS),
    Item("soc_id_document", S, _l("Do you have an identity document?"), YES_GOOD),
    Item("soc_documentation_access", S, _l("Access to civil documents (birth certificate…)"),
         ACCESS),
    Item("soc_water", S, _l("Access to safe drinking water"), ACCESS),
    Item("soc_health_access", S, _l("Access to health care"), ACCESS),
    Item("soc_health_quality", S, _l("Quality of the health care you can get"), QUALITY),
    Item("psy_activities", P, _l("Do you take part in community or social activities?"),
         OFTEN_GOOD),
    Item("psy_support_network", P, _l("Do you have people to turn to when in need?"), YES_GOOD),
    Item("psy_belonging", P, _l("I feel part of the community where I live"), AGREE),
    Item("psy_safety", P, _l("I feel physically safe where I live"), AGREE),
    Item("psy_tensions", P, _l("Tensions or conflicts with family or community"), NEVER_GOOD),
    Item("psy_discrimination", P, _l("Have you been treated unfairly since your return?"),
         NEVER_GOOD),
    Item("psy_distress", P, _l("Signs of distress (sleeplessness, sadness, anger, fear)"),
         NEVER_GOOD),
    Item("psy_wants_support", P, _l("Would you like psychological support?"), YES_BAD),
    Item("psy_able_to_stay", P, _l("I feel able to stay in Mali (not forced to leave again)"),
         AGREE),
)
ITEMS_BY_CODE = {item.code: item for item in ITEMS}

# A low dimension suggests these partner services.
SUGGESTED_SERVICES: dict[Dimension, tuple[ReferralService, ...]] = {
    E: (ReferralService.MICROFINANCE, ReferralService.EMPLOYMENT, ReferralService.TRAINING),
    S: (ReferralService.CIVIL_DOCUMENTS, ReferralService.HOUSING, ReferralService.HEALTH,
        ReferralService.LEGAL),
    P: (ReferralService.PSYCHOSOCIAL,),
}


def items_of(dimension: Dimension) -> list[Item]:
    return [item for item in ITEMS if item.dimension == dimension]


def equal_weights() -> dict[str, float]:
    return {item.code: 1.0 for item in ITEMS}


def _weighs(dimension: Dimension, weights: dict[str, float]) -> bool:
    """Whether the weight set counts `dimension` at all (a set may leave one out on purpose)."""
    return any(float(weights.get(item.code, 0)) > 0 for item in items_of(dimension))


def unanswered_dimensions(scores, weights: dict[str, float]) -> list[Dimension]:
    """The dimensions that weigh in `weights` but have no score in `scores` (computed `Scores`
    or a stored row): without them there is no composite."""
    return [d for d in Dimension if getattr(scores, d.value) is None and _weighs(d, weights)]


def composite_note(scores, weights: dict[str, float]) -> str | None:
    """Why the composite score of `scores` is not computed, in words; None when it is."""
    missing = unanswered_dimensions(scores, weights)
    if not missing:
        return None
    return str(_l("Not computed, dimension(s) without an answer: %(dimensions)s.",
                  dimensions=", ".join(d.label.lower() for d in missing)))


@dataclass(frozen=True)
class Scores:
    economic: float | None
    social: float | None
    psychosocial: float | None
    composite: float | None
    answered: int

    def of(self, dimension: Dimension) -> float | None:
        return getattr(self, dimension.value)


def _weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    total_weight = sum(weight for _value, weight in pairs)
    if total_weight <= 0:
        return None
    return round(sum(value * weight for value, weight in pairs) / total_weight, 4)


def compute(answers: dict[str, str], weights: dict[str, float]) -> Scores:
    """The four scores of one questionnaire under `weights` (items without weight count 0)."""
    given = {code: (ITEMS_BY_CODE[code].value_of(answer), float(weights.get(code, 0)))
             for code, answer in (answers or {}).items() if code in ITEMS_BY_CODE}
    answered = {code: (value, weight) for code, (value, weight) in given.items()
                if value is not None}
    by_dimension = {
        dimension: _weighted_mean([pair for code, pair in answered.items()
                                   if ITEMS_BY_CODE[code].dimension == dimension])
        for dimension in Dimension}
    scores = Scores(economic=by_dimension[E], social=by_dimension[S],
                    psychosocial=by_dimension[P], composite=None, answered=len(answered))
    if unanswered_dimensions(scores, weights):
        return scores
    return replace(scores, composite=_weighted_mean(list(answered.values())))


def low_dimensions(scores: Scores, threshold: float) -> list[Dimension]:
    return [d for d in Dimension if (score := scores.of(d)) is not None and score < threshold]

"""The facts the figures count, each one SELECT filtered by a ReportFilter and cut by the
breakdowns (see frames.Fact): returnees registered, dossiers and the stages they reached,
visits, survival at a milestone, scores, referrals. The money facts (ledger movements,
appropriations, payment orders, tranches on time) are in grants/reporting/money_facts.py."""

from datetime import date
from functools import lru_cache

import sqlalchemy as sa

from grants.models import (
    Application,
    ApplicationEvent,
    Beneficiary,
    BeneficiaryRestricted,
    BudgetEnvelope,
    Call,
    Consent,
    DuplicateReview,
    Grant,
    Referral,
    SustainabilityScore,
    Visit,
    WeightSet,
)
from grants.reporting.filters import ReportFilter
from grants.reporting.frames import Fact, count_if, sum_if, uses, whole
from grants.services.followup.monitoring import milestone_fate
from grants.vocabulary import VerificationStatus
from grants.workflow import ACTIVE_GRANT_STATUSES, ApplicationStatus, VisitStatus

# --- returnees -------------------------------------------------------------------------------


def _registrations(flt: ReportFilter, used: frozenset[str] | None = None):
    return sa.select(Beneficiary.id).where(*flt.regions(Beneficiary.region_id),
                                           *flt.dates(Beneficiary.created_at))


_active_consent = (sa.select(Consent.id).where(Consent.beneficiary_id == Beneficiary.id,
                                               Consent.withdrawn_at.is_(None))
                   .correlate(Beneficiary).exists())
# A duplicate is resolved when someone decided on the pair (the same person, or two people).
_duplicate_decided = (sa.select(DuplicateReview.id).where(sa.or_(
    DuplicateReview.beneficiary_id == Beneficiary.id, DuplicateReview.other_id == Beneficiary.id))
    .correlate(Beneficiary).exists())
# Only a count of people with a vulnerability recorded, never which one (shown hidden below
# the small-cell threshold, see grants/reporting/indicators.py).
_vulnerable = (sa.select(BeneficiaryRestricted.beneficiary_id).where(
    BeneficiaryRestricted.beneficiary_id == Beneficiary.id,
    sa.cast(BeneficiaryRestricted.vulnerabilities, sa.String) != "[]")
    .correlate(Beneficiary).exists())

REGISTRATIONS = Fact(
    "registrations", _registrations,
    lambda: {"period": Beneficiary.created_at, "region": Beneficiary.region_id,
             "sex": Beneficiary.sex, "age_band": Beneficiary.birth_date,
             "youth": Beneficiary.birth_date},
    lambda: {"registered": sa.func.count(Beneficiary.id),
             "with_consent": count_if(_active_consent),
             "verified": count_if(Beneficiary.verification_status == VerificationStatus.VERIFIED),
             "suspected_duplicates": count_if(
                 Beneficiary.verification_status == VerificationStatus.SUSPECTED_DUPLICATE),
             "duplicates_resolved": count_if(_duplicate_decided),
             "vulnerable": count_if(_vulnerable)})


# --- dossiers --------------------------------------------------------------------------------
# A dossier's stages are read from its history (a dossier declared eligible then withdrawn was
# eligible), its funding from its agreement (signed, even if later cancelled).

def _stages():
    event = ApplicationEvent
    return (sa.select(event.application_id,
                      sa.func.max(sa.case((event.to_status == ApplicationStatus.ELIGIBLE, 1),
                                          else_=0)).label("eligible"),
                      sa.func.max(sa.case((event.to_status == ApplicationStatus.SELECTED, 1),
                                          else_=0)).label("selected"))
            .where(event.to_status.in_((ApplicationStatus.ELIGIBLE, ApplicationStatus.SELECTED)))
            .group_by(event.application_id).subquery("stages"))


STAGES = _stages()  # one object: the FROM and the measures must name the same subquery
SELECTED_OR_LATER = ACTIVE_GRANT_STATUSES | {ApplicationStatus.CLOSED}
SCREENED_ELIGIBLE = SELECTED_OR_LATER | {
    ApplicationStatus.ELIGIBLE, ApplicationStatus.UNDER_REVIEW, ApplicationStatus.WAITLISTED,
    ApplicationStatus.REJECTED}


def _people_and_money(query: sa.Select, flt: ReportFilter, used: frozenset[str] | None
                      ) -> sa.Select:
    """`query` (FROM a row that names its Application) joined to the lead person, the call and
    its envelope where the columns read or the filter need them (each dossier has exactly
    one of each: leaving the join out changes no count)."""
    if uses(used, "beneficiary"):
        query = query.join(Beneficiary, Beneficiary.id == Application.lead_id)
    envelope = flt.funding_source is not None or uses(used, "budget_envelope")
    if envelope or flt.envelope_id is not None or uses(used, "call"):
        query = query.join(Call, Call.id == Application.call_id)
    if envelope:
        query = query.join(BudgetEnvelope, BudgetEnvelope.id == Call.envelope_id)
    return query.where(*flt.call(Application.call_id),
                       *flt.money_source(Call.envelope_id, BudgetEnvelope.funding_source))


def _dossiers(flt: ReportFilter, used: frozenset[str] | None = None):
    query = sa.select(Application.id)
    if uses(used, "stages"):
        query = query.outerjoin(STAGES, STAGES.c.application_id == Application.id)
    if uses(used, "grant_agreement"):
        query = query.outerjoin(Grant, sa.and_(Grant.application_id == Application.id,
                                               Grant.signed_on.is_not(None)))
    return _people_and_money(query, flt, used).where(
        Application.submitted_at.is_not(None), *flt.regions(Application.region_id),
        *flt.dates(Application.submitted_at))


def _dossier_measures():
    status = Application.status
    # The funnel never widens: a dossier with an agreement was selected, a selected one was
    # eligible, whatever its history says (dossiers moved before the history was kept).
    funded = Grant.id.is_not(None)
    selected = sa.or_(sa.func.coalesce(STAGES.c.selected, 0) == 1, funded,
                      status.in_(SELECTED_OR_LATER))
    eligible = sa.or_(sa.func.coalesce(STAGES.c.eligible, 0) == 1, selected,
                      status.in_(SCREENED_ELIGIBLE))
    return {
        "submitted": sa.func.count(Application.id),
        "eligible": count_if(eligible),
        "ineligible": count_if(status == ApplicationStatus.INELIGIBLE),
        "selected": count_if(selected),
        "waitlisted": count_if(status == ApplicationStatus.WAITLISTED),
        "not_selected": count_if(status == ApplicationStatus.REJECTED),
        "funded": count_if(funded),
        "requested": whole(sa.func.sum(Application.requested_amount)),
        "jobs_planned": whole(sa.func.sum(Application.jobs_planned)),
        "jobs_planned_women": whole(sa.func.sum(Application.jobs_women)),
        "jobs_planned_youth": whole(sa.func.sum(Application.jobs_youth)),
        # The jobs the funded projects promised (the outcomes compare them with the visits').
        "funded_jobs_planned": sum_if(funded, sa.func.coalesce(Application.jobs_planned, 0)),
        "funded_jobs_women": sum_if(funded, sa.func.coalesce(Application.jobs_women, 0)),
        "funded_jobs_youth": sum_if(funded, sa.func.coalesce(Application.jobs_youth, 0)),
    }


def _dossier_dimensions():
    return {"period": Application.submitted_at, "region": Application.region_id,
            "sex": Beneficiary.sex, "age_band": Beneficiary.birth_date,
            "youth": Beneficiary.birth_date, "sector": Application.sector,
            "project_type": Application.project_type, "call": Application.call_id,
            "envelope": Call.envelope_id, "funding_source": BudgetEnvelope.funding_source}


# Submitted dossiers (a draft is not counted), dated by their submission.
DOSSIERS = Fact("dossiers", _dossiers, _dossier_dimensions, _dossier_measures)


# --- follow-up -------------------------------------------------------------------------------

def _visits(flt: ReportFilter, used: frozenset[str] | None = None, *, cancelled: bool = False):
    query = sa.select(Visit.id).where(
        sa.true() if cancelled else Visit.status != VisitStatus.CANCELLED,
        *flt.regions(Visit.region_id), *flt.dates(Visit.due_on))
    # A visit's region is its own: its dossier is joined only for a column or a filter of it.
    if (uses(used, "application", "beneficiary", "call", "budget_envelope")
            or flt.call_id is not None or flt.envelope_id is not None
            or flt.funding_source is not None):
        query = _people_and_money(
            query.join(Application, Application.id == Visit.application_id), flt, used)
    return query


def person_dimensions(date_column):
    """Who and what a row is about (the dossier's lead person, region, sector, call and
    envelope), `period` being `date_column`."""
    return {"period": date_column, "region": Application.region_id, "sex": Beneficiary.sex,
            "age_band": Beneficiary.birth_date, "youth": Beneficiary.birth_date,
            "sector": Application.sector, "project_type": Application.project_type,
            "call": Application.call_id, "envelope": Call.envelope_id,
            "funding_source": BudgetEnvelope.funding_source}


@lru_cache(maxsize=8)  # built once a day: figures read it several times per request
def visits(today: date) -> Fact:
    """Visits not cancelled, dated by their due date; overdue counted as of `today`. Jobs
    found are those of validated visits."""
    validated = Visit.status == VisitStatus.VALIDATED
    return Fact("visits", _visits,
                lambda: person_dimensions(Visit.due_on) | {"region": Visit.region_id}, lambda: {
        "planned": sa.func.count(Visit.id),
        "validated": count_if(validated),
        "to_validate": count_if(Visit.status == VisitStatus.SUBMITTED),
        "overdue": count_if(sa.and_(Visit.status == VisitStatus.PLANNED, Visit.due_on < today)),
        "jobs_found": sum_if(validated, sa.func.coalesce(Visit.jobs_total, 0)),
        "jobs_found_women": sum_if(validated, sa.func.coalesce(Visit.jobs_women, 0)),
        "jobs_found_youth": sum_if(validated, sa.func.coalesce(Visit.jobs_youth, 0)),
    })


@lru_cache(maxsize=16)  # building the milestone's fate costs milliseconds each time
def survival(months: int, today: date) -> Fact:
    """The activities at their milestone visit `months` after the first payment, with the
    same definition as the survival page (grants/services/followup/monitoring.py)."""
    fate = milestone_fate(months)
    return Fact(f"survival_m{months}", lambda flt, used: _visits(
        flt, used, cancelled=True).outerjoin(
        fate.stopped_before, fate.stopped_before.c.grant_id == Visit.grant_id)
        .join(Grant, Grant.id == Visit.grant_id)
        .where(Visit.seq.is_not(None), Visit.months == months),
        lambda: person_dimensions(Visit.due_on) | {"region": Visit.region_id}, lambda: {
            "followed": sa.func.count(Visit.id),
            "due": count_if(Visit.due_on <= today),
            "observed": count_if(fate.known),
            "operating": count_if(fate.running)})


def _scores(flt: ReportFilter, used: frozenset[str] | None = None):
    query = (_visits(flt, used).join(SustainabilityScore,
                                     SustainabilityScore.visit_id == Visit.id)
             .where(Visit.status == VisitStatus.VALIDATED))
    if uses(used, "weight_set"):  # each score has its weight set: only for the threshold
        query = query.join(WeightSet, WeightSet.id == SustainabilityScore.weight_set_id)
    return query


def _score_measures():
    score = SustainabilityScore
    measures = {"scored": count_if(score.composite.is_not(None)),
                "above_threshold": count_if(score.composite >= WeightSet.threshold)}
    for dimension in SCORE_DIMENSIONS:
        column = getattr(score, dimension)
        measures[f"{dimension}_sum"] = sa.func.coalesce(sa.func.sum(column), 0.0)
        measures[f"{dimension}_count"] = count_if(column.is_not(None))
    return measures


SCORE_DIMENSIONS = ("economic", "social", "psychosocial", "composite")

# Sustainability scores of validated visits: sums and counts, so that a mean (sum / count) is
# right after the breakdowns merge groups (see means()).
SCORES = Fact("scores", _scores, lambda: person_dimensions(Visit.due_on) | {
    "region": Visit.region_id, "visit": Visit.seq}, _score_measures,
    reals=frozenset(f"{dimension}_sum" for dimension in SCORE_DIMENSIONS))


def means(frame):
    """The mean of each score dimension from a SCORES frame (NA where nothing was scored)."""
    frame = frame.copy()
    for dimension in SCORE_DIMENSIONS:
        count = frame.pop(f"{dimension}_count")
        frame[dimension] = (frame.pop(f"{dimension}_sum") / count.astype("Float64")).where(
            count > 0)
    return frame


# --- referrals -------------------------------------------------------------------------------

def _referrals(flt: ReportFilter, used: frozenset[str] | None = None):
    query = sa.select(Referral.id).where(*flt.regions(Referral.region_id),
                                         *flt.dates(Referral.created_at))
    if uses(used, "beneficiary"):
        query = query.join(Beneficiary, Beneficiary.id == Referral.beneficiary_id)
    return query


REFERRALS = Fact("referrals", _referrals, lambda: {
    "period": Referral.created_at, "region": Referral.region_id, "sex": Beneficiary.sex,
    "age_band": Beneficiary.birth_date, "youth": Beneficiary.birth_date,
    "referral_service": Referral.service, "referral_status": Referral.status},
    lambda: {"referrals": sa.func.count(Referral.id)})

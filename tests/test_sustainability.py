"""Sustainability scores: normalised answers, unanswered items, weight sets replaced and scores
recomputed, low dimensions suggesting referrals; referrals need the sharing consent."""

import uuid

import pytest
from flask_babel import force_locale

from grants.extensions import db
from grants.models import Beneficiary, Partner, Referral, SustainabilityScore, Visit, WeightSet
from grants.services.errors import ConflictError, ValidationError
from grants.services.followup import referrals, sustainability, visit_reports
from grants.services.followup.questionnaire import (
    ITEMS,
    Dimension,
    composite_note,
    compute,
    equal_weights,
    unanswered_dimensions,
)
from grants.vocabulary import ConsentScope, ReferralService
from grants.workflow import ReferralStatus
from tests.factories import plan, report, user


def test_scores_are_weighted_means_of_the_answered_items_only():
    answers = {"eco_income": "yes", "eco_assets": "no", "eco_debt": "lower",  # 1, 0, 0.5
               "psy_safety": "agree", "soc_id_document": "yes",
               "soc_water": ""}  # a blank answer counts for nothing
    scores = compute(answers, equal_weights())
    assert scores.economic == 0.5
    assert scores.social == 1.0  # the blank answer is not a 0
    assert scores.psychosocial == 1.0
    assert scores.composite == 0.7  # (1 + 0 + 0.5 + 1 + 1) / 5
    assert scores.answered == 5
    weights = {**equal_weights(), "eco_income": 3.0}
    assert compute(answers, weights).economic == 0.7  # (3·1 + 0 + 0.5) / 5


def test_no_composite_score_when_a_whole_dimension_that_weighs_is_unanswered(app):
    """Issue 10, point 19: economic and psychosocial answered, social left blank: the composite
    would pass for a reintegration score while it says nothing of the social dimension."""
    answers = {"eco_income": "yes", "psy_safety": "agree", "soc_water": ""}
    scores = compute(answers, equal_weights())
    assert (scores.economic, scores.social, scores.psychosocial) == (1.0, None, 1.0)
    assert scores.composite is None
    assert unanswered_dimensions(scores, equal_weights()) == [Dimension.SOCIAL]
    with app.test_request_context(), force_locale("en"):
        assert composite_note(scores, equal_weights()) == \
            "Not computed, dimension(s) without an answer: social."
    # A weight set that leaves the social dimension out on purpose computes it without it.
    without_social = {code: 0.0 if code.startswith("soc_") else 1.0 for code in equal_weights()}
    scores = compute(answers, without_social)
    assert scores.composite == 1.0 and composite_note(scores, without_social) is None


def test_the_best_answers_score_one_and_the_worst_zero():
    best = {item.code: max(item.options, key=lambda o: o.value).code for item in ITEMS}
    worst = {item.code: min(item.options, key=lambda o: o.value).code for item in ITEMS}
    assert compute(best, equal_weights()).composite == 1.0
    assert compute(worst, equal_weights()).composite == 0.0
    assert compute({}, equal_weights()).composite is None


def test_the_shipped_weight_set_is_equal_and_marked_unofficial(app):
    with app.app_context():
        shipped = sustainability.current_weight_set()
        assert (shipped.version, shipped.official, shipped.threshold) == (1, False, 0.5)
        assert "non officiel" in shipped.name
        assert shipped.weights == equal_weights()  # every item of the questionnaire


def _surveyed_visit(ids):
    first = plan(ids)[0]
    answers = {"eco_income": "yes", "eco_assets": "yes", "psy_distress": "often",
               "psy_wants_support": "yes", "soc_id_document": "no"}
    visit_reports.submit_visit(user(ids, "field"), first.id, report(first, survey=answers),
                        str(uuid.uuid4()))
    db.session.commit()
    return db.session.get(Visit, first.id)


def test_a_visit_with_the_questionnaire_stores_its_scores_and_suggests_referrals(app, followed):
    with app.app_context():
        visit = _surveyed_visit(followed)
        score = visit.score
        assert (score.economic, score.social, score.psychosocial) == (1.0, 0.0, 0.0)
        assert score.answered == 5 and score.weight_set.version == 1
        assert sustainability.suggestions(visit) == [Dimension.SOCIAL, Dimension.PSYCHOSOCIAL]


def test_replacing_the_weight_set_recomputes_the_stored_scores(app, followed):
    with app.app_context():
        visit = _surveyed_visit(followed)
        lines = "\n".join(f"{code} = {0 if code.startswith('psy') else 1}" for code in
                          equal_weights())
        lines = lines.replace("eco_income = 1", "eco_income = 2,5")  # a French decimal comma
        weights = sustainability.parse_weights(lines)
        weight_set, recomputed = sustainability.replace_weight_set(
            user(followed, "manager"), name="OIM 2026", official=True, threshold=0.4,
            weights=weights)
        db.session.commit()
        assert (weight_set.version, recomputed) == (2, 1)
        score = db.session.scalar(db.select(SustainabilityScore)
                                  .where(SustainabilityScore.visit_id == visit.id))
        assert score.weight_set_id == weight_set.id
        assert score.psychosocial is None  # its items now weigh nothing
        assert score.composite == pytest.approx(3.5 / 4.5, abs=1e-4)  # (2.5 + 1 + 0) / 4.5
        assert db.session.scalar(db.select(db.func.count(WeightSet.id))) == 2


@pytest.mark.parametrize(("text", "needle"), [
    ("eco_income = 1", "missing"),
    ("nonsense = 1", "unknown item"),
    ("\n".join(f"{code} = -1" for code in equal_weights()), "from 0 to 100"),
    ("\n".join(f"{code} = NaN" for code in equal_weights()), "from 0 to 100"),
    ("\n".join(f"{code} = 0" for code in equal_weights()), "above zero"),
])
def test_bad_weights_are_refused_with_the_line(app, text, needle):
    with app.test_request_context(headers={"Accept-Language": "en"}), \
            pytest.raises(ValidationError) as refused:
        sustainability.parse_weights(text)
    assert needle in str(refused.value.message)


@pytest.fixture
def partner(app, followed):
    with app.app_context():
        p = referrals.save_partner(user(followed, "manager"), Partner(), name="Centre Kayes",
                                   services=["psychosocial", "health"], region_id=None)
        db.session.commit()
        return p.id


def test_a_referral_needs_the_sharing_consent_and_follows_its_statuses(app, followed, partner):
    with app.app_context():
        visit = _surveyed_visit(followed)
        person = db.session.get(Beneficiary, visit.application.lead_id)
        field = user(followed, "field")
        consent = person.current_consent
        consent.scopes = [s for s in consent.scopes if s != ConsentScope.SHARE_CNRM.value]
        db.session.commit()
        with pytest.raises(ConflictError):
            referrals.refer(field, person, partner=db.session.get(Partner, partner),
                            service=ReferralService.PSYCHOSOCIAL, reason="Détresse", visit=visit)
        db.session.rollback()
        consent = db.session.get(Beneficiary, person.id).current_consent
        consent.scopes = [*consent.scopes, ConsentScope.SHARE_CNRM.value]
        db.session.commit()
        with pytest.raises(ValidationError):  # the partner offers no such service
            referrals.refer(field, person, partner=db.session.get(Partner, partner),
                            service=ReferralService.HOUSING, reason="Logement")
        referral = referrals.refer(field, person, partner=db.session.get(Partner, partner),
                                   service=ReferralService.PSYCHOSOCIAL, reason="Détresse",
                                   visit=visit)
        db.session.commit()
        assert referral.status == ReferralStatus.PROPOSED
        referrals.follow(field, referral, ReferralStatus.ACCEPTED)
        referrals.follow(field, referral, ReferralStatus.DONE, "Trois séances")
        db.session.commit()
        with pytest.raises(ConflictError):  # a finished referral stays finished
            referrals.follow(field, referral, ReferralStatus.REFUSED)
        assert db.session.get(Referral, referral.id).outcome_note == "Trois séances"


def test_a_field_officer_of_another_region_cannot_refer(app, followed, partner):
    from grants.services.errors import ForbiddenError

    with app.app_context():
        visit = _surveyed_visit(followed)
        person = db.session.get(Beneficiary, visit.application.lead_id)
        with pytest.raises(ForbiddenError):
            referrals.refer(user(followed, "far"), person,
                            partner=db.session.get(Partner, partner),
                            service=ReferralService.HEALTH, reason="Santé")


def test_reading_the_answers_is_on_request_and_audited_and_auditors_see_only_scores(
        app, followed, make_user):
    from grants.models import AuditEvent, Role
    from tests.conftest import login

    with app.app_context():
        visit_id = _surveyed_visit(followed).id
    field = app.test_client()
    login(field, "field")
    page = field.get(f"/suivi/visites/{visit_id}").get_data(as_text=True)
    assert "Avez-vous un travail ou un revenu" not in page and "reponses=1" in page
    page = field.get(f"/suivi/visites/{visit_id}?reponses=1").get_data(as_text=True)
    assert "Avez-vous un travail ou un revenu" in page
    make_user(Role.AUDITOR, username="audit")
    auditor = app.test_client()
    login(auditor, "audit")
    page = auditor.get(f"/suivi/visites/{visit_id}?reponses=1").get_data(as_text=True)
    assert "Scores de durabilité" in page and "Avez-vous un travail" not in page
    with app.app_context():
        reads = db.session.scalars(db.select(AuditEvent).where(
            AuditEvent.action == "visit.survey_read")).all()
        assert [(e.actor_id, e.object_id) for e in reads] == [(followed["field"], str(visit_id))]

"""Follow-up visits: plans counted from the first payment, the field officer's report
(idempotent), the supervisor's review, and the tranche that waits for a favourable visit."""

import uuid
from datetime import date, timedelta

import pytest

from grants.extensions import db
from grants.models import Application, Grant, Role, TrancheStatus, Visit
from grants.services.errors import ConflictError, ForbiddenError, ValidationError
from grants.services.followup import visit_reports, visits
from grants.services.money import payments
from grants.services.money.ledger_check import check_ledger
from grants.vocabulary import ActivityStatus, Recommendation, VisitMode
from grants.workflow import ApplicationStatus, VisitStatus
from tests import factories
from tests.factories import PAID_ON, plan, report, submit, user


def test_the_first_payment_plans_the_calls_visits(app, followed):
    with app.app_context():
        planned = plan(followed)
        assert [(v.seq, v.months) for v in planned] == [(1, 1), (2, 3), (3, 6), (4, 12)]
        assert [v.due_on for v in planned] == [visits.add_months(PAID_ON, m) for m in (1, 3, 6, 12)]
        grant = db.session.get(Grant, followed["grant"])
        assert planned[0].gates_tranche_id == grant.tranches[1].id  # V1 decides tranche 2
        assert [v.gates_tranche_id for v in planned[1:]] == [None, None, None]
        assert [v.with_survey for v in planned] == [True, False, False, True]
        assert all(v.region_id == planned[0].application.region_id for v in planned)
        assert visits.plan_visits(None, grant, PAID_ON) == []  # planning twice adds nothing
        assert len(plan(followed)) == 4


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2024, 1, 31), 1, date(2024, 2, 29)), (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2024, 7, 15), 12, date(2025, 7, 15)), (date(2024, 11, 30), 3, date(2025, 2, 28)),
])
def test_months_are_calendar_months(day, months, expected):
    assert visits.add_months(day, months) == expected


def test_a_validated_favourable_visit_releases_the_second_tranche(app, followed):
    with app.app_context():
        first = plan(followed)[0]
        grant = db.session.get(Grant, followed["grant"])
        assert grant.tranches[1].status == TrancheStatus.PLANNED
        submit(followed, first)
        assert db.session.get(Grant, followed["grant"]).tranches[1].status == \
            TrancheStatus.PLANNED  # a submitted visit is not enough: a supervisor validates
        visits.validate_visit(user(followed, "manager"), first.id, "Vu.")
        db.session.commit()
        grant = db.session.get(Grant, followed["grant"])
        assert grant.tranches[1].status == TrancheStatus.ELIGIBLE
        # …and the payment chain takes it from there
        payments.order_payment(user(followed, "officer"), grant.tranches[1].id, str(uuid.uuid4()))
        db.session.commit()
        payments.pay_tranche(user(followed, "accountant"), grant.tranches[1].id,
                            str(uuid.uuid4()), "VIR-2")
        db.session.commit()
        assert db.session.get(Grant, followed["grant"]).disbursed == grant.amount
        assert check_ledger() == []


def test_an_unfavourable_visit_keeps_the_tranche_blocked_and_says_why(app, followed):
    with app.app_context():
        first = plan(followed)[0]
        submit(followed, first, recommendation=Recommendation.UNFAVOURABLE,
               activity_status=ActivityStatus.IN_DIFFICULTY)
        visits.validate_visit(user(followed, "manager"), first.id)
        db.session.commit()
        grant = db.session.get(Grant, followed["grant"])
        assert grant.tranches[1].status == TrancheStatus.PLANNED
        tranche, visit = visits.tranche_hold(grant)
        assert (tranche.seq, visit.id, visit.recommendation) == \
            (2, first.id, Recommendation.UNFAVOURABLE)
        with pytest.raises(ConflictError):
            payments.order_payment(user(followed, "officer"), tranche.id, str(uuid.uuid4()))
        db.session.rollback()
        # A check visit planned by the supervisor now decides the tranche
        check = visits.plan_unscheduled(user(followed, "manager"), grant,
                                        due_on=date.today() + timedelta(days=7),
                                        reason="Contre-visite", gates_tranche=True)
        db.session.commit()
        assert visits.tranche_hold(grant)[1].id == check.id
        submit(followed, check)
        visits.validate_visit(user(followed, "manager"), check.id)
        db.session.commit()
        assert db.session.get(Grant, followed["grant"]).tranches[1].status == \
            TrancheStatus.ELIGIBLE


def test_the_finance_service_releases_a_tranche_only_for_a_validated_favourable_visit(
        app, followed):
    from grants.models import Tranche

    with app.app_context():
        first, second_visit = plan(followed)[:2]
        tranche_id = db.session.get(Grant, followed["grant"]).tranches[1].id
        manager = user(followed, "manager")
        with pytest.raises(ConflictError):  # V1 is only planned
            payments.favourable_visit(manager, tranche_id, first.id)
        with pytest.raises(ConflictError):  # V2 does not decide this tranche
            payments.favourable_visit(manager, tranche_id, second_visit.id)
        unfavourable = factories.validated_visit(db.session.get(Tranche, tranche_id),
                                                 "unfavourable")
        with pytest.raises(ConflictError):
            payments.favourable_visit(manager, tranche_id, unfavourable)
        favourable = factories.validated_visit(db.session.get(Tranche, tranche_id))
        with pytest.raises(ForbiddenError):  # a field officer cannot release money
            payments.favourable_visit(user(followed, "field"), tranche_id, favourable)
        assert db.session.get(Tranche, tranche_id).status == TrancheStatus.PLANNED
        payments.favourable_visit(manager, tranche_id, favourable)
        db.session.commit()
        assert db.session.get(Tranche, tranche_id).status == TrancheStatus.ELIGIBLE


def test_the_same_draft_sent_twice_is_recorded_once(app, followed):
    with app.app_context():
        first = plan(followed)[0]
        key = str(uuid.uuid4())
        done = submit(followed, first, key=key)
        again = submit(followed, first, key=key, monthly_revenue=1)  # the replayed draft
        assert again.id == done.id
        visit = db.session.get(Visit, first.id)
        assert visit.monthly_revenue == 180_000 and visit.status == VisitStatus.SUBMITTED
        assert len(visit.items) == len(visit.application.budget_lines)
        with pytest.raises(ConflictError):  # another key: a second report of the same visit
            submit(followed, first)


def test_field_officers_are_limited_to_their_regions(app, followed):
    with app.app_context():
        first = plan(followed)[0]
        with pytest.raises(ForbiddenError):
            submit(followed, first, who="far")
        db.session.rollback()
        with pytest.raises(ValidationError):
            visits.assign(user(followed, "manager"), [first], user(followed, "far"))
        db.session.rollback()
        with pytest.raises(ForbiddenError):  # a field officer does not assign
            visits.assign(user(followed, "field"), [first], user(followed, "field"))
        db.session.rollback()
        assert visits.assign(user(followed, "manager"), [first], user(followed, "field")) == 1
        db.session.commit()
        assert db.session.get(Visit, first.id).assigned_to_id == followed["field"]


def test_the_recorder_cannot_validate_their_own_visit(app, followed, make_user):
    both = make_user(Role.FIELD_OFFICER, Role.PROGRAMME_MANAGER, regions=("01",))
    with app.app_context():
        first = plan(followed)[0]
        followed["both"] = both
        submit(followed, first, who="both")
        with pytest.raises(ForbiddenError):
            visits.validate_visit(user(followed, "both"), first.id)
        db.session.rollback()
        with pytest.raises(ForbiddenError):
            visits.validate_visit(user(followed, "field"), first.id)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"visited_on": None}, "visited_on"),
    ({"visited_on": date.today() + timedelta(days=30)}, "visited_on"),  # safe across midnight
    ({"visited_on": PAID_ON - timedelta(days=1)}, "visited_on"),
    ({"mode": None}, "mode"),
    ({"activity_status": None}, "activity_status"),
    ({"recommendation": None}, "recommendation"),
    ({"jobs_women": 5}, "jobs_women"),
    ({"jobs_total": -1}, "jobs_total"),
    ({"items": {}}, "item_"),
    ({"problems": ["boredom"]}, "problems"),
    ({"survey": {"eco_income": "maybe"}}, "q_eco_income"),
    ({"jobs_total": None}, "jobs_total"),
    ({"latitude": 12.6, "longitude": None}, "latitude"),
    ({"latitude": 95.0, "longitude": -8.0}, "latitude"),
])
def test_a_bad_report_is_refused_at_its_field_and_nothing_is_saved(app, followed, overrides,
                                                                    field):
    with app.app_context():
        first = plan(followed)[0]
        with pytest.raises(ValidationError) as refused:
            submit(followed, first, **overrides)
        db.session.rollback()
        assert refused.value.field.startswith(field)
        assert db.session.get(Visit, first.id).status == VisitStatus.PLANNED


def test_by_phone_the_items_may_stay_unchecked_and_no_position_is_kept(app, followed):
    with app.app_context():
        first = plan(followed)[0]
        submit(followed, first, mode=VisitMode.PHONE, items={}, latitude=12.6, longitude=-8.0)
        visit = db.session.get(Visit, first.id)
        assert visit.items == [] and visit.latitude is None


def test_a_returned_visit_is_corrected_and_submitted_again(app, followed):
    with app.app_context():
        first = plan(followed)[0]
        submit(followed, first, monthly_revenue=10)
        with pytest.raises(ValidationError):
            visits.return_visit(user(followed, "manager"), first.id, " ")
        db.session.rollback()
        visits.return_visit(user(followed, "manager"), first.id, "Recette mensuelle ?")
        db.session.commit()
        assert db.session.get(Visit, first.id).status == VisitStatus.PLANNED
        submit(followed, first, monthly_revenue=150_000)
        assert db.session.get(Visit, first.id).monthly_revenue == 150_000


def test_unscheduled_visits_need_a_reason_and_a_waiting_tranche_to_gate(app, followed):
    with app.app_context():
        grant = db.session.get(Grant, followed["grant"])
        manager = user(followed, "manager")
        with pytest.raises(ValidationError):
            visits.plan_unscheduled(manager, grant, due_on=date.today(), reason="")
        for far_off in (date(2999, 1, 1), PAID_ON - timedelta(days=1)):
            with pytest.raises(ValidationError) as refused:
                visits.plan_unscheduled(manager, grant, due_on=far_off, reason="x")
            assert refused.value.field == "due_on"
        with pytest.raises(ForbiddenError):  # a field officer does not decide the tranche
            visits.plan_unscheduled(user(followed, "field"), grant, due_on=date.today(),
                                    reason="x", gates_tranche=True)
        with pytest.raises(ForbiddenError):  # nor works outside their regions
            visits.plan_unscheduled(user(followed, "far"), grant, due_on=date.today(),
                                    reason="x")
        own = visits.plan_unscheduled(user(followed, "field"), grant, due_on=date.today(),
                                      reason="Appel du bénéficiaire")
        assert own.assigned_to_id == followed["field"] and own.gates_tranche_id is None
        extra = visits.plan_unscheduled(manager, grant, due_on=date.today(), reason="Appel reçu",
                                        assignee=user(followed, "field"))
        db.session.commit()
        assert extra.seq is None and extra.assigned_to_id == followed["field"]
        assert extra.gates_tranche_id is None
        assert plan(followed)[0].gates_tranche_id is not None  # V1 still decides the tranche


def test_cancelled_grant_application_keeps_its_visits_closed(app, followed):
    with app.app_context():
        first = plan(followed)[0]
        visits.cancel_visit(user(followed, "manager"), first.id, "Bénéficiaire parti")
        db.session.commit()
        with pytest.raises(ConflictError):
            submit(followed, first)
        assert db.session.get(Application, followed["application"]).status == \
            ApplicationStatus.IN_DISBURSEMENT


def test_cancelling_the_agreement_cancels_its_planned_visits(app, followed):
    from grants.services.money import agreements

    with app.app_context():
        first = plan(followed)[0]
        submit(followed, first)
        agreements.cancel_grant(user(followed, "manager"), followed["grant"], "Abandon",
                                str(uuid.uuid4()))
        db.session.commit()
        assert [v.status for v in plan(followed)] == [
            VisitStatus.SUBMITTED, VisitStatus.CANCELLED, VisitStatus.CANCELLED,
            VisitStatus.CANCELLED]
        assert check_ledger() == []


def test_a_draft_resent_after_the_visit_was_sent_back_records_nothing(app, followed):
    with app.app_context():
        first, second = plan(followed)[:2]
        key = str(uuid.uuid4())
        submit(followed, first, key=key, monthly_revenue=10)
        visits.return_visit(user(followed, "manager"), first.id, "Recette ?")
        db.session.commit()
        submit(followed, first, key=key, monthly_revenue=10)  # the old draft, sent again
        assert db.session.get(Visit, first.id).status == VisitStatus.PLANNED
        with pytest.raises(ConflictError):  # a key is bound to its visit
            submit(followed, second, key=key)
        db.session.rollback()
        submit(followed, first, monthly_revenue=150_000)  # the corrected report, a new key
        assert db.session.get(Visit, first.id).monthly_revenue == 150_000


def test_eight_sendings_of_the_same_draft_at_once_record_it_once(app, followed):
    import threading

    from grants.models import AuditEvent

    with app.app_context():
        visit_id = plan(followed)[0].id
    key, results, barrier = str(uuid.uuid4()), [], threading.Barrier(8, timeout=30)

    def send():
        barrier.wait()
        with app.app_context():
            try:
                visit = db.session.get(Visit, visit_id)
                done = visit_reports.submit_visit(user(followed, "field"), visit_id, report(visit), key)
                db.session.commit()
                results.append(done.id)
            except Exception as error:  # noqa: BLE001 (the assertion below shows it)
                db.session.rollback()
                results.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [visit_id] * 8
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(
            AuditEvent.action == "visit.submit")) == 1


@pytest.mark.parametrize("status", list(VisitStatus))
def test_the_visit_workflow_allows_exactly_its_table(app, followed, status):
    from grants.workflow import VISIT_TRANSITIONS, VisitAction

    with app.app_context():
        for action in VisitAction:
            visit = plan(followed)[0]
            visit.status = status
            db.session.commit()
            target = VISIT_TRANSITIONS.get((status, action))
            if target is None:
                with pytest.raises(ConflictError):
                    visits.transition_visit(user(followed, "manager"), visit, action)
                db.session.rollback()
            else:
                visits.transition_visit(user(followed, "manager"), visit, action)
                assert db.session.get(Visit, visit.id).status == target
                db.session.rollback()

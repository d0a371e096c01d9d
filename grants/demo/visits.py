"""Demo follow-up: visits of the funded 2024 projects recorded by the two field officers and
validated by the programme manager. Most V1 are favourable and their second tranches paid; a
few are unfavourable (a check visit is planned); some later visits are overdue; V1 and V4 carry
the questionnaire; a few returnees are referred to partners."""

import random
import uuid
from datetime import date, timedelta

from grants.extensions import db
from grants.models import Channel, Grant, Partner, Region, User, Visit
from grants.services.followup import referrals, visit_reports, visits
from grants.services.followup.questionnaire import ITEMS
from grants.services.money import batches, payments
from grants.vocabulary import (
    ActivityStatus,
    ItemPresence,
    Recommendation,
    ReferralService,
    VisitMode,
)
from grants.workflow import ReferralStatus, VisitStatus

PARTNERS = [
    ("Centre d'écoute psychosocial OIM", ["psychosocial", "health"], None, "+22320221100"),
    ("ANPE — Agence nationale pour l'emploi", ["employment", "training"], None, "+22320222233"),
    ("Kafo Jiginew (microfinance)", ["microfinance"], None, "+22320223344"),
    ("Centre d'état civil de Kayes", ["civil_documents"], "01", "+22321520000"),
    ("Clinique juridique DEME SO", ["legal", "housing"], None, "+22320224455"),
]
UNFAVOURABLE = {5, 11, 23}  # V1 unfavourable: tranche 2 held, a check visit planned
LATE_V3 = {2, 9, 19}  # V3 left undone: overdue
TO_VALIDATE_V4 = {3, 14}  # V4 recorded, waiting for the supervisor
STATUS_AT_V4 = [ActivityStatus.GROWING] * 6 + [ActivityStatus.STABLE] * 8 + [
    ActivityStatus.IN_DIFFICULTY] * 3 + [ActivityStatus.ABANDONED, ActivityStatus.REMIGRATED,
                                         ActivityStatus.CONVERTED, ActivityStatus.UNREACHABLE]


def _key() -> str:
    return str(uuid.uuid4())


def seed() -> list[str]:
    if db.session.scalar(db.select(Visit.id).where(Visit.status != VisitStatus.PLANNED)
                         .limit(1)) or not db.session.scalar(db.select(Grant.id).limit(1)):
        return ["Follow-up demo data: already loaded (or no funded project)."]
    users = {u.username: u for u in db.session.scalars(db.select(User))}
    manager, officer, accountant = users["gestionnaire"], users["ordonnateur"], users["comptable"]
    field_officers = [users["terrain"], users["terrain.sud"]]
    regions = {r.code: r.id for r in db.session.scalars(db.select(Region))}
    partners = [referrals.save_partner(manager, Partner(), name=name, services=services,
                                       region_id=regions[code] if code else None, phone=phone)
                for name, services, code, phone in PARTNERS]
    db.session.commit()
    late_payments = _pay_waiting_first_tranches(officer, accountant)
    rng = random.Random(11)
    grants = list(db.session.scalars(db.select(Grant).where(
        Grant.id.in_(db.select(Visit.grant_id))).order_by(Grant.number)))
    counts = {"recorded": 0, "second": 0, "referrals": 0}
    for n, grant in enumerate(grants):
        plan = list(db.session.scalars(db.select(Visit).where(Visit.grant_id == grant.id)
                                       .order_by(Visit.seq)))
        officer_of = next(o for o in field_officers if plan[0].region_id in o.region_ids)
        visits.assign(manager, plan, officer_of)
        db.session.commit()
        for visit in plan:
            if visit.due_on > date.today() or (visit.seq == 3 and n in LATE_V3) or (
                    visit.seq == 4 and n % 7 == 6):
                continue  # not due yet, or overdue on purpose
            status, recommendation = _outcome(visit, n)
            report = _report(rng, visit, status, recommendation)
            visit_reports.submit_visit(officer_of, visit.id, report, _key())
            db.session.commit()
            counts["recorded"] += 1
            if visit.seq == 4 and n in TO_VALIDATE_V4:
                continue
            visits.validate_visit(manager, visit.id, "Vu au bureau.")
            db.session.commit()
            if visit.seq == 1 and recommendation.releases:
                counts["second"] += _pay_second(officer, accountant, grant, report.visited_on, n)
            if visit.seq == 1 and n in UNFAVOURABLE:
                visits.plan_unscheduled(manager, db.session.get(Grant, grant.id),
                                        due_on=date.today() + timedelta(days=5 + n),
                                        reason="Contre-visite après avis défavorable",
                                        gates_tranche=True, assignee=officer_of)
                db.session.commit()
            if visit.seq == 4 and n % 5 == 0:
                counts["referrals"] += _refer(officer_of, visit, partners, n)
    batched = _prepare_batch(officer)
    return [f"Follow-up demo data: {late_payments} more first tranches paid in 2026, "
            f"{counts['recorded']} visits recorded for {len(grants)} "
            f"funded projects, {counts['second']} second tranches paid after a favourable V1, "
            f"{len(UNFAVOURABLE)} V1 unfavourable, {counts['referrals']} referrals, "
            f"{len(PARTNERS)} partners, {batched} ordered tranches in a batch to approve."]


def _prepare_batch(officer: User) -> int:
    """The ordered wallet tranches go into a batch the accountant has yet to approve."""
    for operator in (Channel.ORANGE_MONEY, Channel.MOOV_MONEY):
        waiting = [t.id for t in batches.batchable(operator)]
        if waiting:
            batches.create_batch(officer, operator, waiting)
            db.session.commit()
            return len(waiting)
    return 0


def _pay_waiting_first_tranches(officer: User, accountant: User) -> int:
    """The first tranches still waiting are paid a few weeks ago: their visits come up now."""
    from grants.models import GrantStatus, Tranche, TrancheStatus

    waiting = db.session.scalars(
        db.select(Tranche).join(Grant).where(Grant.status == GrantStatus.SIGNED, Tranche.seq == 1,
                                             Tranche.status.in_([TrancheStatus.ELIGIBLE,
                                                                 TrancheStatus.ORDERED]))
        .order_by(Tranche.id)).all()
    ids = [(t.id, t.status) for t in waiting]
    for n, (tranche_id, status) in enumerate(ids):
        if status == TrancheStatus.ELIGIBLE:
            payments.order_payment(officer, tranche_id, _key())
            db.session.commit()
        payments.pay_tranche(accountant, tranche_id, _key(), f"TX1-{tranche_id:05d}",
                             paid_on=date.today() - timedelta(days=25 - 2 * n))
        db.session.commit()
    return len(ids)


def _outcome(visit: Visit, n: int) -> tuple[ActivityStatus, Recommendation]:
    if visit.seq == 1:
        if n in UNFAVOURABLE:
            return ActivityStatus.IN_DIFFICULTY, Recommendation.UNFAVOURABLE
        return (ActivityStatus.STABLE if n % 3 else ActivityStatus.GROWING,
                Recommendation.RESERVATIONS if n % 8 == 7 else Recommendation.FAVOURABLE)
    if visit.seq == 4:
        return STATUS_AT_V4[n % len(STATUS_AT_V4)], Recommendation.FAVOURABLE
    return (ActivityStatus.IN_DIFFICULTY if n in UNFAVOURABLE else ActivityStatus.STABLE,
            Recommendation.FAVOURABLE)


def _report(rng: random.Random, visit: Visit, status: ActivityStatus,
            recommendation: Recommendation) -> visit_reports.VisitReport:
    application = visit.application
    planned = application.monthly_revenue or 100_000
    running = status.operating
    growth = {1: 0.7, 2: 0.85, 3: 1.0, 4: 1.15}[visit.seq]
    revenue = round(planned * growth * rng.uniform(0.7, 1.3), -3) if running else 0
    on_site = status not in (ActivityStatus.UNREACHABLE, ActivityStatus.MOVED_AWAY,
                             ActivityStatus.REMIGRATED)
    presence = ItemPresence.ALL if running else ItemPresence.SOLD
    jobs = rng.randint(1, 4) if running else 0
    return visit_reports.VisitReport(
        visited_on=min(visit.due_on + timedelta(days=rng.randint(0, 12)), date.today()),
        mode=VisitMode.ON_SITE if on_site else VisitMode.PHONE, activity_status=status,
        monthly_revenue=int(revenue) if on_site else None,
        monthly_profit=int(revenue * rng.uniform(0.15, 0.35)) if on_site else None,
        jobs_total=jobs, jobs_women=rng.randint(0, jobs), jobs_youth=rng.randint(0, jobs),
        problems=rng.sample(["supply", "cash", "sales", "equipment", "season"],
                            k=rng.randint(0, 2)) if running else ["debt", "family"],
        observations=observation_for(status), recommendation=recommendation,
        items={line.id: presence for line in application.budget_lines} if on_site else {},
        survey=survey_answers_for(rng, status) if visit.with_survey else {},
        latitude=round(12.6 + rng.uniform(-2, 4), 5) if on_site else None,
        longitude=round(-8.0 + rng.uniform(-3, 6), 5) if on_site else None,
        gps_accuracy=rng.randint(5, 40) if on_site else None)


def observation_for(status: ActivityStatus) -> str:
    return {
        ActivityStatus.GROWING: "Activité en croissance, nouveaux clients au marché.",
        ActivityStatus.STABLE: "Activité ouverte, équipement en place.",
        ActivityStatus.IN_DIFFICULTY: "Ventes faibles, stock presque épuisé.",
        ActivityStatus.ABANDONED: "Atelier fermé, matériel vendu.",
        ActivityStatus.REMIGRATED: "Le bénéficiaire est reparti, selon la famille.",
        ActivityStatus.CONVERTED: "Passé de la couture au petit commerce.",
        ActivityStatus.UNREACHABLE: "Téléphone éteint, voisins sans nouvelles.",
    }.get(status, "")


def survey_answers_for(rng: random.Random, status: ActivityStatus) -> dict[str, str]:
    """Better answers where the activity runs; a few left blank (not known)."""
    running = bool(status.operating)
    answers = {}
    for item in ITEMS:
        if rng.random() < 0.1:
            continue
        ranked = sorted(item.options, key=lambda o: o.value, reverse=running)
        answers[item.code] = ranked[0 if rng.random() < 0.6 else
                                    rng.randrange(len(ranked))].code
    return answers


def _pay_second(officer: User, accountant: User, grant: Grant, visited_on: date, n: int) -> int:
    """The second tranche after a favourable V1: most are paid; some are left due (the
    finance officer's to-do) or ordered and not yet paid (the accountant's)."""
    second = db.session.get(Grant, grant.id).tranches[1]
    if n % 6 == 1:
        return 0  # due: to order
    payments.order_payment(officer, second.id, _key())
    db.session.commit()
    if n % 6 == 4:
        return 0  # ordered: to pay
    payments.pay_tranche(accountant, second.id, _key(), f"TX2-{second.id:05d}",
                        paid_on=min(visited_on + timedelta(days=10), date.today()))
    db.session.commit()
    return 1


def _refer(field_officer: User, visit: Visit, partners: list[Partner], n: int) -> int:
    service = [ReferralService.PSYCHOSOCIAL, ReferralService.MICROFINANCE,
               ReferralService.EMPLOYMENT, ReferralService.LEGAL][n % 4]
    partner = next(p for p in partners if service.value in p.services)
    referral = referrals.refer(field_officer, visit.application.lead, partner=partner,
                               service=service, reason="Besoin relevé à la visite V4.",
                               visit=visit)
    for status in [[], [ReferralStatus.ACCEPTED], [ReferralStatus.ACCEPTED, ReferralStatus.DONE],
                   [ReferralStatus.NO_FOLLOW_UP]][n % 4]:
        referrals.follow(field_officer, referral, status)
    db.session.commit()
    return 1

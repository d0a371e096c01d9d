"""National follow-up: the call's visit plan from each first payment (services/visits.py's
dates and references), assigned to the field officers of the region; visits that are due are
recorded (questionnaire scored with the weight set in force) and most validated; a favourable V1
makes the second tranche due and it is ordered and paid; an unfavourable one gets a check visit.
A few returnees are referred to the demo's partners."""

import uuid
from datetime import date, timedelta

from flask import current_app

from grants.demo.national.bulk import at
from grants.demo.visits import PARTNERS, STATUS_AT_V4, observation_for, survey_answers_for
from grants.models import (
    Partner,
    Referral,
    SustainabilityScore,
    TrancheStatus,
    Visit,
    VisitItem,
    VisitSubmission,
)
from grants.services.followup.questionnaire import compute
from grants.services.followup.sustainability import current_weight_set
from grants.services.followup.visits import add_months
from grants.vocabulary import ActivityStatus, ItemPresence, Recommendation, ReferralService, VisitMode
from grants.workflow import ReferralStatus, VisitStatus

SERVICES = [ReferralService.PSYCHOSOCIAL, ReferralService.MICROFINANCE,
            ReferralService.EMPLOYMENT, ReferralService.LEGAL]


def seed(ctx) -> None:
    FollowUp(ctx).run()


class FollowUp:
    def __init__(self, ctx):
        self.ctx, self.rng, self.loader, self.books = ctx, ctx.rng, ctx.loader, ctx.books
        self.today, self.manager = ctx.today, ctx.users["gestionnaire"]
        self.rows = {t: [] for t in (Visit, VisitItem, VisitSubmission, SustainabilityScore,
                                     Referral)}
        self.weights = current_weight_set()
        self.survey_at = current_app.config["SURVEY_AT_VISITS"]
        demo_officers = [ctx.users["terrain"], ctx.users["terrain.sud"]]
        self.officers = {region: ids + [demo_officers[0] if code in ("01", "07")
                                        else demo_officers[1]]
                         for code, region in ctx.regions.items()
                         for ids in [ctx.field_officers.get(region, [])]}
        self.partners = []

    def run(self) -> None:
        self._partners()
        funded = sorted((g for g in self.books.grants if g.get("first_paid_on")),
                        key=lambda g: (g["first_paid_on"], g["id"]))
        for n, grant in enumerate(funded):
            self._plan(n, grant)
        self.books.write()
        for model, rows in self.rows.items():
            self.loader.insert(model.__table__, rows)

    def _partners(self) -> None:
        rows = []
        for name, services, code, phone in PARTNERS:
            rows.append(dict(id=self.loader.new_id(Partner.__table__), name=name,
                             services=services, region_id=self.ctx.regions[code] if code else None,
                             contact_name=None, phone=phone, email=None, address=None,
                             active=True, created_at=at(self.ctx.start)))
        self.loader.insert(Partner.__table__, rows)
        self.partners = rows

    def _plan(self, n: int, grant: dict) -> None:
        first_paid = grant["first_paid_on"]
        dossier, second = grant["dossier"], grant["tranches"][1]
        officers = self.officers[dossier.region_id]
        officer = officers[n % len(officers)]
        planned_at = at(first_paid, 14)
        self.loader.audit("visits.planned", self.books.accountant, "grant_agreement", grant["id"],
                          planned_at, {"visits": 4})
        visits = []
        for seq, months in enumerate(self.ctx.calls[dossier.call].visit_plan, start=1):
            visit = self._visit(grant, dossier, officer, seq=seq, months=months,
                                due_on=add_months(first_paid, months),
                                reference=self.loader.reference("VS", first_paid.year),
                                gates=second["id"] if seq == 1 else None, created_at=planned_at)
            visits.append(visit)
        self.loader.audit("visits.assigned", self.manager, None, None, planned_at,
                          {"visits": [v["id"] for v in visits], "officer": officer})
        for visit in visits:
            if not self._record(n, grant, visit, officer):
                break  # the later visits wait for this one
        if visits[0]["status"] == VisitStatus.VALIDATED:
            self._after_v1(grant, visits[0], officer)

    def _visit(self, grant, dossier, officer, **fields) -> dict:
        created_by = fields.pop("created_by", self.books.accountant)  # who paid plans the visits
        visit = dict(
            id=self.loader.new_id(Visit.__table__), grant_id=grant["id"],
            application_id=dossier.id, region_id=dossier.region_id, reason=None,
            with_survey=fields.get("seq") in self.survey_at, status=VisitStatus.PLANNED,
            assigned_to_id=officer, created_by_id=created_by, visited_on=None,
            mode=None, latitude=None, longitude=None, gps_accuracy=None, activity_status=None,
            monthly_revenue=None, monthly_profit=None, jobs_total=None, jobs_women=None,
            jobs_youth=None, problems=[], observations=None, recommendation=None, survey=None,
            submitted_by_id=None, submitted_at=None, reviewed_by_id=None, reviewed_at=None,
            review_comment=None, gates_tranche_id=fields.pop("gates"), **fields)
        self.rows[Visit].append(visit)
        return visit

    def _record(self, n: int, grant: dict, visit: dict, officer: int) -> bool:
        """Record (and mostly validate) a visit that is due; True when it was made."""
        late = (self.today - visit["due_on"]).days
        draw = self.rng.random()
        if late < 0 or (late < 20 and draw < 0.4) or (late >= 20 and draw < 0.05):
            return False  # not due yet, or overdue
        seq = visit["seq"]
        unfavourable = seq == 1 and n % 20 == 3
        if seq == 4:
            status = STATUS_AT_V4[n % len(STATUS_AT_V4)]
        else:
            status = ActivityStatus.IN_DIFFICULTY if unfavourable else (
                ActivityStatus.STABLE if n % 3 else ActivityStatus.GROWING)
        recommendation = Recommendation.UNFAVOURABLE if unfavourable else (
            Recommendation.RESERVATIONS if n % 8 == 7 else Recommendation.FAVOURABLE)
        visited = min(visit["due_on"] + timedelta(days=self.rng.randint(0, 12)), self.today)
        self._report(grant, visit, status, recommendation, visited, officer)
        if late < 20 and draw < 0.7 or (late >= 20 and draw < 0.07):
            return True  # submitted, waiting for the supervisor
        reviewed = at(min(visited + timedelta(days=2), self.today), 16)
        visit.update(status=VisitStatus.VALIDATED, reviewed_by_id=self.manager,
                     reviewed_at=reviewed, review_comment="Vu au bureau.")
        self.loader.audit("visit.validate", self.manager, "visit", visit["id"], reviewed,
                          {"recommendation": recommendation.value})
        if seq == 4 and n % 20 == 0:
            self._refer(n, grant["dossier"], visit, officer, reviewed)
        return True

    def _report(self, grant, visit, status, recommendation, visited: date, officer: int) -> None:
        """What services/visit_reports.submit_visit() stores for a report."""
        rng = self.rng
        running = bool(status.operating)
        on_site = status not in (ActivityStatus.UNREACHABLE, ActivityStatus.MOVED_AWAY,
                                 ActivityStatus.REMIGRATED)
        revenue = int(round(100_000 * rng.uniform(0.7, 1.4), -3)) if running and on_site else 0
        jobs = rng.randint(1, 4) if running else 0
        survey = survey_answers_for(rng, status) if visit["with_survey"] else None
        submitted = at(visited, 18)
        visit.update(
            status=VisitStatus.SUBMITTED, visited_on=visited,
            mode=VisitMode.ON_SITE if on_site else VisitMode.PHONE, activity_status=status,
            monthly_revenue=revenue if on_site else None,
            monthly_profit=int(revenue * rng.uniform(0.15, 0.35)) if on_site else None,
            jobs_total=jobs, jobs_women=rng.randint(0, jobs), jobs_youth=rng.randint(0, jobs),
            problems=sorted(rng.sample(["supply", "cash", "sales", "equipment", "season"],
                                       k=rng.randint(0, 2))) if running else ["debt", "family"],
            observations=observation_for(status) or None, recommendation=recommendation,
            survey=survey or None, submitted_by_id=officer, submitted_at=submitted,
            latitude=round(12.6 + rng.uniform(-2, 4), 5) if on_site else None,
            longitude=round(-8.0 + rng.uniform(-3, 6), 5) if on_site else None,
            gps_accuracy=rng.randint(5, 40) if on_site else None)
        if on_site:
            presence = ItemPresence.ALL if running else ItemPresence.SOLD
            self.rows[VisitItem] += [dict(id=self.loader.new_id(VisitItem.__table__),
                                          visit_id=visit["id"], budget_line_id=line_id,
                                          presence=presence)
                                     for line_id in grant["dossier"].line_ids]
        self.rows[VisitSubmission].append(dict(key=str(uuid.uuid4()), visit_id=visit["id"],
                                               submitted_by_id=officer, submitted_at=submitted))
        if visit["survey"]:
            scores = compute(visit["survey"], self.weights.weights)
            self.rows[SustainabilityScore].append(dict(
                id=self.loader.new_id(SustainabilityScore.__table__), visit_id=visit["id"],
                weight_set_id=self.weights.id, economic=scores.economic, social=scores.social,
                psychosocial=scores.psychosocial, composite=scores.composite,
                answered=scores.answered, computed_at=submitted))
        self.loader.audit("visit.submit", officer, "visit", visit["id"], submitted)

    def _after_v1(self, grant: dict, v1: dict, officer: int) -> None:
        """A favourable V1 makes the second tranche due (then ordered and paid as time allows);
        an unfavourable one holds it and a check visit decides it."""
        books, second = self.books, grant["tranches"][1]
        reviewed = v1["reviewed_at"].date()
        if not v1["recommendation"].releases:
            check = self._visit(grant, grant["dossier"], officer, seq=None, months=None,
                                due_on=min(reviewed + timedelta(days=30),
                                           self.today + timedelta(days=10)),
                                reference=self.loader.reference("VS", reviewed.year),
                                gates=second["id"], created_at=at(reviewed, 17),
                                created_by=self.manager)
            check["reason"] = "Contre-visite après avis défavorable"
            self.loader.audit("visit.planned", self.manager, "visit", check["id"], at(reviewed, 17),
                              {"due_on": check["due_on"].isoformat()})
            return
        second["status"] = TrancheStatus.ELIGIBLE
        self.loader.audit("tranche.condition_met", self.manager, "tranche", second["id"],
                          at(reviewed, 16), {"visit": v1["reference"]})
        ordered_on, paid_on = reviewed + timedelta(days=4), reviewed + timedelta(days=10)
        if ordered_on <= self.today and self.rng.random() < 0.9:
            books.order(grant, second, ordered_on)
            if paid_on <= self.today:
                books.pay(grant, second, paid_on)

    def _refer(self, n: int, dossier, visit: dict, officer: int, when) -> None:
        service = SERVICES[n % len(SERVICES)]
        partner = next(p for p in self.partners if service.value in p["services"])
        status = [ReferralStatus.PROPOSED, ReferralStatus.ACCEPTED, ReferralStatus.DONE,
                  ReferralStatus.NO_FOLLOW_UP][n // 20 % 4]
        referral_id = self.loader.new_id(Referral.__table__)
        self.rows[Referral].append(dict(
            id=referral_id, beneficiary_id=dossier.lead_id, application_id=dossier.id,
            visit_id=visit["id"], region_id=dossier.region_id, partner_id=partner["id"],
            service=service, reason="Besoin relevé à la visite V4.", status=status,
            outcome_note=None, created_by_id=officer, created_at=when, updated_at=when))
        self.loader.audit("referral.proposed", officer, "referral", referral_id, when,
                          {"service": service.value})

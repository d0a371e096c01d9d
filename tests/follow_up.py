"""Helpers of the follow-up tests: a funded activity, its planned visits, a field report."""

import uuid
from datetime import date, timedelta

from grants.extensions import db
from grants.models import Role, User, Visit
from grants.services.followup import visit_reports
from grants.vocabulary import ActivityStatus, ItemPresence, Recommendation, VisitMode
from grants.workflow import ApplicationStatus
from tests import factories
from tests.conftest import committed

PAID_ON = date.today() - timedelta(days=100)


def make_followed(app, make_user):
    """A funded activity in Kayes (01) whose first tranche was paid 100 days ago."""
    ids = {"officer": make_user(Role.FINANCE_OFFICER, username="officer"),
           "accountant": make_user(Role.ACCOUNTANT, username="accountant"),
           "manager": make_user(Role.PROGRAMME_MANAGER, username="manager"),
           "field": make_user(Role.FIELD_OFFICER, regions=("01",), username="field"),
           "far": make_user(Role.FIELD_OFFICER, regions=("07",), username="far")}
    with committed(app):
        manager = db.session.get(User, ids["manager"])
        call = factories.open_call(manager)
        dossier = factories.eligible_dossier(manager, call, factories.person(manager))
        dossier.status = ApplicationStatus.SELECTED  # the committee's decision
        db.session.commit()
        grant = factories.funded_grant(db.session.get(User, ids["officer"]),
                                       db.session.get(User, ids["accountant"]), dossier,
                                       paid_on=PAID_ON)
        ids.update(grant=grant.id, application=dossier.id)
    return ids


def user(ids, name) -> User:
    return db.session.get(User, ids[name])


def plan(ids) -> list[Visit]:
    return list(db.session.scalars(db.select(Visit).where(Visit.grant_id == ids["grant"])
                                   .order_by(Visit.due_on, Visit.id)))


def report(visit: Visit, **overrides) -> visit_reports.VisitReport:
    values = dict(
        visited_on=date.today(), mode=VisitMode.ON_SITE, activity_status=ActivityStatus.STABLE,
        monthly_revenue=180_000, monthly_profit=60_000, jobs_total=3, jobs_women=1,
        jobs_youth=2, problems=["supply"], observations="Atelier ouvert, deux machines.",
        recommendation=Recommendation.FAVOURABLE,
        items={line.id: ItemPresence.ALL for line in visit.application.budget_lines})
    values.update(overrides)
    return visit_reports.VisitReport(**values)


def submit(ids, visit, key=None, who="field", **overrides):
    done = visit_reports.submit_visit(user(ids, who), visit.id, report(visit, **overrides),
                               key or str(uuid.uuid4()))
    db.session.commit()
    return done




def make_followed_more(app, ids, count: int) -> None:
    """`count` more funded activities in Kayes, on the call of `ids`'s dossier."""
    from grants.models import Application

    with committed(app):
        manager = user(ids, "manager")
        call = db.session.get(Application, ids["application"]).call
        for n in range(count):
            dossier = factories.eligible_dossier(manager, call, factories.person(
                manager, f"Autre{n}", "Suivi", id_number=f"S{n}"))
            dossier.status = ApplicationStatus.SELECTED
            db.session.commit()
            factories.funded_grant(user(ids, "officer"), user(ids, "accountant"), dossier,
                                   paid_on=PAID_ON)

"""Monitoring: a project's timeline, survival of the activities, and the visits export."""

from datetime import date

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grants.blueprints.visits import bp
from grants.blueprints.visits.views import grant_of
from grants.extensions import db
from grants.models import Call, Payment
from grants.paging import id_arg
from grants.permissions import Permission, can, require
from grants.services.followup import monitoring, visits


@bp.route("/dossiers/<int:application_id>")
@require(Permission.VISIT_VIEW)
def project(application_id: int):
    """One funded activity over time: tranches, payments, visits, and the revenue reported."""
    application, grant = grant_of(application_id, Permission.VISIT_VIEW)
    grant_visits = monitoring.visits_of(grant)
    return render_template(
        "visits/project.html", application=application, grant=grant,
        events=monitoring.timeline(grant, grant_visits), visits=grant_visits,
        chart=monitoring.revenue_chart(grant_visits), hold=visits.tranche_hold(grant),
        can_plan=can(current_user, Permission.VISIT_RECORD, application),
        Payment=Payment, today=date.today())


@bp.route("/survie")
@require(Permission.VISIT_VIEW)
def survival():
    by = request.args.get("par", "region")
    by = by if by in monitoring.GROUPINGS else "region"
    call_id = id_arg("appel")
    today = date.today()
    tables = []
    for months in (6, 12):
        rows = monitoring.survival(current_user, months, by, today, call_id)
        tables.append((months, rows, monitoring.total_of(rows, _("Total"))))
    calls = db.session.scalars(db.select(Call).order_by(Call.opens_on.desc())).all()
    return render_template("visits/survival.html", tables=tables, by=by, calls=calls,
                           call_id=call_id)


@bp.route("/visites.xlsx")
@require(Permission.VISIT_VIEW)
def export():
    """Prepared in the background (a job): the user follows it on the job's page."""
    from grants import jobs

    job = jobs.start("visits.xlsx", {"overdue": bool(request.args.get("retard")),
                                     "today": date.today().isoformat()})
    return redirect(url_for("jobs.show", job_id=job.id))

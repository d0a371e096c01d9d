"""The budget execution page of the finance office and its workbook (prepared by a job)."""

from babel.numbers import format_decimal
from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grants.blueprints.finance import bp
from grants.blueprints.finance.forms import ExecutionFilterForm
from grants.extensions import db
from grants.formatting import babel_locale
from grants.forms import choices, filtered
from grants.models import BudgetEnvelope
from grants.permissions import Permission, region_scope, require
from grants.reporting.filters import ReportFilter
from grants.services.regions import all_regions


def _form() -> ExecutionFilterForm:
    form = ExecutionFilterForm(request.args)
    envelopes = db.session.scalars(db.select(BudgetEnvelope).order_by(BudgetEnvelope.id))
    regions = all_regions()
    form.envelope_id.choices = choices([("", _("All"))] + [(e.id, e.name) for e in envelopes])
    form.region_id.choices = choices([("", _("All"))] + [(r.id, r.name) for r in regions])
    filtered(form)
    if form.start.data and form.end.data and form.start.data > form.end.data:
        form.end.errors = [*form.end.errors, _("The end comes before the start.")]
        form.end.data = None
    return form


def execution_filter(user, form: ExecutionFilterForm) -> ReportFilter:
    return ReportFilter(start=form.start.data, end=form.end.data,
                        envelope_id=form.envelope_id.data, region_id=form.region_id.data,
                        scope=region_scope(user, Permission.FINANCE_VIEW))


def percent(rate: float | None) -> str:
    if rate is None:
        return "—"
    return format_decimal(rate, format="#,##0.0", locale=babel_locale()) + "\u00a0%"


@bp.route("/execution-budgetaire")
@require(Permission.FINANCE_VIEW)
def execution():
    from grants.reporting import budget

    form = _form()
    result = budget.execution(execution_filter(current_user, form))
    lines = budget.records(result.lines, ["envelope", "name", "budget_line", *budget.COLUMNS,
                                          "rate"])
    months = budget.records(result.months, ["name", "budget_line", "period",
                                            *budget.COLUMNS, "rate"])
    return render_template(
        "finance/execution.html", form=form, result=result, lines=lines, months=months,
        region_table=budget.pivot_rows(result.by_region),
        channel_table=budget.pivot_rows(result.by_channel), percent=percent,
        period_label=budget.period_text)


@bp.route("/execution-budgetaire.xlsx")
@require(Permission.FINANCE_VIEW)
def execution_xlsx():
    """Prepared in the background (a job), like the other workbooks."""
    from grants import jobs
    from grants.jobs.kinds import plain

    form = _form()
    params = {name: plain(getattr(form, name).data)
              for name in ("start", "end", "envelope_id", "region_id")}
    job = jobs.start("execution.xlsx", {"filters": params})
    return redirect(url_for("jobs.show", job_id=job.id))

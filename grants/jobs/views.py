"""The pages of one's jobs: the list, a job with its progress bar (polled as JSON by
static/js/job-progress.js, a meta refresh without JavaScript), and the file when it is ready.
A job is seen only by the user who asked for it: 404 for anyone else."""

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    render_template,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from grants.extensions import db
from grants.jobs.kinds import KINDS
from grants.jobs.runner import result_path
from grants.models import Job
from grants.paging import paginate

bp = Blueprint("jobs", __name__)


def own_job_or_404(job_id: int) -> Job:
    if not 0 < job_id < 2**63:
        abort(404)
    job = db.session.get(Job, job_id)
    if job is None or job.requested_by_id != current_user.id:
        abort(404)
    return job


def title_of(job: Job) -> str:
    kind = KINDS.get(job.kind)
    return str(kind.title) if kind else job.kind


def result_link(job: Job) -> str | None:
    """Where the result is: the file, or the page that keeps it (the minutes, with the session)."""
    if not job.status.is_done:
        return None
    if job.kind == "minutes":
        return url_for("committees.session", session_id=job.parameters["session_id"])
    if job.kind == "indicators":
        return url_for("reports.indicators")
    if job.kind == "beneficiaries.preview":  # the same page as a preview done at once
        return url_for("imports.batch", batch_id=job.parameters["batch_id"])
    if job.kind == "weights":
        return url_for("visits.weight_sets")
    if job.download_name and result_path(job) is not None:
        return url_for("jobs.download", job_id=job.id)
    return None  # a file deleted after JOBS_KEEP_DAYS (grants/jobs/lease.py)


@bp.app_context_processor
def _helpers():
    return {"job_title": title_of, "job_result_link": result_link}


@bp.route("/")
@login_required
def index():
    page = paginate(db.select(Job).where(Job.requested_by_id == current_user.id)
                    .order_by(Job.created_at.desc(), Job.id.desc()),
                    per_page=current_app.config["PAGE_SIZE"])
    return render_template("jobs/index.html", page=page)


@bp.route("/<int:job_id>")
@login_required
def show(job_id: int):
    return render_template("jobs/show.html", job=own_job_or_404(job_id))


@bp.route("/<int:job_id>/etat.json")
@login_required
def state(job_id: int):
    job = own_job_or_404(job_id)
    return jsonify(status=job.status.value, label=job.status.label, done=job.done,
                   total=job.total, percent=job.percent, finished=job.status.is_finished,
                   error=job.error, result=result_link(job))


@bp.route("/<int:job_id>/fichier")
@login_required
def download(job_id: int):
    job = own_job_or_404(job_id)
    path = result_path(job)
    if path is None:
        abort(404)
    return send_file(path, as_attachment=True, download_name=job.download_name or path.name)

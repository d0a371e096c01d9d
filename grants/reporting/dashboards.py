"""The home page's to-dos: what the viewer must do now, counted by the same query (or the
same counting function) as the list each one links to, so that the link shows that number.

One SQL count per to-do (a GROUP BY at most), never rows; each list applies the viewer's
scope itself (an intake agent's dossiers, a field officer's visits are those of their
regions), and so does its count here. Finance is national: it has no region scope."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import g, has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import orm

from grants.extensions import db
from grants.models import (
    Application,
    BatchStatus,
    CommitteeSession,
    Grant,
    PaymentBatch,
    SessionMember,
    SessionStatus,
    Tranche,
    TrancheStatus,
    User,
)
from grants.permissions import Permission, can
from grants.services.committees import worklist as committee_worklist
from grants.services.followup import monitoring
from grants.services.intake import beneficiaries as registry
from grants.services.intake import queries
from grants.services.notifications import outbox
from grants.workflow import ApplicationStatus

SESSIONS_SHOWN = 3  # a member's latest sessions still scoring: the cost stays bounded


@dataclass(frozen=True)
class ToDo:
    key: str  # stable, for tests and styling
    label: str
    count: int
    url: str
    urgent: bool = False  # overdue: shown in red


def _count(statement) -> int:
    return int(db.session.scalar(statement) or 0)


def _dossiers(user: User) -> list[ToDo]:
    if not can(user, Permission.APPLICATION_SCREEN):
        return []
    counts = queries.status_counts(user, queries.Filters())  # the list's own count, scoped
    status = ApplicationStatus.SUBMITTED.value
    return [ToDo("screen", _("Dossiers to screen"), counts.get(status, 0),
                 url_for("applications.index", status=status))]


def _consents(user: User) -> list[ToDo]:
    """Returnees imported without a recorded consent, in the viewer's regions: to be asked at
    the next contact. Shown only when there are some (most programmes import none)."""
    if not can(user, Permission.BENEFICIARY_EDIT):
        return []
    pending = registry.search(user, consent_to_collect=True).order_by(None).subquery()
    count = _count(sa.select(sa.func.count()).select_from(pending))
    return [ToDo("consents", _("Consents to collect"), count,
                 url_for("beneficiaries.index", consent="a-recueillir"))] if count else []


def _calls(user: User) -> list[ToDo]:
    if not can(user, Permission.MESSAGES_CALL):
        return []
    calls = outbox.calls_to_make(user).subquery()
    return [ToDo("calls", _("People to call"), _count(sa.select(sa.func.count()).select_from(calls)),
                 url_for("messages.call_list"))]


def _committees(user: User) -> list[ToDo]:
    if not can(user, Permission.COMMITTEE_SCORE):
        return []
    todos = []
    seats = db.session.execute(
        sa.select(CommitteeSession, SessionMember)
        .join(SessionMember, SessionMember.session_id == CommitteeSession.id)
        .where(SessionMember.user_id == user.id,
               CommitteeSession.status == SessionStatus.SCORING)
        # Their reference and ids are all a to-do needs: none of their relations are loaded.
        .options(orm.Load(CommitteeSession).lazyload("*"), orm.Load(SessionMember).lazyload("*"))
        .order_by(CommitteeSession.id.desc()).limit(SESSIONS_SHOWN)).all()
    counted = committee_worklist.counts_by_session([member for _meeting, member in seats])
    for meeting, _member in seats:
        counts = counted[meeting.id]
        # Each dossier is declared (interests) before it is scored: two steps, two lists.
        todos.append(ToDo(f"declare-{meeting.id}", _("Dossiers to declare: %(session)s",
                                                     session=meeting.reference),
                          counts["to_declare"], url_for("committees.session",
                                                        session_id=meeting.id, show="to_declare")))
        todos.append(ToDo(f"score-{meeting.id}", _("Sheets to score: %(session)s",
                                                   session=meeting.reference),
                          counts["to_score"], url_for("committees.session",
                                                      session_id=meeting.id, show="to_score")))
    return todos


def _tranches(status: TrancheStatus) -> int:
    return _count(sa.select(sa.func.count(Tranche.id)).where(Tranche.status == status))


def _finance(user: User) -> list[ToDo]:
    todos = []
    if can(user, Permission.GRANT_MANAGE):
        todos.append(ToDo("agreements", _("Selected dossiers without an agreement"), _count(
            sa.select(sa.func.count(Application.id)).where(
                Application.status == ApplicationStatus.SELECTED,
                ~Application.id.in_(sa.select(Grant.application_id)))),
            url_for("finance.index")))
        todos.append(ToDo("order", _("Tranches to order"),
                          _tranches(TrancheStatus.ELIGIBLE),
                          url_for("finance.index", etat=TrancheStatus.ELIGIBLE.value)))
    if can(user, Permission.PAYMENT_EXECUTE):
        todos.append(ToDo("pay", _("Tranches to pay"), _tranches(TrancheStatus.ORDERED),
                          url_for("finance.index", etat=TrancheStatus.ORDERED.value)))
        todos.append(ToDo("approve", _("Batches to approve"), _count(
            sa.select(sa.func.count(PaymentBatch.id)).where(
                PaymentBatch.status == BatchStatus.PREPARED)),
            url_for("finance.batch_list", etat=BatchStatus.PREPARED.value)))
    return todos


def _visits(user: User, today: date) -> list[ToDo]:
    if not can(user, Permission.VISIT_VIEW) or not can(user, Permission.VISIT_RECORD):
        return []
    supervisor = can(user, Permission.VISIT_SUPERVISE)
    # As the worklist counts them: an officer's own (and nobody's), a supervisor's all.
    counts = monitoring.section_counts(user, today, mine=not supervisor)
    todos = [ToDo("overdue", _("Overdue visits"), counts["overdue"],
                  url_for("visits.worklist", section="overdue"), urgent=True)]
    if supervisor:
        todos.append(ToDo("validate", _("Visits to validate"), counts["to_validate"],
                          url_for("visits.worklist", section="to_validate")))
    else:
        todos.append(ToDo("due", _("Visits due in the next two weeks"), counts["due"],
                          url_for("visits.worklist", section="due")))
    return todos


@dataclass(frozen=True)
class Action:
    label: str
    url: str


def actions(user: User) -> list[Action]:
    """What the viewer starts from the home page rather than finds in a list: an intake agent
    sitting with a returnee registers them first."""
    if not can(user, Permission.BENEFICIARY_EDIT):
        return []
    return [Action(_("Register a person"), url_for("beneficiaries.new")),
            Action(_("Find a returnee"), url_for("beneficiaries.index"))]


def todos(user: User, today: date | None = None) -> list[ToDo]:
    """The viewer's to-dos, for every role it holds, each once. Counted once per request: the
    home page lists them and the menu's reminder count (reminders.py) adds them up."""
    today = today or date.today()
    key = (user.id, today)
    counted = g.setdefault("todos", {}) if has_request_context() else {}
    if key not in counted:
        counted[key] = [*_dossiers(user), *_consents(user), *_calls(user), *_committees(user),
                        *_finance(user), *_visits(user, today)]
    return counted[key]

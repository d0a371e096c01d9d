"""The minutes (procès-verbal) of a finalised session, as a PDF. Each generation is a new
version with its SHA-256; no version is ever overwritten."""

import hashlib
import uuid
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from grants.extensions import db
from grants.formatting import score
from grants.models import (
    Application,
    CommitteeSession,
    Decision,
    DecisionReason,
    InterestDeclaration,
    Minutes,
    SessionDossier,
    SessionMember,
    SessionStatus,
    User,
)
from grants.services import audit
from grants.services.committees.annex import Line, annex_pages
from grants.services.committees.grids import grid_for
from grants.services.committees.ranking import envelope_available, ranking_rows_select
from grants.services.committees.selection import check_decider
from grants.services.errors import ConflictError


def minutes_root() -> Path:
    return Path(current_app.instance_path) / "minutes"


def _annex(session: CommitteeSession) -> list[Line]:
    decisions = {d: str(d.label) for d in Decision}  # translated once, not once a row
    reasons = {r: str(r.label) for r in DecisionReason}
    lines = []
    for row in db.session.execute(ranking_rows_select(session)):
        reason = reasons[row.decision_reason_code] if row.decision_reason_code else (
            row.decision_reason or "")
        selected = row.decision is not None and row.decision.is_selected
        lines.append(Line(
            row.rank, row.reference or f"#{row.application_id}",
            f"{row.first_name} {row.last_name}", row.title or "", row.region,
            score(float(row.mean)) if row.scorers else "—", row.requested_amount,
            (row.granted_amount or row.requested_amount) if selected else None,
            decisions[row.decision] if row.decision else "", reason,
            row.decision == Decision.WAITLISTED))
    return lines


def _recusals(session: CommitteeSession) -> list[tuple[str, str]]:
    """(member's name, dossier reference) in the order of the ranking."""
    return [(name, reference or f"#{application_id}") for name, reference, application_id in
            db.session.execute(
                sa.select(User.full_name, Application.reference, Application.id)
                .join(SessionMember, SessionMember.user_id == User.id)
                .join(InterestDeclaration, InterestDeclaration.member_id == SessionMember.id)
                .join(SessionDossier, sa.and_(
                    SessionDossier.session_id == session.id,
                    SessionDossier.application_id == InterestDeclaration.application_id))
                .join(Application, Application.id == SessionDossier.application_id)
                .where(SessionMember.session_id == session.id,
                       InterestDeclaration.conflicted.is_(True))
                .order_by(SessionDossier.rank, SessionDossier.id, SessionMember.id))]


def minutes_context(session: CommitteeSession) -> dict:
    """Everything the PV states, read from the database: the annex in one query of light rows."""
    from grants.exports.pdf import amount_in_words

    lines = _annex(session)
    granted = sum(line.granted or 0 for line in lines)
    call = session.call
    received = db.session.scalar(db.select(db.func.count()).select_from(Application).where(
        Application.call_id == call.id, Application.submitted_at.is_not(None)))
    overrides = list(db.session.scalars(db.select(SessionDossier).where(
        SessionDossier.session_id == session.id,
        sa.or_(SessionDossier.forced_decision.is_not(None),
               SessionDossier.granted_amount.is_not(None)))
        .order_by(SessionDossier.rank, SessionDossier.id)))
    return {
        "session": session, "call": call, "envelope": call.envelope, "grid": grid_for(call),
        "annex": annex_pages(lines), "received": received, "eligible": len(lines),
        "examined": sum(1 for line in lines if line.score != "—"),
        "selected": sum(1 for line in lines if line.granted is not None), "granted": granted,
        "granted_words": amount_in_words(granted),
        "available_after": envelope_available(call.envelope),
        "waitlisted": sum(1 for line in lines if line.waitlisted),
        "overrides": overrides, "recusals": _recusals(session),
        "present": [m for m in session.members if m.present],
        "absent": [m for m in session.members if not m.present],
    }


def generate(user: User, session: CommitteeSession,
             progress: Callable[[int, int], None] | None = None) -> Minutes:
    """Write a new version of the minutes. `progress(done, total)`, when given, is told of each
    step (read, laid out as a PDF, stored) so that a background job can show how far it is."""
    from grants.exports.pdf import render_pdf

    report = progress or (lambda done, total: None)
    check_decider(user, session)
    if session.status != SessionStatus.FINALISED:
        raise ConflictError(_l("The minutes are written once the session is finalised."))
    report(0, 3)
    with force_locale("fr"):  # the minutes are an official French document
        context = minutes_context(session)
        report(1, 3)
        pdf = render_pdf("committees/minutes_pdf.html", **context)
    report(2, 3)
    version = 1 + (db.session.scalar(db.select(db.func.max(Minutes.version)).where(
        Minutes.session_id == session.id)) or 0)
    name = f"{session.reference}-v{version}-{uuid.uuid4().hex[:8]}.pdf"
    root = minutes_root()
    root.mkdir(parents=True, exist_ok=True)
    path = root / name
    with open(path, "xb") as handle:  # "x": never overwrite a file
        handle.write(pdf)
    minutes = Minutes(session_id=session.id, version=version, stored_name=name,
                      sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf),
                      generated_by_id=user.id)
    db.session.add(minutes)
    db.session.flush()
    audit.record("committee.minutes", user, session,
                 details={"version": version, "sha256": minutes.sha256})
    report(3, 3)
    return minutes


def minutes_path(minutes: Minutes) -> Path:
    path = (minutes_root() / minutes.stored_name).resolve()
    if not path.is_relative_to(minutes_root().resolve()):
        raise ValueError("bad minutes name")
    return path

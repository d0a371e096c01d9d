"""The minutes (procès-verbal) of a finalised session, as a PDF. Each generation is a new
version with its SHA-256; no version is ever overwritten."""

import hashlib
import uuid
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from grants.extensions import db
from grants.models import (
    Application,
    CommitteeSession,
    Decision,
    InterestDeclaration,
    Minutes,
    SessionStatus,
    User,
)
from grants.services import audit
from grants.services.committees.grids import grid_for
from grants.services.committees.scoring import tallies
from grants.services.committees.selection import envelope_available
from grants.services.errors import ConflictError


def minutes_root() -> Path:
    return Path(current_app.instance_path) / "minutes"


def minutes_context(session: CommitteeSession) -> dict:
    """Everything the PV states, read from the database."""
    from grants.exports.pdf import amount_in_words

    scores = tallies(session)
    dossiers = sorted(session.dossiers, key=lambda d: d.rank or 0)
    selected = [d for d in dossiers if d.decision == Decision.SELECTED]
    granted = sum(d.amount for d in selected)
    call = session.call
    received = db.session.scalar(db.select(db.func.count()).select_from(Application).where(
        Application.call_id == call.id, Application.submitted_at.is_not(None)))
    conflicted = {tuple(row) for row in db.session.execute(
        db.select(InterestDeclaration.member_id, InterestDeclaration.application_id)
        .where(InterestDeclaration.member_id.in_([m.id for m in session.members]),
               InterestDeclaration.conflicted.is_(True)))}
    recusals = [(m, d) for d in dossiers for m in session.members
                if (m.id, d.application_id) in conflicted]
    return {
        "session": session, "call": call, "envelope": call.envelope, "grid": grid_for(call),
        "dossiers": dossiers, "scores": scores, "received": received,
        "eligible": len(dossiers), "examined": sum(1 for d in dossiers if d.application_id in scores),
        "selected": selected, "granted": granted, "granted_words": amount_in_words(granted),
        "available_after": envelope_available(call.envelope),
        "waitlisted": [d for d in dossiers if d.decision == Decision.WAITLISTED],
        "overrides": [d for d in dossiers if d.forced_decision or d.granted_amount],
        "recusals": recusals,
        "present": [m for m in session.members if m.present],
        "absent": [m for m in session.members if not m.present],
    }


def generate(user: User, session: CommitteeSession) -> Minutes:
    from grants.exports.pdf import render_pdf
    from grants.services.committees.selection import check_decider

    check_decider(user, session)
    if session.status != SessionStatus.FINALISED:
        raise ConflictError(_l("The minutes are written once the session is finalised."))
    with force_locale("fr"):  # the minutes are an official French document
        pdf = render_pdf("committees/minutes_pdf.html", **minutes_context(session))
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
    return minutes


def minutes_path(minutes: Minutes) -> Path:
    path = (minutes_root() / minutes.stored_name).resolve()
    if not path.is_relative_to(minutes_root().resolve()):
        raise ValueError("bad minutes name")
    return path

"""Demo committee: five members (four voting, one observer) scored every eligible dossier of the
2024 call and deliberated: 40 dossiers selected within the 100 000 000 F CFA envelope, about ten
on the waiting list, the others not selected; the minutes (PV) are written."""

import random
from datetime import date

from grants.demo.intake import CALL_2024
from grants.extensions import db
from grants.models import Application, Call, CommitteeSession, Seat, User
from grants.services.committees import grids, minutes, scoring, selection, sessions
from grants.workflow import ApplicationStatus

MEMBERS = [("president", Seat.VOTING, "Ministère des Maliens établis à l'extérieur"),
           ("membre", Seat.VOTING, "Direction générale des Maliens de l'extérieur"),
           ("membre.anpe", Seat.VOTING, "Agence nationale pour l'emploi (ANPE)"),
           ("membre.apcmm", Seat.VOTING, "Assemblée permanente des chambres de métiers (APCMM)"),
           ("observateur", Seat.OBSERVER, "OIM (observateur)")]


def points_for_total(grid, total: int) -> dict[int, int]:
    """Spread a total over the criteria in proportion to their maxima."""
    points = {c.id: min(c.max_points, round(total * c.max_points / 100)) for c in grid.criteria}
    left = total - sum(points.values())
    for criterion in grid.criteria:
        step = max(-points[criterion.id], min(left, criterion.max_points - points[criterion.id]))
        points[criterion.id] += step
        left -= step
    return points


def seed() -> list[str]:
    call = db.session.scalar(db.select(Call).where(Call.title == CALL_2024))
    if call is None or db.session.scalar(db.select(CommitteeSession.id).where(
            CommitteeSession.call_id == call.id)):
        return ["Committee demo data: already loaded."]
    rng = random.Random(40)
    users = {u.username: u for u in db.session.scalars(db.select(User))}
    eligible = list(db.session.scalars(db.select(Application).where(
        Application.call_id == call.id, Application.status == ApplicationStatus.ELIGIBLE)
        .order_by(Application.reference)))
    session = sessions.create_session(
        users["gestionnaire"], call, title="Comité national de sélection des microprojets 2024",
        chair=users["president"], secretary=users["gestionnaire"], place="Bamako, salle du CNRM",
        meeting_on=date(2024, 6, 12), scoring_due_on=date(2024, 6, 5),
        members=[sessions.MemberInput(users[name], seat, organisation)
                 for name, seat, organisation in MEMBERS])
    # The best projects happen to ask for the cap: forty of them fill the envelope exactly.
    at_cap = [a for a in eligible if a.requested_amount == call.cap_per_project]
    others = [a for a in eligible if a not in at_cap]
    quality = {a.id: 88 - n // 2 for n, a in enumerate(at_cap[:40])}
    waiting = (at_cap[40:] + others)[:10]  # good projects that come after the fortieth
    quality |= {a.id: 75 - n for n, a in enumerate(waiting)}
    quality |= {a.id: 48 + rng.randint(-8, 8) for a in others if a not in waiting}
    grid = grids.grid_for(call)
    recused = {(users["membre.anpe"].id, eligible[3].id), (users["membre"].id, eligible[11].id)}
    for name, seat, _organisation in MEMBERS:
        member = users[name]
        sessions.declare_for_session(member, session, "Aucun intérêt particulier.")
        for application in eligible:
            conflict = (member.id, application.id) in recused
            sessions.declare_for_dossier(member, session, application, conflict,
                                           "Parent du porteur" if conflict else None)
            if conflict or seat == Seat.OBSERVER:
                continue
            total = max(0, min(100, quality[application.id] + rng.randint(-3, 3)))
            points = points_for_total(grid, total)
            comments = {c.id: "Appréciation du membre" for c in grid.criteria
                        if points[c.id] in (0, c.max_points)}
            scoring.save_sheet(member, session, application, points, comments, submit=True)
    selection.record_attendance(users["president"], session,
                                {users[name].id for name, _seat, _organisation in MEMBERS})
    rows = selection.finalise(users["president"], session)
    minutes.generate(users["president"], session)
    counts = {d: sum(r.decision.value == d for r in rows)
              for d in ("selected", "waitlisted", "rejected")}
    granted = sum(r.dossier.amount for r in rows if r.decision.value == "selected")
    return [f"Committee demo data: session {session.reference}, {counts['selected']} selected "
            f"({granted:,} F CFA), {counts['waitlisted']} waitlisted, {counts['rejected']} "
            f"not selected; minutes written."]

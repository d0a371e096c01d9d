"""The ranking of a committee session as an xlsx file."""

from pathlib import Path

from flask_babel import gettext as _

from grants.exports.xlsx import Column, XlsxWriter, temporary_xlsx
from grants.models import CommitteeSession, SessionStatus
from grants.services.committees import scoring, selection


def write_ranking_xlsx(session: CommitteeSession, hidden: set[int] = frozenset()) -> Path:
    """The proposed (or, once finalised, the decided) ranking, one row per dossier; the dossiers
    in `hidden` (those the reader is recused from) are left out."""
    scores = scoring.tallies(session)
    if session.status == SessionStatus.FINALISED:
        rows = [(d, d.rank, d.decision, d.decision_reason_text)
                for d in sorted(session.dossiers, key=lambda d: d.rank or 0)]
    else:
        rows = [(r.dossier, r.rank, r.decision, r.reason_text) for r in selection.propose(session)]
    path = temporary_xlsx()
    columns = [Column(_("Rank"), "integer", 6), Column(_("Reference"), "text", 14),
               Column(_("Beneficiary"), "text", 26), Column(_("Project"), "text", 32),
               Column(_("Region"), "text", 16), Column(_("Scorers"), "integer", 8),
               Column(_("Mean score"), "decimal", 10), Column(_("Spread"), "integer", 8),
               Column(_("Requested"), "money", 14), Column(_("Granted"), "money", 14),
               Column(_("Decision"), "text", 16), Column(_("Reason"), "text", 30)]
    with XlsxWriter(path) as writer:
        sheet = writer.add_sheet(session.reference, columns)
        for dossier, rank, decision, reason in rows:
            if dossier.application_id in hidden:
                continue
            tally = scores.get(dossier.application_id)
            app = dossier.application
            sheet.write_row([
                rank, app.display_reference, app.lead.full_name, app.title or "", app.region.name,
                tally.scorers if tally else 0, round(tally.mean, 1) if tally else None,
                tally.spread if tally else None, app.requested_amount,
                dossier.amount if decision and decision.is_selected else None,
                decision.label if decision else "", reason])
        sheet.write_totals(_("Total"), {9: "sum"})
    return path

"""The ranking of a committee session as an xlsx file: constant memory, the rows streamed from
one ranked query (services/committees/ranking.py) as grants/exports/ledger.py does."""

from pathlib import Path

from flask_babel import gettext as _

from grants.exports.xlsx import Column, XlsxWriter, temporary_xlsx
from grants.extensions import db
from grants.models import CommitteeSession, Decision, DecisionReason, SessionStatus
from grants.services.committees.ranking import ranked, ranking_rows_select
from grants.services.committees.scoring import tally_of

BATCH = 2000  # rows fetched at a time: memory stays flat whatever the size of the session


def columns() -> list[Column]:
    return [Column(_("Rank"), "integer", 6), Column(_("Reference"), "text", 14),
            Column(_("Beneficiary"), "text", 26), Column(_("Project"), "text", 32),
            Column(_("Region"), "text", 16), Column(_("Scorers"), "integer", 8),
            Column(_("Mean score"), "decimal", 10), Column(_("Spread"), "integer", 8),
            Column(_("Requested"), "money", 14), Column(_("Granted"), "money", 14),
            Column(_("Decision"), "text", 16), Column(_("Reason"), "text", 30)]


def write_ranking_xlsx(session: CommitteeSession, hidden: set[int] = frozenset()) -> Path:
    """The proposed (or, once finalised, the decided) ranking, one row per dossier; the dossiers
    in `hidden` (those the reader is recused from) are left out."""
    # While scoring, the decisions are the proposal's (worked out on light rows, in rank order).
    proposal = ({r.dossier_id: r for r in ranked(session)}
                if session.status == SessionStatus.SCORING else None)
    decisions = {d: str(d.label) for d in Decision}  # translated once, not once a row
    reasons = {r: str(r.label) for r in DecisionReason}
    path = temporary_xlsx()
    with XlsxWriter(path) as writer:
        sheet = writer.add_sheet(session.reference, columns())
        result = db.session.execute(ranking_rows_select(session)
                                    .execution_options(yield_per=BATCH))
        try:
            for row in result:
                if row.application_id in hidden:
                    continue
                tally = tally_of(row)
                if proposal is not None:
                    decided = proposal[row.dossier_id]
                    decision, reason = decided.decision, decided.reason
                    words = reasons[reason] if reason else ""
                else:
                    decision, reason = row.decision, row.decision_reason_code
                    words = reasons[reason] if reason else (row.decision_reason or "")
                granted = row.granted_amount or row.requested_amount
                sheet.write_row([
                    row.rank, row.reference or f"#{row.application_id}",
                    f"{row.first_name} {row.last_name}", row.title or "", row.region,
                    tally.scorers if tally else 0, round(tally.mean, 1) if tally else None,
                    tally.spread if tally else None, row.requested_amount,
                    granted if decision and decision.is_selected else None,
                    decisions[decision] if decision else "", words])
        finally:
            result.close()  # a server-side cursor on PostgreSQL
        sheet.write_totals(_("Total"), {9: "sum"})
    return path

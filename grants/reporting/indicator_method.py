"""The "Méthode" of the indicator report: what every figure counts, in the reader's language.
(section, figure, definition), in the order of the report."""

from flask_babel import lazy_gettext as _l

_ALL = _l("All sections")
_REACH, _PIPELINE, _MONEY = _l("Reach"), _l("Dossiers"), _l("Money")
_OUTCOMES, _SCORES, _REFERRALS = _l("Outcomes"), _l("Sustainability scores"), _l("Referrals")

METHOD = [
    (_ALL, _l("Filter"), _l(
        "The period, envelope or funding source, call and region chosen when the version was "
        "issued; each figure is dated as its definition says.")),
    (_ALL, _l("Breakdowns"), _l(
        "Region of the dossier (of the returnee for reach and referrals, of the visit for "
        "visits), sex and age band of the returnee (lead applicant for a dossier). Age in "
        "whole years at the end of the period, from the year of birth.")),
    (_ALL, _l("Small cells"), _l(
        "A cell counting from 1 to 4 people is shown as \"< 5\", and so is a second cell on "
        "its line or column, so that it cannot be worked out from the total. Amounts, jobs "
        "and scores of fewer than 5 people are hidden the same way.")),
    (_REACH, _l("Registered"), _l("Returnees entered in the registry during the period.")),
    (_REACH, _l("With consent"), _l("Registered returnees whose consent is not withdrawn.")),
    (_REACH, _l("Identity verified"), _l("Registered returnees whose identity was verified.")),
    (_REACH, _l("Duplicates resolved"), _l(
        "Registered returnees for whom a suspected duplicate was examined and decided.")),
    (_REACH, _l("With a vulnerability recorded"), _l(
        "Returnees with at least one vulnerability recorded; a count by region only, never "
        "which vulnerability, hidden under 5.")),
    (_PIPELINE, _l("Submitted"), _l("Dossiers submitted during the period (drafts excluded).")),
    (_PIPELINE, _l("Eligible"), _l(
        "Submitted dossiers declared eligible at screening, including those later selected.")),
    (_PIPELINE, _l("Selected"), _l(
        "Dossiers selected by a committee, or with a signed agreement.")),
    (_PIPELINE, _l("Waiting list"), _l("Dossiers on a committee's waiting list today.")),
    (_PIPELINE, _l("Not selected"), _l("Dossiers a committee did not select.")),
    (_MONEY, _l("Committed"), _l(
        "Agreements signed during the period less cancelled commitments, read from the "
        "ledger (committed account), in whole F CFA.")),
    (_MONEY, _l("Disbursed"), _l(
        "Payments dated in the period less reversals, read from the ledger, in whole F CFA.")),
    (_MONEY, _l("Available"), _l(
        "Appropriations less net commitments, from the ledger's first entry to the end of the "
        "period; for the whole programme only.")),
    (_MONEY, _l("Paid on time, paid late"), _l(
        "Tranches whose payment was ordered in the period: on time when paid within "
        "REPORT_LATE_DAYS days of the order (15 by default), late otherwise; awaited when "
        "still unpaid, late when the order is older than that.")),
    (_OUTCOMES, _l("Jobs planned"), _l(
        "Jobs (of which women, youth) promised by the dossiers with a signed agreement.")),
    (_OUTCOMES, _l("Jobs found"), _l(
        "Jobs (of which women, youth) found at validated visits due in the period.")),
    (_OUTCOMES, _l("Operating at M+6, M+12"), _l(
        "Activities observed at their milestone visit 6 or 12 months after the first payment, "
        "and those found operating; the rate is operating / observed.")),
    (_SCORES, _l("Mean scores"), _l(
        "Mean of the sustainability scores (0 to 1) of validated visits V1 and V4 due in the "
        "period, per dimension and composite, with the weight set named in the notes.")),
    (_SCORES, _l("Share above the threshold"), _l(
        "Share of scored visits whose composite score reaches the weight set's threshold.")),
    (_SCORES, _l("Change V1 to V4"), _l("Mean at V4 less mean at V1 (different activities may "
                                        "be scored at each visit).")),
    (_REFERRALS, _l("Referrals"), _l(
        "Referrals made during the period, by service and by their outcome today.")),
]

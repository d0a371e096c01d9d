"""The indicator report's sections, one function each, in the order of the report: reach,
pipeline, money, outcomes, sustainability scores, referrals (see indicators.py)."""

import pandas as pd
import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from grants.extensions import db
from grants.models import WeightSet
from grants.reporting import facts, money_facts
from grants.reporting.breakdowns import TOTAL
from grants.reporting.frames import pivot
from grants.reporting.indicators import CROSS, MONEY, NUMBER, SCORE, Section, Shaper, Table

REACH = {"registered": _l("Registered"), "with_consent": _l("With consent"),
         "verified": _l("Identity verified"), "duplicates_resolved": _l("Duplicates resolved")}
PIPELINE = {"submitted": _l("Submitted"), "eligible": _l("Eligible"),
            "selected": _l("Selected"), "waitlisted": _l("Waiting list"),
            "not_selected": _l("Not selected")}
MONEY_FIGURES = {"committed": _l("Committed"), "disbursed": _l("Disbursed")}
TRANCHES = {"ordered": _l("Payment ordered"), "on_time": _l("Paid on time"),
            "late": _l("Paid late"), "waiting": _l("Awaited, on time"),
            "waiting_late": _l("Awaited, late")}
SURVIVAL = {"followed": _l("Followed"), "due": _l("Milestone reached"),
            "observed": _l("Observed"), "operating": _l("Operating")}
DIMENSIONS = {"economic": _l("Economic"), "social": _l("Social"),
              "psychosocial": _l("Psychosocial"), "composite": _l("Composite")}


def reach(shaper: Shaper) -> Section:
    flt = shaper.flt
    section = Section("reach", str(_l("Reach")))
    section.tables.append(shaper.totals_by_sex(
        "reach", _l("Returnees registered"), facts.REGISTRATIONS.read(flt, ["sex"]), REACH))
    cross = facts.REGISTRATIONS.read(flt, CROSS)
    for measure, title in REACH.items():
        section.tables.append(shaper.cross_table(
            f"{measure}_by_region", _l("%(figure)s, by region, sex and age",
                                       figure=title), cross, measure))
    section.tables.append(shaper.measures_by(
        "vulnerable", _l("With a vulnerability recorded (counts only)"),
        facts.REGISTRATIONS.read(flt, ["region"]), "region",
        {"vulnerable": _l("With a vulnerability recorded")}))
    return section


def pipeline(shaper: Shaper) -> Section:
    flt = shaper.flt
    section = Section("pipeline", str(_l("Dossiers")))
    section.tables.append(shaper.totals_by_sex(
        "pipeline", _l("Dossiers at each stage"), facts.DOSSIERS.read(flt, ["sex"]), PIPELINE))
    for by, title in (("project_type", _l("By project type")), ("sector", _l("By sector"))):
        section.tables.append(shaper.measures_by(
            f"by_{by}", title, facts.DOSSIERS.read(flt, [by]), by, PIPELINE))
    cross = facts.DOSSIERS.read(flt, CROSS)
    for measure in ("submitted", "selected"):
        section.tables.append(shaper.cross_table(
            f"{measure}_by_region", _l("%(figure)s, by region, sex and age",
                                       figure=PIPELINE[measure]), cross, measure))
    return section


def money(shaper: Shaper) -> Section:
    flt = shaper.flt
    section = Section("money", str(_l("Money")))
    section.tables.append(shaper.totals_by_sex(
        "money", _l("Committed and disbursed (F CFA)"), money_facts.MONEY.read(flt, ["sex"]),
        MONEY_FIGURES, kind=MONEY, people="grants"))
    section.tables.append(_envelope(shaper, section))
    section.tables.append(shaper.measures_by(
        "by_channel", _l("By payment channel (F CFA)"), money_facts.MONEY.read(flt, ["channel"]),
        "channel", MONEY_FIGURES, kind=MONEY, people="grants"))
    late_days = current_app.config["REPORT_LATE_DAYS"]
    section.tables.append(shaper.measures_by(
        "tranches", _l("Tranches paid on time or late, by channel"),
        money_facts.tranches(late_days, shaper.today).read(flt, ["channel"]), "channel", TRANCHES))
    section.notes.append(str(_l(
        "A tranche is late when it was paid more than %(days)d days after its payment order, "
        "or is still awaited that long after it.", days=late_days)))
    cross = money_facts.MONEY.read(flt, CROSS)
    for measure, title in MONEY_FIGURES.items():
        section.tables.append(shaper.cross_table(
            f"{measure}_by_region", _l("%(figure)s (F CFA), by region, sex and age",
                                       figure=title), cross, measure, people="grants",
            kind=MONEY))
    return section


def _envelope(shaper: Shaper, section: Section) -> Table:
    """Appropriated, committed, disbursed and available at the end of the period, read from
    the ledger from its first day: only for the whole programme (an envelope belongs to no
    region or call)."""
    whole = shaper.flt.but(start=None)
    money = money_facts.MONEY.read(whole).iloc[0]
    appropriated = money_facts.APPROPRIATIONS.read(whole).appropriated.iloc[0]
    partial = (shaper.flt.region_id is not None or shaper.flt.call_id is not None
               or shaper.flt.scope is not None)
    available = pd.NA if partial else appropriated - money.committed
    if partial:
        section.notes.append(str(_l("What is available is given for the whole programme only "
                                    "(an envelope belongs to no region or call).")))
        appropriated = pd.NA
    names = {"appropriated": _l("Appropriated"), "committed": _l("Committed"),
             "disbursed": _l("Disbursed"), "available": _l("Available")}
    raw = pd.DataFrame({TOTAL: [appropriated, money.committed, money.disbursed, available]},
                       index=list(names), dtype="Int64")
    shown = shaper.labelled(raw.astype("object").where(raw.notna(), None), None, None, names)
    return Table("envelope", str(_l("Envelopes at the end of the period (F CFA)")), raw,
                 shown, MONEY)


def outcomes(shaper: Shaper) -> Section:
    flt, today = shaper.flt, shaper.today
    section = Section("outcomes", str(_l("Outcomes")))
    dossiers = facts.DOSSIERS.read(flt).iloc[0]
    visits = facts.visits(today).read(flt).iloc[0]
    rows = {"planned": _l("Planned by the funded projects"), "found": _l("Found at visits")}
    columns = {"jobs": _l("Jobs"), "women": _l("of which women"), "youth": _l("of which youth")}
    raw = pd.DataFrame([[dossiers.funded_jobs_planned, dossiers.funded_jobs_women,
                         dossiers.funded_jobs_youth],
                        [visits.jobs_found, visits.jobs_found_women, visits.jobs_found_youth]],
                       index=list(rows), columns=list(columns), dtype="Int64")
    people = pd.DataFrame([[dossiers.funded] * 3, [visits.validated] * 3], index=raw.index,
                          columns=raw.columns, dtype="Int64")
    section.tables.append(Table("jobs", str(_l("Jobs")), raw, shaper.labelled(
        shaper.hide(raw, people), None, None, rows | columns), NUMBER, chart=True))
    survival = pd.concat([facts.survival(months, today).read(flt).assign(
        milestone=f"M+{months}") for months in (6, 12)]).set_index("milestone")
    counts = survival[list(SURVIVAL)].astype("Int64")
    shown = shaper.hide(counts)
    rate = (survival.operating / survival.observed.astype("Float64")).where(
        survival.observed > 0)
    shown["rate"] = [None if pd.isna(value) else round(100 * float(value), 1) for value in rate]
    shown["rate"] = shown["rate"].astype("object").mask(
        (survival.observed > 0) & (survival.observed < shaper.threshold), shaper.marker)
    section.tables.append(Table("survival", str(_l("Activities operating at M+6 and M+12")),
                                counts.assign(rate=rate), shaper.labelled(
                                    shown, None, None, SURVIVAL | {"rate": _l("Rate (%)")})))
    section.tables.append(shaper.cross_table(
        "jobs_by_region", _l("Jobs found at visits, by region, sex and age"),
        facts.visits(today).read(flt, CROSS), "jobs_found", people="validated", kind=NUMBER))
    for months in (6, 12):
        section.tables.append(shaper.cross_table(
            f"operating_m{months}", _l("Operating at M+%(months)d, by region, sex and age",
                                       months=months),
            facts.survival(months, today).read(flt, CROSS), "operating"))
    return section


def scores(shaper: Shaper) -> Section:
    flt = shaper.flt
    section = Section("scores", str(_l("Sustainability scores")))
    frame = facts.SCORES.read(flt, ["visit"])
    rows = {str(row["visit"]): row for row in facts.means(frame).to_dict("records")}
    counts = {str(row["visit"]): row for row in frame.to_dict("records")}
    columns: dict[str, list] = {}
    scored: dict[str, int] = {}
    for visit in ("V1", "V4"):
        count = int(counts[visit]["scored"]) if visit in counts else 0
        scored[visit] = count
        values = [rows[visit][dimension] if count else None for dimension in DIMENSIONS]
        values.append(100 * int(counts[visit]["above_threshold"]) / count if count else None)
        columns[visit] = [None if value is None or pd.isna(value) else float(value)
                          for value in values]
    raw = pd.DataFrame(columns, index=[*DIMENSIONS, "above_threshold"], dtype="Float64")
    raw["change"] = raw["V4"] - raw["V1"]
    shown = raw.round(2).astype("object").where(raw.notna(), None)  # scores: 0 to 1
    first, last = columns["V1"][-1], columns["V4"][-1]  # shares above the threshold
    change = None if first is None or last is None else last - first
    shown.loc["above_threshold"] = [None if share is None else round(share, 1)
                                    for share in (first, last, change)]
    for visit, count in scored.items():
        if 0 < count < shaper.threshold:
            shown[visit] = shaper.marker
            shown["change"] = shaper.marker
    names = DIMENSIONS | {"above_threshold": _l("Share above the threshold (%)"),
                          "V1": "V1", "V4": "V4", "change": _l("Change V1 to V4")}
    section.tables.append(Table("scores", str(_l("Mean scores at V1 and V4")), raw,
                                shaper.labelled(shown, None, None, names), SCORE, chart=True))
    official = db.session.execute(sa.select(WeightSet.version, WeightSet.name, WeightSet.threshold)
                                  .where(WeightSet.official.is_(True))
                                  .order_by(WeightSet.version.desc()).limit(1)).first()
    if official:
        section.notes.append(str(_l(
            "Weights: version %(version)d (%(name)s), threshold %(threshold)s.",
            version=official.version, name=official.name, threshold=official.threshold)))
    section.notes.append(str(_l("Scored: %(first)d at V1, %(last)d at V4.",
                                first=scored["V1"], last=scored["V4"])))
    section.tables.append(_composite_by_region(shaper))
    return section


def _composite_by_region(shaper: Shaper) -> Table:
    """The mean composite score at V4 by region x sex x age band (hidden under 5 scored)."""
    frame = facts.SCORES.read(shaper.flt, [*CROSS, "visit"])
    frame = frame[frame.visit == "V4"].drop(columns="visit")
    counts = shaper.cross(frame, "composite_count")
    table = frame.assign(group=frame["sex"].astype(str) + "|" + frame["age_band"].astype(str))
    sums = table.pivot_table(index="region", columns="group", values="composite_sum",
                             aggfunc="sum", observed=False, fill_value=0.0)
    sums.index, sums.columns = sums.index.astype("object"), sums.columns.astype("object")
    sums[TOTAL] = sums.sum(axis=1)
    sums.loc[TOTAL] = sums.sum(axis=0)
    sums = sums.reindex_like(counts).astype("Float64")
    raw = (sums / counts.astype("Float64")).where(counts > 0)
    shown = shaper.hide(raw.round(2).astype("object").where(raw.notna(), None), counts)
    return Table("composite_by_region", str(_l("Composite score at V4, by region, sex and age")),
                 raw, shaper.labelled(shown, "region", None), SCORE)


def referrals(shaper: Shaper) -> Section:
    flt = shaper.flt
    section = Section("referrals", str(_l("Referrals")))
    frame = facts.REFERRALS.read(flt, ["referral_service", "referral_status"])
    raw = pivot(frame, "referral_service", "referral_status", "referrals")
    table = Table("by_service", str(_l("Referrals by service and outcome")), raw,
                  shaper.labelled(shaper.hide(raw), "referral_service", "referral_status"),
                  chart=True)
    section.tables.append(table)
    section.tables.append(shaper.cross_table(
        "by_region", _l("Referrals, by region, sex and age"),
        facts.REFERRALS.read(flt, CROSS), "referrals"))
    return section


SECTIONS = [reach, pipeline, money, outcomes, scores, referrals]

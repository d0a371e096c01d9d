"""Field tools: the visit questionnaire as an XLSForm for KoboToolbox or ODK Collect, and the
import of their CSV submissions, matched by visit reference, with a report for every row.

Column names are the XLSForm's question names; Kobo's group prefixes ("group/name") are ignored.
An imported row is submitted through the same service as the phone form (same rules, same
idempotency: the submission's `_uuid` is its key, so importing a file twice records nothing
more)."""

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
import xlsxwriter
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from grants.extensions import db
from grants.models import User, Visit, VisitSubmission
from grants.permissions import Permission, can
from grants.services.amounts import parse_amount
from grants.services.errors import DomainError
from grants.services.followup.questionnaire import ITEMS, ITEMS_BY_CODE
from grants.services.followup.visit_reports import VisitReport, submit_visit
from grants.vocabulary import (
    ActivityStatus,
    ItemPresence,
    Recommendation,
    VisitMode,
    VisitProblem,
)
from grants.workflow import VisitStatus

FORM_ID = "cnrm_visite_suivi"
LANGUAGES = (("fr", "Français (fr)"), ("en", "English (en)"))
MAX_ROWS = 5000


def _labels(text) -> list[str]:
    """The label in every language of the form (French first)."""
    out = []
    for code, _name in LANGUAGES:
        with force_locale(code):
            out.append(str(text))
    return out


def _enum_list(enum) -> list[tuple[str, object]]:
    return [(member.value, member._label) for member in enum]


def _survey_rows() -> tuple[list[list], dict[str, list[tuple[str, object]]]]:
    lists = {"mode": _enum_list(VisitMode), "activity_status": _enum_list(ActivityStatus),
             "problems": _enum_list(VisitProblem), "recommendation": _enum_list(Recommendation),
             "presence": _enum_list(ItemPresence)}
    positive = ". >= 0"
    rows = [
        ["text", "visit_reference", _l("Visit reference (VS-…)"), "yes", "", ""],
        ["date", "visited_on", _l("Date of the visit"), "yes", "", ". <= today()"],
        ["select_one mode", "mode", _l("Mode of the visit"), "yes", "", ""],
        ["geopoint", "gps", _l("Position"), "no", "${mode} = 'on_site'", ""],
        ["select_one activity_status", "activity_status", _l("The activity"), "yes", "", ""],
        ["integer", "monthly_revenue", _l("Sales in a month (F CFA)"), "no", "", positive],
        ["integer", "monthly_profit", _l("Profit in a month (F CFA, \"-\" for a loss)"), "no",
         "", ""],
        ["integer", "jobs_total", _l("People working in the activity"), "no", "", positive],
        ["integer", "jobs_women", _l("of whom women"), "no", "", ". <= ${jobs_total}"],
        ["integer", "jobs_youth", _l("of whom young people (15–35)"), "no", "",
         ". <= ${jobs_total}"],
        ["select_one presence", "items_presence", _l("Items bought with the grant"), "no",
         "${mode} = 'on_site'", ""],
        ["select_multiple problems", "problems", _l("Problems met"), "no", "", ""],
        ["text", "observations", _l("Observations"), "no", "", ""],
        ["select_one recommendation", "recommendation",
         _l("Recommendation for the next tranche"), "no", "", ""],
        ["begin_group", "survey", _l("Sustainability questionnaire"), "no", "", ""],
    ]
    for item in ITEMS:
        list_name = "q_" + item.code
        lists[list_name] = [(o.code, o.label) for o in item.options]
        rows.append([f"select_one {list_name}", item.code, item.question, "no", "", ""])
    rows.append(["end_group", "", "", "", "", ""])
    return rows, lists


def write_xlsform(path: Path) -> Path:
    """The questionnaire as an XLSForm (survey, choices and settings sheets)."""
    rows, lists = _survey_rows()
    language_headers = [f"label::{name}" for _code, name in LANGUAGES]
    with xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                         "strings_to_urls": False}) as book:
        survey = book.add_worksheet("survey")
        survey.write_row(0, 0, ["type", "name", *language_headers, "required", "relevant",
                                "constraint"])
        for n, (kind, name, label, required, relevant, constraint) in enumerate(rows, start=1):
            labels = _labels(label) if label else ["", ""]
            survey.write_row(n, 0, [kind, name, *labels, required, relevant, constraint])
        choices = book.add_worksheet("choices")
        choices.write_row(0, 0, ["list_name", "name", *language_headers])
        n = 1
        for list_name, options in lists.items():
            for code, label in options:
                choices.write_row(n, 0, [list_name, code, *_labels(label)])
                n += 1
        settings = book.add_worksheet("settings")
        settings.write_row(0, 0, ["form_title", "form_id", "version", "default_language"])
        settings.write_row(1, 0, [_labels(_l("Follow-up visit"))[0], FORM_ID,
                                  date.today().strftime("%Y%m%d"), LANGUAGES[0][1]])
    return path


# --- import of the submissions ----------------------------------------------------------------

@dataclass(frozen=True)
class RowResult:
    line: int
    reference: str
    outcome: str  # "recorded", "already", "rejected"
    message: str = ""


class RowError(Exception):
    pass


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RowError(_("The file is not a text (CSV) file."))


def _rows(text: str) -> list[dict[str, str]]:
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t") if text.strip() else csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    return [{(key or "").rsplit("/", 1)[-1].strip(): (value or "").strip()
             for key, value in row.items()} for row in reader]


def _enum(enum, value: str, label):
    if not value:
        return None
    try:
        return enum(value)
    except ValueError:
        raise RowError(_("%(field)s: unknown value \"%(value)s\".", field=label,
                         value=value[:40])) from None


def _integer(value: str, label, signed: bool = False) -> int | None:
    if not value:
        return None
    negative = signed and value.startswith("-")
    try:
        number = parse_amount(value.lstrip("-") if negative else value)
    except DomainError as error:
        raise RowError(f"{label}: {error.message}") from None
    return -number if negative else number


def _report_of(row: dict[str, str], visit: Visit) -> VisitReport:
    try:
        visited_on = date.fromisoformat(row.get("visited_on", "")[:10])
    except ValueError:
        raise RowError(_("visited_on: enter a date as YYYY-MM-DD.")) from None
    latitude = longitude = accuracy = None
    if row.get("gps"):
        parts = row["gps"].split()
        try:
            latitude, longitude = float(parts[0]), float(parts[1])
            accuracy = round(float(parts[3])) if len(parts) > 3 else None
        except (ValueError, IndexError):
            raise RowError(_("gps: the position is not valid.")) from None
    presence = _enum(ItemPresence, row.get("items_presence", ""), "items_presence")
    problems = row.get("problems", "").split()
    for code in problems:
        _enum(VisitProblem, code, "problems")
    survey = {code: row[code] for code in ITEMS_BY_CODE if row.get(code)}
    return VisitReport(
        visited_on=visited_on, mode=_enum(VisitMode, row.get("mode", ""), "mode"),
        activity_status=_enum(ActivityStatus, row.get("activity_status", ""), "activity_status"),
        monthly_revenue=_integer(row.get("monthly_revenue", ""), "monthly_revenue"),
        monthly_profit=_integer(row.get("monthly_profit", ""), "monthly_profit", signed=True),
        jobs_total=_integer(row.get("jobs_total", ""), "jobs_total"),
        jobs_women=_integer(row.get("jobs_women", ""), "jobs_women"),
        jobs_youth=_integer(row.get("jobs_youth", ""), "jobs_youth"),
        problems=problems, observations=row.get("observations", ""),
        recommendation=_enum(Recommendation, row.get("recommendation", ""), "recommendation"),
        items={line.id: presence for line in visit.application.budget_lines} if presence else {},
        survey=survey, latitude=latitude, longitude=longitude, gps_accuracy=accuracy)


def _key(row: dict[str, str], raw: str) -> str:
    uuid = row.get("_uuid") or row.get("instanceID", "").removeprefix("uuid:")
    return "kobo:" + (uuid[:58] if uuid else hashlib.sha256(raw.encode()).hexdigest()[:58])


def import_submissions(actor: User, data: bytes) -> list[RowResult]:
    """Record each row as the report of the visit it names. A bad row is reported with its
    reason and leaves nothing behind; the other rows are recorded."""
    try:
        rows = _rows(_decode(data))
    except (RowError, csv.Error) as error:
        return [RowResult(1, "", "rejected", str(error) or _("The file cannot be read."))]
    if not rows:
        return [RowResult(1, "", "rejected", _("The file has no rows to import."))]
    if len(rows) > MAX_ROWS:
        return [RowResult(1, "", "rejected", _("At most %(n)d rows at once.", n=MAX_ROWS))]
    results = []
    for line, row in enumerate(rows, start=2):  # line 1 holds the headers
        reference = row.get("visit_reference", "").upper()
        results.append(_import_row(actor, line, reference, row))
    return results


def _import_row(actor: User, line: int, reference: str, row: dict[str, str]) -> RowResult:
    if not reference:
        return RowResult(line, "", "rejected", _("visit_reference is empty."))
    visit = db.session.scalar(sa.select(Visit).where(Visit.reference == reference))
    if visit is None or not can(actor, Permission.VISIT_VIEW, visit):
        return RowResult(line, reference, "rejected", _("No such visit in your regions."))
    key = _key(row, repr(sorted(row.items())))
    earlier = db.session.get(VisitSubmission, key)
    if earlier is not None and earlier.visit_id == visit.id:
        return RowResult(line, reference, "already", _("Already recorded by an earlier import."))
    if earlier is not None:
        return RowResult(line, reference, "rejected",
                         _("This submission was already recorded for another visit."))
    if visit.status != VisitStatus.PLANNED:
        return RowResult(line, reference, "rejected", _("This visit is already recorded."))
    try:
        report = _report_of(row, visit)
        with db.session.begin_nested():
            submit_visit(actor, visit.id, report, key, exclusive=False)
    except RowError as error:
        return RowResult(line, reference, "rejected", str(error))
    except (DomainError, IntegrityError) as error:
        db.session.expire_all()  # the savepoint was rolled back
        if isinstance(error, IntegrityError):
            return RowResult(line, reference, "rejected", _("The row clashes with recorded data."))
        field = f"{error.field}: " if error.field else ""
        return RowResult(line, reference, "rejected", f"{field}{error.message}")
    return RowResult(line, reference, "recorded")


def too_large_message() -> str:
    return _("The file is too large (maximum %(mb)d MB).", mb=5)

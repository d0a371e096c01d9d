"""Every row of a file checked with the intake form's rules (`check_profile`), and its duplicates
found against the registry and the rows above it, in a few bulk queries rather than per row."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from grants.extensions import db
from grants.models import Beneficiary, RowStatus, User
from grants.permissions import Permission, region_scope
from grants.services.imports import values as v
from grants.services.imports.reading import Table
from grants.services.intake.beneficiaries import (
    DuplicateKeys,
    check_profile,
    duplicate_reasons,
    id_number_key,
    name_key,
)
from grants.vocabulary import BeneficiaryCategory, IdType

CHUNK = 500  # values per IN (...) of the registry queries
_LENGTHS = {"cercle": 80, "commune": 80, "address": 200, "return_country": 80,
            "iom_case_number": 40, "id_number": 40}
# The form's field names, as the import's fields call them.
_FIELD = {"region_id": "region"}


@dataclass
class CheckedRow:
    line: int  # the line in the file (headers on line 1)
    first_name: str
    last_name: str
    consent: bool
    data: dict  # what the registry will keep: empty without consent, JSON-ready
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field, message)
    keys: DuplicateKeys | None = None
    status: RowStatus = RowStatus.NEW
    reasons: tuple[str, ...] = ()
    duplicate_of_id: int | None = None
    duplicate_of_line: int | None = None


def check_table(actor: User, table: Table, columns: dict[str, str],
                progress: Callable[[int], None] | None = None) -> list[CheckedRow]:
    lookups = v.Lookups()
    regions = region_scope(actor, Permission.BENEFICIARY_EDIT)
    id_header = v.normalise(columns.get("id_number", ""))
    default_id_type = next((kind for word, kind in (
        ("nina", IdType.NINA), ("passe", IdType.PASSPORT), ("passport", IdType.PASSPORT),
        ("cni", IdType.CNI), ("consul", IdType.CONSULAR_CARD)) if word in id_header), IdType.NINA)
    wanted = [c for c in columns if columns[c] in table.headers]
    frame = table.frame[[columns[c] for c in wanted]]
    rows: list[CheckedRow] = []
    for index, cells in enumerate(frame.itertuples(index=False, name=None)):
        rows.append(_check_row(index + 2, dict(zip(wanted, cells, strict=True)), lookups,
                               regions, default_id_type))
        if progress and index % 1000 == 0:
            progress(index)
    find_duplicates(rows)
    return rows


def _check_row(line: int, cells: dict, lookups: v.Lookups, regions: frozenset[int] | None,
               default_id_type: IdType) -> CheckedRow:
    errors: list[tuple[str, str]] = []

    def parse(code: str, parser, *args):
        if code not in cells:
            return None
        try:
            return parser(cells[code], *args)
        except v.CellError as error:
            errors.append((code, str(error.message)))
            return None

    first, last = v.text(cells.get("first_name")), v.text(cells.get("last_name"))
    for code, name in (("last_name", last), ("first_name", first)):
        if not name:
            errors.append((code, str(_l("Enter the first and last names."))))
        elif len(name) > 80:
            errors.append((code, str(_l("At most 80 characters."))))
    consent = bool(parse("consent", v.parse_yes_no))
    birth = parse("birth_date", v.parse_date) or (None, False)
    raw: dict = {
        "sex": parse("sex", v.parse_sex), "birth_date": birth[0], "birth_date_estimated": birth[1],
        "phone": v.text(cells.get("phone")) or None,
        "id_number": v.text(cells.get("id_number")) or None,
        "id_type": parse("id_type", v.parse_choice, lookups.id_types,
                         _l("Unknown type of document.")),
        "region_id": parse("region", lookups.region),
        "category": parse("category", v.parse_choice, lookups.categories,
                          _l("Unknown category.")) or BeneficiaryCategory.RETURNEE,
        "return_date": (parse("return_date", v.parse_date) or (None, False))[0],
        "return_mode": parse("return_mode", v.parse_choice, lookups.return_modes,
                             _l("Unknown return mode.")),
        "household_size": parse("household_size", v.parse_int),
        "education": None, "skills": None, "skills_abroad": None,
    }
    for code, limit in _LENGTHS.items():
        value: str | None = raw.get(code) if code == "id_number" else (
            v.text(cells.get(code)) or None)
        if value and len(value) > limit:
            errors.append((code, str(_l("At most %(count)s characters.", count=limit))))
            value = None
        raw[code] = value
    if raw["id_number"] and raw["id_type"] is None:
        raw["id_type"] = default_id_type  # the column's header says which document it is
    consent_date = (parse("consent_date", v.parse_date) or (None, False))[0]
    if consent_date and consent_date > date.today():
        errors.append(("consent_date", str(_l("The consent date cannot be in the future."))))
    profile, refused = check_profile(raw)
    keys = DuplicateKeys(id_number_key(profile["id_number"]),
                         None if any(e.field == "phone" for e in refused) else profile["phone"],
                         name_key(first, last), profile["birth_date"])
    data: dict = {}
    if consent:  # the form's rules hold only for what will be kept
        unreadable = {code for code, _ in errors}  # "unreadable date" says more than "enter"
        errors.extend((code, str(e.message)) for e in refused
                      if (code := _FIELD.get(e.field or "", e.field or "")) not in unreadable)
        if regions is not None and profile["region_id"] not in regions:
            errors.append(("region", str(_l("Choose one of your regions."))))
        data = {name: (value.isoformat() if isinstance(value, date) else
                       (str(value) if hasattr(value, "label") else value))
                for name, value in profile.items() if value not in (None, "")}
        if consent_date:
            data["consent_date"] = consent_date.isoformat()
    elif profile["region_id"] is not None and (regions is None or profile["region_id"] in regions):
        # Without consent the names are kept, and the region so that its agents see the person
        # on their list "consent to collect".
        data = {"region_id": profile["region_id"]}
    if "past_outcome" in cells:  # a file of returnees with their past dossiers
        data["past"] = _past_dossier(cells, parse, lookups, consent, errors)
    row = CheckedRow(line, first[:80], last[:80], consent, data, errors, keys)
    if errors:
        row.status = RowStatus.ERROR
    return row


def _past_dossier(cells: dict, parse, lookups: v.Lookups, consent: bool,
                  errors: list[tuple[str, str]]) -> dict:
    """The row's past dossier, JSON-ready. Kept with or without consent (the one-grant rule
    needs it), but its title only with consent: it may say more about the person."""
    programme = v.text(cells.get("past_programme"))
    if not programme:
        errors.append(("past_programme", str(_l("Enter the call or programme of the dossier."))))
    elif len(programme) > 120:
        errors.append(("past_programme", str(_l("At most %(count)s characters.", count=120))))
    outcome = parse("past_outcome", v.parse_outcome) if v.text(cells.get("past_outcome")) else None
    if outcome is None and not any(code == "past_outcome" for code, _ in errors):
        errors.append(("past_outcome", str(_l("Write \"financé\" or \"non financé\"."))))
    year = parse("past_year", v.parse_year)
    funded_on = (parse("past_funded_on", v.parse_date) or (None, False))[0]
    if funded_on and funded_on > date.today():
        errors.append(("past_funded_on", str(_l("The date of funding cannot be in the future."))))
    elif funded_on and outcome is not None and not outcome.is_funded:
        errors.append(("past_funded_on", str(_l("A dossier that was not funded has no date of "
                                                "funding."))))
    if year is None and funded_on is not None:
        year = funded_on.year
    elif year is None and not any(code in ("past_year", "past_funded_on") for code, _ in errors):
        errors.append(("past_year", str(_l("Enter the year of the dossier or its date of "
                                           "funding."))))
    title = v.text(cells.get("past_title")) or None
    if title and len(title) > 200:
        errors.append(("past_title", str(_l("At most %(count)s characters.", count=200))))
    sector = parse("past_sector", v.parse_choice, lookups.sectors, _l("Unknown sector."))
    return {"programme": programme[:120], "year": year, "outcome": str(outcome or ""),
            "title": title[:200] if title and consent else None,
            "sector": str(sector) if sector else None,
            "amount": parse("past_amount", v.parse_amount),
            "funded_on": funded_on.isoformat() if funded_on else None}


def _chunks(values: Iterable, size: int = CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def find_duplicates(rows: list[CheckedRow]) -> None:
    """Mark each row that is not an error: duplicate of a registered person (the oldest
    record), else duplicate of a row above it, else new."""
    registry = _registry_candidates(rows)
    seen: dict[tuple, int] = {}  # a key of a row above -> its line
    for row in rows:
        if row.status is RowStatus.ERROR or row.keys is None:
            continue
        keys = row.keys
        own = _own_keys(keys)
        candidates = sorted({bid for key in own for bid in registry.get(key, ())})
        for bid in candidates:
            reasons = duplicate_reasons(keys, registry["keys"][bid])
            if reasons:
                row.status, row.duplicate_of_id, row.reasons = RowStatus.DUPLICATE, bid, reasons
                break
        if row.status is RowStatus.NEW:
            earlier = [seen[key] for key in own if key in seen]
            if earlier:
                row.status, row.duplicate_of_line = RowStatus.FILE_DUPLICATE, min(earlier)
                row.reasons = tuple(key[0] for key in own if key in seen)
        for key in own:
            seen.setdefault(key, row.line)


def _own_keys(keys: DuplicateKeys) -> list[tuple]:
    own: list[tuple] = []
    if keys.id_key:
        own.append(("id_number", keys.id_key))
    if keys.phone:
        own.append(("phone", keys.phone))
    if keys.birth_date:
        own.append(("name_birth_date", keys.name_key, keys.birth_date))
    return own


def _registry_candidates(rows: list[CheckedRow]) -> dict:
    """key -> ids of registered people having it, and "keys" -> their DuplicateKeys."""
    live = [r.keys for r in rows if r.keys is not None and r.status is not RowStatus.ERROR]
    columns = (Beneficiary.id, Beneficiary.id_number_key, Beneficiary.phone,
               Beneficiary.name_key, Beneficiary.birth_date)
    found: dict[int, DuplicateKeys] = {}
    for column, wanted in (
            (Beneficiary.id_number_key, {k.id_key for k in live if k.id_key}),
            (Beneficiary.phone, {k.phone for k in live if k.phone}),
            (Beneficiary.name_key, {k.name_key for k in live if k.birth_date})):
        for chunk in _chunks(sorted(wanted)):
            for bid, id_key, phone, key, born in db.session.execute(
                    db.select(*columns).where(column.in_(chunk))):
                found[bid] = DuplicateKeys(id_key, phone, key, born)
    index: dict = {"keys": found}
    for bid, keys in found.items():
        for key in _own_keys(keys):
            index.setdefault(key, []).append(bid)
    return index

"""A spreadsheet cell to a value of the registry: dates written every way, sexes, regions by
name or code, value lists by code or label (French or English), yes/no. Each parser returns the
value or raises ValueError with the message for the user."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from grants.extensions import db
from grants.models import PastOutcome, Region
from grants.services.amounts import parse_amount as parse_typed_amount
from grants.services.errors import ValidationError
from grants.services.imports.mapping import normalise
from grants.vocabulary import BeneficiaryCategory, IdType, LabelledEnum, ReturnMode, Sector, Sex

_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (its 1900 leap-year bug included)
_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y/%m/%d", "%d/%m/%y",
                 "%d-%m-%y", "%d %m %Y")
_YES = {"oui", "o", "yes", "y", "1", "x", "vrai", "true", "ok", "accepte", "donne"}
_NO = {"non", "n", "no", "0", "faux", "false", "refuse", ""}


class CellError(ValueError):
    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def text(value) -> str:
    """A cell as text: 76123456.0 (a number Excel made of a phone) gives "76123456"."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def parse_date(value) -> tuple[date | None, bool]:
    """(the date, whether it is only a year): dd/mm/yyyy, yyyy-mm-dd, Excel serial numbers, a
    year alone (1st January, estimated)."""
    if isinstance(value, datetime):
        return value.date(), False
    if isinstance(value, date):
        return value, False
    raw = text(value)
    if not raw:
        return None, False
    raw = raw.split(" ")[0] if len(raw) > 10 and raw[4] == "-" else raw  # "1994-03-15 00:00:00"
    if raw.isdigit():
        number = int(raw)
        if 1900 <= number <= 2100:
            return date(number, 1, 1), True
        if 3000 <= number <= 80000:  # an Excel serial number left as a number in a CSV
            return _EXCEL_EPOCH + timedelta(days=number), False
    for pattern in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
        if pattern.endswith("%y") and parsed > date.today():
            parsed = parsed.replace(year=parsed.year - 100)  # "15/03/94" is 1994
        return parsed, False
    raise CellError(_l("Unreadable date \"%(value)s\": write it as dd/mm/yyyy.", value=raw[:40]))


_SEXES = {"f": Sex.FEMALE, "femme": Sex.FEMALE, "feminin": Sex.FEMALE, "female": Sex.FEMALE,
          "woman": Sex.FEMALE, "m": Sex.MALE, "h": Sex.MALE, "homme": Sex.MALE,
          "masculin": Sex.MALE, "male": Sex.MALE, "man": Sex.MALE}


def parse_sex(value) -> Sex | None:
    key = normalise(text(value))
    if not key:
        return None
    if key not in _SEXES:
        raise CellError(_l("Unknown sex \"%(value)s\": write M or F.", value=text(value)[:20]))
    return _SEXES[key]


def parse_yes_no(value) -> bool:
    key = normalise(text(value))
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise CellError(_l("Write \"oui\" or \"non\" (\"%(value)s\" is neither).",
                       value=text(value)[:20]))


_OUTCOMES = {"funded": PastOutcome.FUNDED, "finance": PastOutcome.FUNDED,
             "financee": PastOutcome.FUNDED, "oui": PastOutcome.FUNDED, "o": PastOutcome.FUNDED,
             "yes": PastOutcome.FUNDED, "y": PastOutcome.FUNDED, "1": PastOutcome.FUNDED,
             "accorde": PastOutcome.FUNDED, "retenu": PastOutcome.FUNDED,
             "selectionne": PastOutcome.FUNDED, "subventionne": PastOutcome.FUNDED,
             "not funded": PastOutcome.NOT_FUNDED, "non finance": PastOutcome.NOT_FUNDED,
             "non financee": PastOutcome.NOT_FUNDED, "non": PastOutcome.NOT_FUNDED,
             "n": PastOutcome.NOT_FUNDED, "no": PastOutcome.NOT_FUNDED,
             "0": PastOutcome.NOT_FUNDED, "rejete": PastOutcome.NOT_FUNDED,
             "refuse": PastOutcome.NOT_FUNDED, "non retenu": PastOutcome.NOT_FUNDED,
             "unfunded": PastOutcome.NOT_FUNDED, "rejected": PastOutcome.NOT_FUNDED}


def parse_outcome(value) -> PastOutcome:
    """"financé", "oui", "funded" / "non financé", "non", "rejeté"…: a past dossier's outcome."""
    key = normalise(text(value))
    if key not in _OUTCOMES:
        raise CellError(_l("Unknown outcome \"%(value)s\": write \"financé\" or \"non financé\".",
                           value=text(value)[:30]))
    return _OUTCOMES[key]


def parse_year(value) -> int | None:
    raw = text(value)
    if not raw:
        return None
    if not raw.isdigit() or not 1990 <= int(raw) <= date.today().year:
        raise CellError(_l("Write a year such as 2024 (\"%(value)s\" is not one).",
                           value=raw[:20]))
    return int(raw)


def parse_amount(value) -> int | None:
    """Whole F CFA by the rules of every amount typed in the system ("1 500 000", "1.500.000");
    a float cell holding a whole number (Excel's 1500000.0) is that number."""
    raw = text(value)
    if not raw:
        return None
    try:
        return parse_typed_amount(raw)
    except ValidationError as error:
        raise CellError(error.message) from None


def parse_int(value) -> int | None:
    raw = text(value)
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 3:
        raise CellError(_l("Write a whole number (\"%(value)s\" is not one).", value=raw[:20]))
    return int(raw)


class Lookups:
    """The tables a row's cells are matched against, built once per file."""

    def __init__(self) -> None:
        self.regions: dict[str, int] = {}
        for region in db.session.scalars(db.select(Region)):
            self.regions[normalise(region.name)] = region.id
            self.regions[region.code] = region.id
            self.regions[str(int(region.code))] = region.id
            if region.code == "00":
                self.regions.update({"bamako": region.id, "district": region.id,
                                     "district bamako": region.id})
        self.categories = _labels(BeneficiaryCategory, {
            "migrant de retour": BeneficiaryCategory.RETURNEE,
            "migrant retourne": BeneficiaryCategory.RETURNEE,
            "retourne": BeneficiaryCategory.RETURNEE,
            "returnee": BeneficiaryCategory.RETURNEE,
            "migrant potentiel": BeneficiaryCategory.POTENTIAL_MIGRANT,
            "communaute": BeneficiaryCategory.COMMUNITY_MEMBER})
        self.return_modes = _labels(ReturnMode, {
            "avr": ReturnMode.AVRR, "avrr": ReturnMode.AVRR, "arvr": ReturnMode.AVRR,
            "retour volontaire": ReturnMode.AVRR, "retour volontaire assiste": ReturnMode.AVRR,
            "humanitaire": ReturnMode.HUMANITARIAN, "expulse": ReturnMode.EXPELLED,
            "refoule": ReturnMode.EXPELLED, "expulsion": ReturnMode.EXPELLED,
            "rapatriement": ReturnMode.STATE_REPATRIATION, "spontane": ReturnMode.SPONTANEOUS})
        self.id_types = _labels(IdType, {
            "carte nina": IdType.NINA, "carte d identite": IdType.CNI, "ci": IdType.CNI,
            "passeport": IdType.PASSPORT, "carte consulaire": IdType.CONSULAR_CARD,
            "laissez passer": IdType.LAISSEZ_PASSER, "lp": IdType.LAISSEZ_PASSER,
            "acte de naissance": IdType.BIRTH_CERTIFICATE, "aucun": IdType.NONE,
            "aucune": IdType.NONE})
        self.sectors = _labels(Sector, {})
        for locale in ("fr", "en"):  # "Couture" for "Couture / textile"
            with force_locale(locale):
                for member in Sector:
                    for part in re.split(r"[/(,]", str(member.label)):
                        if normalise(part):
                            self.sectors.setdefault(normalise(part), member)

    def region(self, value) -> int | None:
        raw = text(value)
        if not raw:
            return None
        key = normalise(raw)
        key = key[len("region de "):] if key.startswith("region de ") else key
        found = self.regions.get(key) or self.regions.get(key.replace("district de ", ""))
        if found is None:
            raise CellError(_l("Unknown region \"%(value)s\".", value=raw[:40]))
        return found

    @staticmethod
    def choice(table: dict, value, message) -> LabelledEnum | None:
        key = normalise(text(value))
        if not key:
            return None
        if key not in table:
            raise CellError(message)
        return table[key]


def parse_choice(value, table: dict, message) -> LabelledEnum | None:
    """`Lookups.choice` with the cell first, as a row's parsers take it."""
    return Lookups.choice(table, value, message)


def _labels(enum: type[LabelledEnum], extra: dict) -> dict[str, LabelledEnum]:
    """Codes, English and French labels of a value list, normalised, plus usual spellings."""
    table: dict[str, LabelledEnum] = {}
    for locale in ("en", "fr"):
        with force_locale(locale):
            for member in enum:
                table[normalise(member.label)] = member
    for member in enum:
        table[normalise(member.value)] = member
    table.update(extra)
    return table

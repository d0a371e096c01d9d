"""The fields a partner sheet may hold, the mapping proposed from its headers (French and English
synonyms, accents and case ignored), and mappings saved by name to be reused."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from grants.extensions import db
from grants.models import ImportHolds, ImportMapping, User
from grants.services import audit
from grants.services.errors import ValidationError


@dataclass(frozen=True)
class Field:
    code: str
    label: object  # lazy translation
    synonyms: tuple[str, ...]  # normalised: no accents, lower case, words split by one space
    example: str  # for the template


FIELDS: tuple[Field, ...] = (
    Field("last_name", _l("Last name"), ("nom", "nom de famille", "noms", "last name", "surname",
                                          "family name"), "KANTE"),
    Field("first_name", _l("First name(s)"), ("prenom", "prenoms", "prenom s", "first name",
                                               "first names", "given name", "given names"),
          "Moussa"),
    Field("sex", _l("Sex"), ("sexe", "sex", "genre", "gender", "h f", "m f"), "M"),
    Field("birth_date", _l("Date of birth"), (
        "date de naissance", "ne le", "nee le", "ne e le", "date naissance", "naissance", "dob",
        "date of birth", "birth date", "birthdate"), "15/03/1994"),
    Field("phone", _l("Phone"), ("telephone", "tel", "contact", "phone", "phone number",
                                 "numero de telephone", "n telephone", "n tel", "mobile",
                                 "portable", "cellulaire"), "+223 76 12 34 56"),
    Field("id_type", _l("Type of document"), ("type de piece", "type piece", "piece",
                                               "type de document", "id type", "document type"),
          "NINA"),
    Field("id_number", _l("Document number"), (
        "n nina", "nina", "numero nina", "no nina", "numero de piece", "n piece", "n de piece",
        "numero piece", "id number", "document number", "cni", "n cni", "passeport",
        "n passeport", "passport number"), "12345678901234X"),
    Field("region", _l("Region"), ("region", "region of origin", "region d origine"), "Kayes"),
    Field("cercle", _l("Cercle"), ("cercle", "district", "prefecture"), "Kayes"),
    Field("commune", _l("Commune"), ("commune", "municipality"), "Kayes"),
    Field("address", _l("Address"), ("adresse", "address", "quartier", "lieu de residence",
                                     "residence"), "Plateau"),
    Field("category", _l("Category"), ("categorie", "category", "type de beneficiaire",
                                       "beneficiary type"), "Migrant de retour"),
    Field("return_country", _l("Country of return"), (
        "pays de retour", "pays", "pays de provenance", "pays d accueil", "country",
        "return country", "country of return"), "Libye"),
    Field("return_date", _l("Date of return"), ("date de retour", "date du retour",
                                                 "date d arrivee", "return date",
                                                 "arrival date", "date of return"), "02/01/2024"),
    Field("return_mode", _l("Return mode"), ("mode de retour", "type de retour", "return mode",
                                             "type of return"), "AVRR"),
    Field("iom_case_number", _l("IOM case number"), (
        "n cas oim", "numero cas oim", "cas oim", "n dossier oim", "iom case number",
        "iom case", "case number", "mimosa", "n mimosa"), "ML-2023-00042"),
    Field("household_size", _l("Household size"), ("taille du menage", "taille menage",
                                                   "menage", "household size"), "5"),
    Field("consent", _l("Consent given"), ("consentement", "consent", "consentement donne",
                                           "accord", "consent given"), "oui"),
    Field("consent_date", _l("Date of consent"), ("date du consentement",
                                                  "date de consentement", "date consentement",
                                                  "consent date"), "02/01/2024"),
)
# A file of "returnees with their past dossiers": one row per past dossier (a person with two
# dossiers has two rows; the second links to the first).
PAST_FIELDS: tuple[Field, ...] = (
    Field("past_programme", _l("Past call or programme"), (
        "programme", "appel", "appel a projets", "projet oim", "bailleur", "partenaire",
        "call", "programme name", "past call", "ancien appel"), "OIM Kayes 2024"),
    Field("past_year", _l("Year of the past dossier"), ("annee", "annee du dossier", "year",
                                                         "annee appel", "exercice"), "2024"),
    Field("past_title", _l("Title of the past project"), (
        "titre", "titre du projet", "intitule", "intitule du projet", "projet", "project",
        "project title", "title"), "Atelier de couture"),
    Field("past_sector", _l("Sector of the past project"), ("secteur", "secteur d activite",
                                                            "sector", "filiere"), "Couture"),
    Field("past_outcome", _l("Outcome of the past dossier"), (
        "resultat", "issue", "decision", "finance", "financement", "outcome", "funded",
        "statut du dossier"), "financé"),
    Field("past_amount", _l("Amount granted (F CFA)"), (
        "montant", "montant accorde", "montant finance", "montant octroye", "amount",
        "amount granted", "subvention"), "1 500 000"),
    Field("past_funded_on", _l("Date of funding"), (
        "date de financement", "date financement", "date d octroi", "date du financement",
        "funding date", "funded on", "date of funding"), "15/07/2024"),
)
ALL_FIELDS = FIELDS + PAST_FIELDS
FIELD_CODES = tuple(f.code for f in ALL_FIELDS)
REQUIRED_FIELDS = ("last_name", "first_name")
PAST_REQUIRED_FIELDS = ("past_programme", "past_outcome")


def fields_for(holds: ImportHolds) -> tuple[Field, ...]:
    """The fields a file of this kind may hold, as the column page and the template list them."""
    return ALL_FIELDS if holds.has_past_dossiers else FIELDS


def required_for(holds: ImportHolds) -> tuple[str, ...]:
    return REQUIRED_FIELDS + (PAST_REQUIRED_FIELDS if holds.has_past_dossiers else ())


def normalise(text: object) -> str:
    """"N° NINA", "n nina" and "N°-Nina " give "n nina": no accents, lower case, one space."""
    value = unicodedata.normalize("NFKD", str(text).replace("°", " ").replace("º", " "))
    value = "".join(c for c in value if not unicodedata.combining(c)).lower()
    return " ".join("".join(c if c.isalnum() else " " for c in value).split())


def propose(headers: list[str], holds: ImportHolds = ImportHolds.PEOPLE) -> dict[str, str]:
    """field code -> header: exact synonyms first, then headers that start with a synonym
    ("Téléphone 1"); each header serves one field."""
    normalised = {header: normalise(header) for header in headers}
    chosen: dict[str, str] = {}
    used: set[str] = set()
    for exact in (True, False):
        for field in fields_for(holds):
            if field.code in chosen:
                continue
            for header, key in normalised.items():
                if header in used:
                    continue
                hit = key in field.synonyms if exact else any(
                    len(s) >= 3 and key.startswith(s + " ") for s in field.synonyms)
                if hit:
                    chosen[field.code] = header
                    used.add(header)
                    break
    return chosen


def check_columns(columns: dict, headers: list[str],
                  holds: ImportHolds = ImportHolds.PEOPLE) -> dict[str, str]:
    """A mapping as the user sent it: known fields, existing headers, each header once, the
    names mapped (and, for past dossiers, the programme and the outcome)."""
    clean: dict[str, str] = {}
    known = {f.code for f in fields_for(holds)}
    for code, header in columns.items():
        if code not in known:
            raise ValidationError(_l("Unknown field."), "columns")
        if not header:
            continue
        if header not in headers:
            raise ValidationError(_l("The column \"%(name)s\" is not in the file.",
                                     name=str(header)[:80]), code)
        if header in clean.values():
            raise ValidationError(_l("The column \"%(name)s\" is chosen for two fields.",
                                     name=str(header)[:80]), code)
        clean[code] = header
    for code in required_for(holds):
        if code not in clean:
            raise ValidationError(_l("Choose the column of this field: it is required."), code)
    return clean


# --- saved mappings --------------------------------------------------------------------------

def saved_mappings() -> list[ImportMapping]:
    return list(db.session.scalars(db.select(ImportMapping).order_by(ImportMapping.name)))


def find_mapping(name: str) -> ImportMapping | None:
    return db.session.scalar(db.select(ImportMapping).where(
        ImportMapping.name == name.strip()))


def save_mapping(actor: User, name: str, columns: dict[str, str]) -> ImportMapping:
    """Save (or replace) a mapping under a name, e.g. "Liste OIM Kayes"."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ValidationError(_l("Give the mapping a name of at most 80 characters."),
                              "mapping_name")
    unknown = set(columns) - set(FIELD_CODES)
    if unknown or not all(isinstance(v, str) and len(v) <= 200 for v in columns.values()):
        raise ValidationError(_l("Unknown field."), "columns")
    mapping = find_mapping(name)
    if mapping is None:
        mapping = ImportMapping(name=name, created_by_id=actor.id)
        db.session.add(mapping)
    mapping.columns = dict(columns)
    db.session.flush()
    audit.record("import.mapping_saved", actor, mapping, details={"name": name})
    return mapping


def apply_saved(mapping: ImportMapping, headers: list[str],
                holds: ImportHolds = ImportHolds.PEOPLE) -> dict[str, str]:
    """A saved mapping on a new file: the columns it names that the file has (same header, or
    the same once accents and case are ignored)."""
    by_key = {normalise(h): h for h in headers}
    columns: dict[str, str] = {}
    known = {f.code for f in fields_for(holds)}
    for code, header in mapping.columns.items():
        if code not in known:
            continue
        if header in headers:
            columns[code] = header
        elif normalise(header) in by_key:
            columns[code] = by_key[normalise(header)]
    return columns

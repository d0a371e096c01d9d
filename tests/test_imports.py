"""Importing partner lists, the reading and checking half: files in every encoding and format,
the bad files, the proposed and saved mappings, every row check and the duplicates (registry and
within the file), all before anything is written."""

import io
import zipfile
from datetime import date

import openpyxl
import pytest

from grants.extensions import db
from grants.models import Beneficiary, ImportMapping, Role, RowStatus, User
from grants.services.errors import ValidationError
from grants.services.imports import checks, mapping, reading, values
from tests import factories
from tests.conftest import committed, region
from tests.conftest import count_queries as count_statements

HEADERS = factories.PARTNER_HEADERS


def table_of(rows):
    return reading.read_table(factories.csv_bytes(rows))


# --- reading --------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("separator", [";", ","])
def test_csv_in_every_encoding_and_separator_reads_the_same(encoding, separator):
    rows = factories.partner_list(5)
    table = reading.read_table(factories.csv_bytes(rows, encoding=encoding, separator=separator))
    assert table.headers == HEADERS  # "Né(e) le" and "Prénom(s)" intact, no BOM in "N°"
    assert len(table) == 5
    assert table.frame.iloc[0]["NOM"] == "TRAORÉ"
    assert table.frame.iloc[1]["NOM"] == "Keïta"


def test_xlsx_and_xls_read_with_typed_cells():
    rows = factories.partner_list(3)
    rows[1][4] = date(1990, 3, 15)
    table = reading.read_table(factories.xlsx_bytes(rows))
    assert table.headers == HEADERS and len(table) == 3
    assert values.parse_date(table.frame.iloc[0]["Né(e) le"]) == (date(1990, 3, 15), False)


def test_an_xls_file_is_read_through_xlrd(app):
    rows = factories.partner_list(4)
    rows[1][4] = date(1990, 3, 15)  # a date cell
    rows[2][4] = 34408.0  # a date left as its serial number
    table = reading.read_table(factories.xls_bytes(rows))
    assert values.parse_date(table.frame.iloc[0]["Né(e) le"]) == (date(1990, 3, 15), False)
    assert table.headers == HEADERS and len(table) == 4
    assert table.frame.iloc[0]["NOM"] == "TRAORÉ"
    assert values.parse_date(table.frame.iloc[1]["Né(e) le"]) == (date(1994, 3, 15), False)
    # a damaged OLE file is refused, not a crash
    with app.test_request_context(), pytest.raises(reading.ImportFileError):
        reading.read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)


def _merged_header() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Identité", None, "Téléphone"])
    sheet.append(["KANTE", "Moussa", "76123456"])
    sheet.merge_cells("A1:B1")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _formula() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Nom", "Prénom", "Ménage"])
    sheet.append(["KANTE", "Moussa", "=2+3"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _encrypted() -> bytes:
    """What Excel writes for a workbook with a password: an OLE container whose stream
    "EncryptedPackage" holds the encrypted xlsx."""
    return (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
            + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 2048)


def _not_xlsx_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hello")
    return out.getvalue()


@pytest.mark.parametrize(("content", "expected"), [
    (factories.PDF, "pas un tableur"),
    (bytes(range(256)) * 20, "pas un tableur"),
    (_not_xlsx_zip(), "pas un tableur"),
    (b"", "Le fichier est vide"),
    (b"   \r\n", "Le fichier est vide"),
    ("Nom;Prénom\r\n".encode(), "aucune ligne sous ses en-têtes"),
    (factories.xlsx_bytes([]), "aucune ligne sous ses en-têtes"),
    ((";".join(f"c{i}" for i in range(100_000)) + "\r\n" + "x;" * 99_999 + "x").encode(),
     "plus de 200 colonnes"),
    # a workbook holds at most 16 384 columns (XFD): the widest one there can be
    (factories.xlsx_bytes([[f"c{i}" for i in range(16_384)], ["x"] * 16_384]),
     "plus de 200 colonnes"),
    (_formula(), "La cellule C2 contient une formule"),
    ("Nom;Prénom\r\nKANTE;Moussa\r\nDIARRA; =HYPERLINK(\"x\")\r\n".encode(),
     "La cellule B3 contient une formule"),
    (_merged_header(), "La colonne B contient des données mais pas d’en-tête"),
    (_encrypted(), "protégé par un mot de passe"),
    (b"Nom;Nom\r\nA;B\r\n", "Deux colonnes s’appellent"),
])
def test_bad_files_are_refused_with_a_clear_message(app, content, expected):
    with app.test_request_context():  # the message in the user's language: French first
        with pytest.raises(reading.ImportFileError) as refused:
            reading.read_table(content)
        assert expected in str(refused.value.message)
    assert refused.value.field == "file"


def test_bad_files_speak_the_users_language(app):
    from flask_babel import force_locale

    with app.test_request_context():
        for locale, words in (("fr", "mot de passe"), ("en", "password")):
            with force_locale(locale):
                with pytest.raises(reading.ImportFileError) as refused:
                    reading.read_table(_encrypted())
                assert words in str(refused.value.message)


# --- mapping --------------------------------------------------------------------------------

def test_the_mapping_is_proposed_from_french_and_english_synonyms():
    assert mapping.propose(HEADERS) == {
        "last_name": "NOM", "first_name": "Prénom(s)", "sex": "Sexe", "birth_date": "Né(e) le",
        "phone": "Téléphone", "id_number": "N° NINA", "region": "Région",
        "return_country": "Pays de retour", "consent": "Consentement"}
    english = mapping.propose(["Last name", "First Name", "DOB", "Phone number", "REGION",
                               "IOM case number"])
    assert english == {"last_name": "Last name", "first_name": "First Name", "birth_date": "DOB",
                       "phone": "Phone number", "region": "REGION",
                       "iom_case_number": "IOM case number"}
    assert mapping.propose(["NOM DE FAMILLE", "PRENOMS", "Tél", "Téléphone 2"]) == {
        "last_name": "NOM DE FAMILLE", "first_name": "PRENOMS", "phone": "Tél"}
    assert mapping.propose(["Colonne inconnue"]) == {}


def test_a_mapping_must_name_existing_columns_once_and_the_names(app):
    with app.test_request_context():
        with pytest.raises(ValidationError) as refused:
            mapping.check_columns({"last_name": "NOM"}, HEADERS)
        assert refused.value.field == "first_name"
        with pytest.raises(ValidationError, match="n’est pas dans le fichier"):
            mapping.check_columns({"last_name": "Nom absent", "first_name": "NOM"}, HEADERS)
        with pytest.raises(ValidationError, match="deux champs"):
            mapping.check_columns({"last_name": "NOM", "first_name": "NOM"}, HEADERS)
        with pytest.raises(ValidationError):
            mapping.check_columns({"salary": "NOM"}, HEADERS)


def test_mappings_are_saved_by_name_and_reused_on_another_file(app, make_user):
    manager = make_user(Role.PROGRAMME_MANAGER)
    with committed(app):
        actor = db.session.get(User, manager)
        mapping.save_mapping(actor, "Liste OIM Kayes", {"last_name": "Nom de famille",
                                                        "first_name": "Prénoms",
                                                        "phone": "Contact"})
        mapping.save_mapping(actor, " Liste OIM Kayes ", {"last_name": "NOM",
                                                          "first_name": "Prénoms",
                                                          "phone": "Contact"})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ImportMapping)) == 1
        saved = mapping.find_mapping("Liste OIM Kayes")
        assert mapping.apply_saved(saved, ["nom", "PRENOMS", "Autre"]) == {
            "last_name": "nom", "first_name": "PRENOMS"}
        with pytest.raises(ValidationError):
            mapping.save_mapping(db.session.get(User, manager), "  ", {})


# --- values ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("cell", "expected"), [
    ("15/03/1994", (date(1994, 3, 15), False)), ("15-03-1994", (date(1994, 3, 15), False)),
    ("15.03.1994", (date(1994, 3, 15), False)), ("1994-03-15", (date(1994, 3, 15), False)),
    ("1994-03-15 00:00:00", (date(1994, 3, 15), False)), ("15/03/94", (date(1994, 3, 15), False)),
    ("1994", (date(1994, 1, 1), True)), ("34408", (date(1994, 3, 15), False)),
    (34408, (date(1994, 3, 15), False)), ("", (None, False)),
])
def test_dates_in_any_usual_form(cell, expected):
    assert values.parse_date(cell) == expected


@pytest.mark.parametrize("cell", ["31/02/1990", "hier", "15/03", "1/1/1/1"])
def test_unreadable_dates_are_refused(app, cell):
    with app.test_request_context(), pytest.raises(values.CellError):
        values.parse_date(cell)


def test_sexes_regions_and_value_lists_are_matched_to_their_codes(app):
    with app.test_request_context():
        assert {values.parse_sex(s) for s in ("F", "femme", "Féminin", "female")} == {"F"}
        assert {values.parse_sex(s) for s in ("M", "H", "Homme", "MASCULIN")} == {"M"}
        with pytest.raises(values.CellError):
            values.parse_sex("X")
        lookups = values.Lookups()
        segou = region("04").id
        assert {lookups.region(r) for r in ("Ségou", "SEGOU", "segou", "04", "4",
                                            "Région de Ségou")} == {segou}
        assert lookups.region("District de Bamako") == lookups.region("bamako") == region("00").id
        assert lookups.region("Taoudénit") == lookups.region("TAOUDENIT") == region("09").id
        with pytest.raises(values.CellError):
            lookups.region("Atlantide")
        assert lookups.choice(lookups.return_modes, "AVRR", "x") == "avrr"
        assert lookups.choice(lookups.return_modes, "Expulsé", "x") == "expelled"
        assert lookups.choice(lookups.id_types, "Passeport", "x") == "passport"
        assert values.parse_yes_no("OUI") and not values.parse_yes_no("non")
        assert values.text(76123456.0) == "76123456"


# --- rows -----------------------------------------------------------------------------------

def _check(app, user_id, rows, columns=None):
    table = table_of(rows)
    with app.test_request_context():
        actor = db.session.get(User, user_id)
        return checks.check_table(actor, table, columns or mapping.propose(table.headers))


def test_each_row_gets_the_intake_forms_checks(app, make_user):
    manager = make_user(Role.PROGRAMME_MANAGER)
    rows = [HEADERS,
            ["1", "KANTÉ", "Moussa", "H", "15/03/1994", "76 12 34 56", "", "Kayes", "Libye", "oui"],
            ["2", "", "Awa", "F", "1990", "", "", "Kayes", "", "oui"],
            ["3", "DIARRA", "Awa", "X", "32/13/1990", "12", "", "Atlantide", "", "oui"],
            ["4", "TRAORE", "Fanta", "F", "01/01/2090", "", "", "", "", "oui"],
            ["5", "SISSOKO", "Ali", "", "", "12", "", "", "", "non"],
            ["6", "COULIBALY", "Ali", "M", "1990", "", "", "Kayes", "", "peut-être"]]
    good, no_name, bad, future, no_consent, unsure = _check(app, manager, rows)
    assert good.status is RowStatus.NEW and good.errors == []
    assert good.data["phone"] == "+22376123456" and good.data["birth_date"] == "1994-03-15"
    assert good.data["sex"] == "M" and good.data["category"] == "returnee"
    assert no_name.status is RowStatus.ERROR and [f for f, _ in no_name.errors] == ["last_name"]
    assert sorted(f for f, _ in bad.errors) == ["birth_date", "phone", "region", "sex"]
    assert "Date illisible « 32/13/1990 »" in dict(bad.errors)["birth_date"]
    assert dict(future.errors) == {"birth_date": "La date de naissance ne peut pas être dans le futur.",
                                   "region": "Choisissez la région."}
    # Without consent only the names are kept: the rest is neither checked nor stored.
    assert no_consent.status is RowStatus.NEW and no_consent.data == {}
    assert not no_consent.consent
    assert [f for f, _ in unsure.errors] == ["consent"]


def test_a_regional_importer_imports_only_in_their_regions(app, make_user):
    agent = make_user(Role.INTAKE_AGENT, regions=("01",))
    rows = [HEADERS, ["1", "KANTE", "Moussa", "M", "1990", "", "", "Gao", "", "oui"],
            ["2", "KANTE", "Awa", "F", "1990", "", "", "Kayes", "", "oui"]]
    gao, kayes = _check(app, agent, rows)
    assert dict(gao.errors) == {"region": "Choisissez une de vos régions."}
    assert kayes.errors == []


def test_duplicates_against_the_registry_and_within_the_file(app, make_user):
    manager = make_user(Role.PROGRAMME_MANAGER)
    with committed(app):
        actor = db.session.get(User, manager)
        by_nina = factories.person(actor, first_name="Inscrit", last_name="Un",
                                   id_number=factories.partner_nina(0)).id
        by_phone = factories.person(actor, first_name="Inscrit", last_name="Deux",
                                    id_number="X1", phone="+22376000001").id
        by_name = factories.person(actor, first_name="Fatoumata", last_name="Kanté",
                                   id_number="X2", birth_date=date(1980, 2, 3)).id
    rows = [HEADERS,
            ["1", "A", "A", "M", "1990", "", factories.partner_nina(0), "Kayes", "", "oui"],
            ["2", "B", "B", "M", "1990", "76.00.00.01", "", "Kayes", "", "oui"],
            ["3", "KANTE", "FATOUMATA", "F", "03/02/1980", "", "", "Kayes", "", "oui"],
            ["4", "C", "C", "M", "1990", "76000099", "", "Kayes", "", "oui"],
            ["5", "D", "D", "M", "1990", "0022376000099", "", "Kayes", "", "non"],
            ["6", "E", "E", "M", "1990", "", " 0000-0000-0000-00k ", "Kayes", "", "oui"],
            ["7", "F", "F", "M", "1991", "", "N-99", "Kayes", "", "oui"],
            ["8", "F", "F", "M", "1991", "", "n99", "Kayes", "", "oui"]]
    with count_statements(app) as statements:
        found = _check(app, manager, rows)
    assert [(r.status, r.duplicate_of_id, r.duplicate_of_line) for r in found] == [
        (RowStatus.DUPLICATE, by_nina, None), (RowStatus.DUPLICATE, by_phone, None),
        (RowStatus.DUPLICATE, by_name, None), (RowStatus.NEW, None, None),
        (RowStatus.FILE_DUPLICATE, None, 5), (RowStatus.DUPLICATE, by_nina, None),
        (RowStatus.NEW, None, None), (RowStatus.FILE_DUPLICATE, None, 8)]
    assert found[2].reasons == ("name_birth_date",)
    assert found[4].reasons == ("phone",)
    assert statements[0] < 10  # in bulk, not a query per row


def test_duplicate_checks_are_bulk_on_a_large_file(app, make_user):
    manager = make_user(Role.PROGRAMME_MANAGER)
    rows = factories.partner_list(2000, file_duplicates=10, bad=5)
    with count_statements(app) as statements:
        found = _check(app, manager, rows)
    statuses = [r.status for r in found]
    assert statuses.count(RowStatus.ERROR) == 5
    assert statuses.count(RowStatus.FILE_DUPLICATE) == 10
    assert statuses.count(RowStatus.NEW) == 1985
    assert statements[0] < 40
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Beneficiary)) == 0


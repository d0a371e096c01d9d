"""The safe export writers: text never turns into a formula, amounts stay whole-franc numbers."""

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from grants.exports.csv import BOM, csv_rows
from grants.exports.xlsx import MONEY_FORMAT, Column, XlsxWriter, neutralise

DANGEROUS = ['=HYPERLINK("http://x","y")', "+22376123456", "@SUM(1)", "-1", "\t=1", " =1", "%x", "|x"]
COLUMNS = [
    Column("Nom", "text", 30),
    Column("Montant", "money", 16),
    Column("Nombre", "integer", 8),
    Column("Date", "date", 12),
    Column("Horodatage", "datetime", 18),
]


@pytest.mark.parametrize(
    "text", [*DANGEROUS, "\ufeff=1", "\ufeff \t\n+1", "\u00a0-2", "\r1", "\n1", "=", "\ufeff@x"]
)
def test_neutralise_quotes_dangerous_text(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Aminata Traoré", "", " ", "1-2", "a=b", "'=1", "22376123456", "Kayes"])
def test_neutralise_keeps_ordinary_text(text):
    assert neutralise(text) == text


def write_sample(path, rows):
    with XlsxWriter(path) as writer:
        sheet = writer.add_sheet("Paiements", COLUMNS)
        for row in rows:
            sheet.write_row(row)
        sheet.write_totals("Total", {1: "sum", 2: "sum"})
    return openpyxl.load_workbook(path)


def test_xlsx_text_is_inert(tmp_path):
    rows = [[text, 1000, 1, None, None] for text in DANGEROUS]
    ws = write_sample(tmp_path / "x.xlsx", rows).active
    cells = [ws.cell(row=i + 2, column=1) for i in range(len(DANGEROUS))]
    assert [cell.value for cell in cells] == ["'" + text for text in DANGEROUS]
    assert all(cell.data_type == "s" for cell in cells)
    # No formula or hyperlink anywhere but the totals row.
    with zipfile.ZipFile(tmp_path / "x.xlsx") as archive:
        raw = archive.read("xl/worksheets/sheet1.xml").decode()
    assert raw.count("<f>") == 2
    assert "<hyperlink" not in raw


def test_xlsx_numbers_dates_and_layout(tmp_path):
    rows = [
        ["Aminata", 1_500_000, 3, dt.date(2025, 3, 1), dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)],
        ["Moussa", 250_000, None, None, dt.datetime(2025, 3, 2, 14, 0)],
        [None, 999, 0, dt.date(2025, 12, 31), None],
    ]
    wb = write_sample(tmp_path / "n.xlsx", rows)
    ws = wb["Paiements"]
    assert [c.value for c in ws[1]] == [c.header for c in COLUMNS]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:E4"
    assert ws.column_dimensions["A"].width == pytest.approx(30, abs=1)

    amount = ws["B2"]
    assert amount.value == 1_500_000 and isinstance(amount.value, int)
    assert amount.data_type == "n"
    assert amount.number_format == MONEY_FORMAT
    assert ws["C2"].value == 3 and ws["C3"].value is None
    assert ws["D2"].value == dt.datetime(2025, 3, 1)
    assert ws["D2"].number_format == "dd/mm/yyyy"
    assert ws["E2"].value == dt.datetime(2025, 3, 1, 9, 30)
    assert ws["A4"].value is None

    assert ws["A5"].value == "Total"
    assert ws["B5"].value == "=SUBTOTAL(9,B2:B4)"
    assert ws["C5"].value == "=SUBTOTAL(9,C2:C4)"
    assert ws["B5"].number_format == MONEY_FORMAT
    assert ws.max_row == 5

    # Readers without recalculation get the cached totals.
    cached = openpyxl.load_workbook(tmp_path / "n.xlsx", data_only=True)["Paiements"]
    assert cached["B5"].value == 1_750_999
    assert cached["C5"].value == 3


def test_xlsx_empty_sheet_totals_zero(tmp_path):
    ws = write_sample(tmp_path / "e.xlsx", []).active
    assert ws["A2"].value == "Total"
    assert ws["B2"].value == 0
    assert ws.auto_filter.ref == "A1:E1"


def test_xlsx_sheet_without_totals_gets_autofilter(tmp_path):
    path = tmp_path / "f.xlsx"
    with XlsxWriter(path) as writer:
        sheet = writer.add_sheet("Liste", COLUMNS[:2])
        sheet.write_row(["a", 1])
        sheet.write_row(["b", 2])
    ws = openpyxl.load_workbook(path).active
    assert ws.auto_filter.ref == "A1:B3"


@pytest.mark.parametrize("bad", [12.5, 1e6, True, Decimal("10"), "1000", float("nan")])
def test_xlsx_money_must_be_int(tmp_path, bad):
    with XlsxWriter(tmp_path / "m.xlsx") as writer:
        sheet = writer.add_sheet("S", [Column("Montant", "money", 10)])
        with pytest.raises(TypeError):
            sheet.write_row([bad])


def test_xlsx_rejects_misuse(tmp_path):
    with XlsxWriter(tmp_path / "u.xlsx") as writer:
        sheet = writer.add_sheet("S", COLUMNS)
        with pytest.raises(ValueError):
            sheet.write_row(["too few"])
        with pytest.raises(ValueError):
            sheet.write_row(["x", 10**15, 1, None, None])
        with pytest.raises(TypeError):
            sheet.write_row(["x", 1, 1, "01/01/2025", None])
        with pytest.raises(TypeError):
            sheet.write_row(["x", 1, 1, dt.datetime(2025, 1, 1), None])
        with pytest.raises(ValueError):
            sheet.write_totals("Total", {0: "sum"})
        with pytest.raises(ValueError):
            sheet.write_totals("Total", {3: "sum"})
        sheet.write_totals("Total", {1: "sum"})
        with pytest.raises(RuntimeError):
            sheet.write_row(["late", 1, 1, None, None])
    with pytest.raises(ValueError):
        Column("X", "float", 10)  # type: ignore[arg-type]


def read_csv(chunks):
    text = "".join(chunks)
    assert text.startswith(BOM)
    return text, list(csv.reader(io.StringIO(text[len(BOM) :], newline=""), delimiter=";"))


def test_csv_round_trip():
    header = ["Nom", "Montant", "Date", "Note"]
    rows = [
        ["Aminata Traoré", 1_500_000, dt.date(2025, 3, 1), 'dit "oui"; puis\nnon'],
        *[[text, -5, None, None] for text in DANGEROUS],
        ["Awa", 0, dt.datetime(2025, 3, 1, 9, 5), "ok"],
    ]
    chunks = list(csv_rows(header, rows, batch_size=3))
    assert len(chunks) == 1 + 4  # header chunk, then 10 rows in batches of 3
    assert chunks[0] == BOM + "Nom;Montant;Date;Note\r\n"
    assert all(not chunk.startswith(BOM) for chunk in chunks[1:])
    text, parsed = read_csv(chunks)
    assert text.endswith("\r\n") and "\r\n" in text[len(chunks[0]) :]
    assert parsed[0] == header
    assert parsed[1] == ["Aminata Traoré", "1500000", "01/03/2025", 'dit "oui"; puis\nnon']
    assert [r[0] for r in parsed[2:-1]] == ["'" + text for text in DANGEROUS]
    assert all(r[1] == "-5" and r[2] == "" and r[3] == "" for r in parsed[2:-1])
    assert parsed[-1] == ["Awa", "0", "01/03/2025 09:05", "ok"]
    assert len(parsed) == len(rows) + 1


@pytest.mark.parametrize("bad", [12.5, True, Decimal("10")])
def test_csv_amounts_must_be_int(bad):
    with pytest.raises(TypeError):
        list(csv_rows(["Montant"], [[bad]]))


def test_csv_row_length_checked():
    with pytest.raises(ValueError):
        list(csv_rows(["a", "b"], [["only one"]]))


def test_xlsx_rejected_row_leaves_nothing(tmp_path):
    path = tmp_path / "r.xlsx"
    with XlsxWriter(path) as writer:
        sheet = writer.add_sheet("S", COLUMNS)
        with pytest.raises(TypeError):
            sheet.write_row(["half", 700, 7, "not a date", None])
        sheet.write_row([None, 5, None, None, None])
        sheet.write_totals("Total", {1: "sum", 2: "sum"})
    ws = openpyxl.load_workbook(path, data_only=True).active
    assert [c.value for c in ws[2]] == [None, 5, None, None, None]
    assert ws["B3"].value == 5 and ws["C3"].value == 0

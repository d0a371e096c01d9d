"""A partner's file to a table: its headers and its rows of raw cells, read with pandas.

Refuses, with a message the user can act on and before anything is written: what is not a
spreadsheet, an empty sheet, too many columns or rows, formulas, headers left empty by merged
cells, and workbooks protected by a password."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import pandas as pd
from flask_babel import lazy_gettext as _l

from grants.services.errors import ValidationError

MAX_COLUMNS = 200  # partner sheets have a few dozen; more is a broken or hostile file
MAX_ROWS = 100_000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and an encrypted .xlsx
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # the stream of a password-protected xlsx
_ENCODINGS = ("utf-8-sig", "cp1252")  # UTF-8 with or without BOM, then Windows-1252
# Files people pick by mistake: documents and pictures are not text, whatever they decode to.
_NOT_SHEETS = (b"%PDF", b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"{\\rtf", b"\x1f\x8b", b"Rar!",
               b"7z\xbc\xaf")


class ImportFileError(ValidationError):
    def __init__(self, message) -> None:
        super().__init__(message, "file")


@dataclass
class Table:
    headers: list[str]
    frame: pd.DataFrame  # one column per header, raw cells (text, numbers, dates), "" if empty

    def __len__(self) -> int:
        return len(self.frame)


def read_table(content: bytes) -> Table:
    """Read an xlsx, xls or CSV file given as bytes; the kind is told by the content."""
    if not content.strip():
        raise ImportFileError(_l("The file is empty."))
    if content.startswith(b"PK"):
        rows = _xlsx_rows(content)
    elif content.startswith(_OLE_MAGIC):
        rows = _xls_rows(content)
    else:
        return _csv_table(content)
    return _table(rows)


# --- xlsx -----------------------------------------------------------------------------------

def _xlsx_rows(content: bytes) -> list[list]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        # read_only streams the rows; data_only=False shows formulas as formulas
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise ImportFileError(_l("This file is not a spreadsheet that can be read: save it as "
                                 "Excel (.xlsx) or CSV and try again.")) from None
    except Exception:  # openpyxl's own InvalidFileException and XML errors
        raise ImportFileError(_l("This file is not a spreadsheet that can be read: save it as "
                                 "Excel (.xlsx) or CSV and try again.")) from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise ImportFileError(_l("The file is empty."))
        if (sheet.max_column or 0) > MAX_COLUMNS:
            raise _too_many_columns()
        rows: list[list] = []
        for row in sheet.iter_rows():
            cells = []
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    raise ImportFileError(_l(
                        "Cell %(cell)s holds a formula: copy the sheet and paste it as values "
                        "only, then import it again.", cell=cell.coordinate))
                cells.append(cell.value)
                if len(cells) > MAX_COLUMNS:
                    raise _too_many_columns()
            rows.append(cells)
            if len(rows) > MAX_ROWS + 1:
                raise _too_many_rows()
        return rows
    finally:
        book.close()


# --- xls (and encrypted workbooks, which are OLE containers too) ------------------------------

def _xls_rows(content: bytes) -> list[list]:
    """The old .xls read by xlrd itself: pandas' xlrd engine is deprecated, and xlrd says which
    cells are dates."""
    import xlrd  # type: ignore[import-untyped]

    if _ENCRYPTED in content:
        raise _protected()
    try:
        book = xlrd.open_workbook(file_contents=content, on_demand=True)
    except xlrd.biffh.XLRDError as error:
        if "encrypt" in str(error).lower():
            raise _protected() from None
        raise _unreadable() from None
    except Exception:  # a damaged or foreign OLE file
        raise _unreadable() from None
    try:
        if book.nsheets == 0:
            raise ImportFileError(_l("The file is empty."))
        sheet = book.sheet_by_index(0)
        if sheet.ncols > MAX_COLUMNS:
            raise _too_many_columns()
        if sheet.nrows > MAX_ROWS + 1:
            raise _too_many_rows()
        rows = []
        for r in range(sheet.nrows):
            cells = []
            for cell in sheet.row(r):
                value = cell.value
                if cell.ctype == xlrd.XL_CELL_DATE:
                    value = xlrd.xldate.xldate_as_datetime(value, book.datemode)
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                    value = None
                cells.append(value)
            rows.append(cells)
        return rows
    finally:
        book.release_resources()


# --- CSV ------------------------------------------------------------------------------------

def _csv_table(content: bytes) -> Table:
    if b"\x00" in content[:4096] or content.startswith(_NOT_SHEETS):
        raise _unreadable()
    text = None
    for encoding in _ENCODINGS:
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise _unreadable()
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    separator = ";" if first_line.count(";") >= first_line.count(",") else ","
    if first_line.count(separator) + 1 > MAX_COLUMNS:
        raise _too_many_columns()
    try:
        frame = pd.read_csv(io.StringIO(text), sep=separator, header=None, dtype=str,
                            keep_default_na=False, skip_blank_lines=True, engine="python",
                            nrows=MAX_ROWS + 2)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
        raise ImportFileError(_l("The CSV file could not be read: check that every line has the "
                                 "same number of columns, separated by ; or ,.")) from None
    if frame.shape[1] > MAX_COLUMNS:
        raise _too_many_columns()
    if len(frame) > MAX_ROWS + 1:
        raise _too_many_rows()
    # A CSV cell that starts with "=" was a formula in the sheet it came from (or is meant to
    # become one when the file is opened again): refused as in a workbook.
    formulas = frame.apply(lambda column: column.str.lstrip().str.startswith("=")).to_numpy()
    if formulas.any():
        row, column = (int(i[0]) for i in formulas.nonzero())
        raise ImportFileError(_l(
            "Cell %(cell)s holds a formula: copy the sheet and paste it as values only, then "
            "import it again.", cell=f"{_column_name(column)}{row + 1}"))
    return _table(frame.values.tolist())


# --- common ---------------------------------------------------------------------------------

def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(rows: list[list]) -> Table:
    rows = [row for row in rows if not all(_blank(v) for v in row)]
    if len(rows) < 2:
        raise ImportFileError(_l("The file holds no rows under its headers: the first line must "
                                 "name the columns and the people follow."))
    width = max(len(row) for row in rows)
    header_row = list(rows[0]) + [None] * (width - len(rows[0]))
    body = [list(row) + [None] * (width - len(row)) for row in rows[1:]]
    # Keep the columns that have a header or data; a column with data and no header is what a
    # merged header cell leaves (the text sits in the first cell of the merge only).
    headers: list[str] = []
    keep: list[int] = []
    for index, header in enumerate(header_row):
        has_data = any(not _blank(row[index]) for row in body)
        if _blank(header):
            if has_data:
                raise ImportFileError(_l(
                    "Column %(column)s has data but no header (merged header cells?): give "
                    "each column its own header on the first line.", column=_column_name(index)))
            continue
        name = str(header).strip()
        if name in headers:
            raise ImportFileError(_l("Two columns are named \"%(name)s\": give each column its "
                                     "own header.", name=name))
        headers.append(name)
        keep.append(index)
    frame = pd.DataFrame([[("" if _blank(row[i]) else row[i]) for i in keep] for row in body],
                         columns=headers, dtype=object)
    return Table(headers, frame)


def _column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _unreadable() -> ImportFileError:
    return ImportFileError(_l("This file is not a spreadsheet that can be read: save it as Excel "
                              "(.xlsx) or CSV and try again."))


def _protected() -> ImportFileError:
    return ImportFileError(_l("This workbook is protected by a password: open it in Excel, remove "
                              "the password (or save a copy without one) and import the copy."))


def _too_many_columns() -> ImportFileError:
    return ImportFileError(_l("The file has more than %(count)s columns: keep only the columns of "
                              "the people's data.", count=MAX_COLUMNS))


def _too_many_rows() -> ImportFileError:
    return ImportFileError(_l("The file has more than %(count)s rows: split it into several "
                              "files.", count=MAX_ROWS))

"""The project's one xlsx writer: text can never become a formula or a link, amounts stay numbers.

Usage::

    columns = [Column("Bénéficiaire", "text", 30), Column("Montant", "money", 16)]
    with XlsxWriter(path) as writer:
        sheet = writer.add_sheet("Paiements", columns)
        for payment in payments:
            sheet.write_row([payment.name, payment.amount])
        sheet.write_totals("Total", {1: "sum"})
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any, Literal

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

Kind = Literal["text", "integer", "money", "decimal", "date", "datetime"]
KINDS: frozenset[str] = frozenset({"text", "integer", "money", "decimal", "date", "datetime"})

# Text Excel/LibreOffice could read as a formula or a DDE call, even after whitespace or a BOM;
# a leading tab/CR/LF is quoted too (it hides what follows and shifts CSV cells).
_DANGEROUS = re.compile(r"[\t\r\n]|[\s\ufeff]*[=+\-@|%]")
MONEY_FORMAT = '#,##0 "F CFA"'
# Excel stores numbers as doubles and shows 15 significant digits: beyond that a total would lie.
MAX_EXACT = 10**15


def neutralise(text: str) -> str:
    """Prefix a quote when spreadsheet software could execute the text (CSV/formula injection)."""
    return "'" + text if _DANGEROUS.match(text) else text


def naive_local(value: dt.datetime) -> dt.datetime:
    """Excel has no time zones: show aware datetimes in Mali time (UTC+0, no daylight saving)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def check_integer(value: Any) -> int:
    """Amounts are whole F CFA: refuse floats, Decimals and bools rather than round silently."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an int amount, got {type(value).__name__}: {value!r}")
    if abs(value) >= MAX_EXACT:
        raise ValueError(f"amount {value} is too large for an exact spreadsheet number")
    return value


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = "text"
    width: int = 15

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


def _prepare(kind: str, value: Any) -> Any:
    """Validate and convert one cell value for its column kind (None stays None)."""
    if value is None:
        return None
    if kind == "text":
        return neutralise(str(value))
    if kind in ("integer", "money"):
        return check_integer(value)
    if kind == "decimal":  # a measure such as a mean score, never an amount
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise TypeError(f"expected a number, got {type(value).__name__}: {value!r}")
        return value
    if not isinstance(value, dt.date) or (kind == "date" and isinstance(value, dt.datetime)):
        raise TypeError(f"expected a {kind}, got {type(value).__name__}: {value!r}")
    return naive_local(value) if isinstance(value, dt.datetime) else value


class Sheet:
    """One worksheet; rows are appended in order (the workbook runs in constant_memory mode)."""

    def __init__(self, writer: XlsxWriter, name: str, columns: Sequence[Column]) -> None:
        if not columns:
            raise ValueError("a sheet needs at least one column")
        self.columns = list(columns)
        self._ws = writer.workbook.add_worksheet(name)
        self._formats = writer.formats
        self._row = 0  # next row to write
        self._sums = [0] * len(self.columns)
        self._closed = False
        for index, column in enumerate(self.columns):
            self._ws.set_column(index, index, column.width, self._formats.get(column.kind))
            self._ws.write_string(0, index, neutralise(column.header), self._formats["header"])
        self._ws.freeze_panes(1, 0)
        self._row = 1

    @property
    def data_rows(self) -> int:
        """Number of data rows written so far (header and totals excluded)."""
        return self._row - 1

    def write_row(self, values: Sequence[Any]) -> None:
        """Write one data row; ``values`` follow the columns, ``None`` leaves a blank cell."""
        if self._closed:
            raise RuntimeError("the totals row was written: the sheet is closed")
        if len(values) != len(self.columns):
            raise ValueError(f"expected {len(self.columns)} values, got {len(values)}")
        # Check every value before writing any: a rejected row leaves no half-written cells.
        cells = [_prepare(c.kind, v) for c, v in zip(self.columns, values, strict=True)]
        ws, row = self._ws, self._row
        for col, (column, value) in enumerate(zip(self.columns, cells, strict=True)):
            if value is None:
                continue
            fmt = self._formats.get(column.kind)
            if column.kind == "text":
                result = ws.write_string(row, col, value, fmt)
            elif column.kind in ("integer", "money", "decimal"):
                result = ws.write_number(row, col, value, fmt)
                self._sums[col] += value
            else:
                result = ws.write_datetime(row, col, value, fmt)
            # -1: beyond Excel's 1 048 576 rows; refuse rather than drop rows silently.
            if result == -1:
                raise ValueError(f"cell ({row}, {col}) is outside the worksheet's limits")
        self._row += 1

    def write_totals(self, label: str, totals: Mapping[int, Literal["sum"]]) -> None:
        """Write the last row: ``label`` in column A and a SUBTOTAL(9) per given column.

        SUBTOTAL ignores rows hidden by the autofilter; the Python-computed sum is stored as the
        cached result so readers that do not recalculate (openpyxl, previews) see the number.
        """
        if self._closed:
            raise RuntimeError("the totals row was already written")
        for col, how in totals.items():
            summable = 0 < col < len(self.columns) and self.columns[col].kind in ("integer", "money")
            if not summable or how != "sum":
                raise ValueError(f"column {col} cannot hold a {how!r} total")
        ws, row, bold = self._ws, self._row, self._formats["total"]
        ws.write_string(row, 0, neutralise(label), bold)
        for col in totals:
            fmt = self._formats["total_money" if self.columns[col].kind == "money" else "total"]
            letter = xl_col_to_name(col)
            if self.data_rows:
                formula = f"=SUBTOTAL(9,{letter}2:{letter}{row})"  # rows 2..n in A1 notation
                ws.write_formula(row, col, formula, fmt, self._sums[col])
            else:
                ws.write_number(row, col, 0, fmt)
        self._finish()
        self._row += 1

    def _finish(self) -> None:
        # The filter covers header and data rows only, so the totals row stays visible.
        if not self._closed:
            self._ws.autofilter(0, 0, max(self._row - 1, 0), len(self.columns) - 1)
            self._closed = True


class XlsxWriter:
    """A workbook written to ``path``; use as a context manager or call :meth:`close`."""

    OPTIONS = {
        "constant_memory": True,  # rows stream to disk: exports of any size use little memory
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "default_date_format": "dd/mm/yyyy",
    }

    def __init__(self, path: str | PathLike[str]) -> None:
        self.workbook = xlsxwriter.Workbook(str(path), dict(self.OPTIONS))
        add = self.workbook.add_format
        self.formats = {
            "header": add({"bold": True, "text_wrap": True, "valign": "top"}),
            "money": add({"num_format": MONEY_FORMAT}),
            "integer": add({"num_format": "0"}),
            "decimal": add({"num_format": "0.0"}),
            "date": add({"num_format": "dd/mm/yyyy"}),
            "datetime": add({"num_format": "dd/mm/yyyy hh:mm"}),
            "total": add({"bold": True}),
            "total_money": add({"bold": True, "num_format": MONEY_FORMAT}),
        }
        self.sheets: list[Sheet] = []

    def add_sheet(self, name: str, columns: Sequence[Column]) -> Sheet:
        """Add a worksheet (name ≤ 31 characters, without ``[]:*?/\\``) with a bold frozen header."""
        sheet = Sheet(self, name, columns)
        self.sheets.append(sheet)
        return sheet

    def close(self) -> None:
        """Set the remaining autofilters and write the file."""
        for sheet in self.sheets:
            sheet._finish()
        self.workbook.close()

    def __enter__(self) -> XlsxWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def temporary_xlsx() -> Path:
    """An empty temporary .xlsx path for a writer (the download deletes it)."""
    descriptor, name = tempfile.mkstemp(suffix=".xlsx")
    os.close(descriptor)
    return Path(name)


def send_xlsx(path: Path, download_name: str):
    """Stream a temporary workbook as a download and delete it: the open handle keeps the data
    until the response is sent, whatever the size."""
    from flask import send_file

    handle = open(path, "rb")  # noqa: SIM115 (closed by the response)
    path.unlink()
    return send_file(handle, as_attachment=True, download_name=download_name,
                     mimetype=XLSX_MIMETYPE)


__all__ = ["Column", "MONEY_FORMAT", "Sheet", "XlsxWriter", "check_integer", "neutralise",
           "send_xlsx", "temporary_xlsx"]

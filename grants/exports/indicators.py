"""The indicator report's files: an xlsx workbook (a sheet per section with a native chart,
then a "Méthode" sheet), a PDF (WeasyPrint) and one long CSV.

Why one long CSV (section; table; row; column; value) rather than a zip of one CSV per table:
a single file has a single SHA-256 to check, opens in any spreadsheet, and loads in one line
into pandas, R or Excel's pivot tables, where the partners rebuild any table they need. The
figures written are those shown outside the office: small cells are "< 5"."""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import xlsxwriter
from flask_babel import format_decimal
from flask_babel import gettext as _

from grants.exports.csv import csv_rows
from grants.exports.xlsx import XlsxWriter, check_integer, neutralise
from grants.reporting.indicators import MONEY, Report, Section, Table

SHEET_NAME_LIMIT = 31
CHART_ROWS = 18  # the rows left empty under a section's first table for its chart


def cell_value(value):
    """A shown cell as a plain Python value: int, float, text or None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, float) or (hasattr(value, "is_integer") and not float(value).is_integer()):
        return float(value)
    return int(value)


def describe_filter(report: Report, names: dict[str, str]) -> list[tuple[str, str]]:
    """(what, value) lines saying what the report covers, for every file's head."""
    flt = report.flt
    period = _("from %(start)s to %(end)s", start=flt.start.strftime("%d/%m/%Y") if flt.start
               else "…", end=flt.end.strftime("%d/%m/%Y") if flt.end else "…")
    return [(_("Period"), period),
            (_("Envelope"), names.get("envelope") or _("All")),
            (_("Call for proposals"), names.get("call") or _("All")),
            (_("Region"), names.get("region") or _("All")),
            (_("Figures as of"), report.today.strftime("%d/%m/%Y"))]


# --- xlsx --------------------------------------------------------------------------------------

def _write_table(ws, formats, row: int, table: Table) -> tuple[int, int]:
    """Write `table` from `row`; return (first data row, next free row)."""
    shown = table.shown
    ws.write_string(row, 0, neutralise(table.title), formats["subtitle"])
    row += 1
    ws.write_string(row, 0, "", formats["header"])
    for col, name in enumerate(shown.columns, start=1):
        ws.write_string(row, col, neutralise(str(name)), formats["header"])
    first = row + 1
    number = formats["money"] if table.kind == MONEY else formats["integer"]
    for offset, (label, values) in enumerate(shown.iterrows(), start=1):
        ws.write_string(row + offset, 0, neutralise(str(label)), formats["label"])
        for col, value in enumerate(values.tolist(), start=1):
            value = cell_value(value)
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(row + offset, col, neutralise(value), formats["hidden"])
            elif isinstance(value, float):
                ws.write_number(row + offset, col, value, formats["decimal"])
            else:
                ws.write_number(row + offset, col, check_integer(value), number)
    return first, row + len(shown) + 2


def _chart(workbook, sheet_name: str, table: Table, first: int):
    """A column chart of `table` (its rows as categories, its columns as series), Total row
    and column left out; a hidden cell ("< 5") is drawn as nothing."""
    shown = table.shown
    rows = [i for i, label in enumerate(shown.index) if label != _("Total")]
    columns = [i for i, name in enumerate(shown.columns) if name != _("Total")]
    if not rows or not columns:
        return None
    chart = workbook.add_chart({"type": "column"})
    quoted = "'" + sheet_name.replace("'", "''") + "'"
    top, bottom = first + rows[0], first + rows[-1]
    for col in columns:
        chart.add_series({
            "name": [sheet_name, first - 1, col + 1],
            "categories": f"={quoted}!$A${top + 1}:$A${bottom + 1}",
            "values": [sheet_name, top, col + 1, bottom, col + 1]})
    chart.set_title({"name": table.title})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 640, "height": 320})
    return chart


def _write_section(workbook, formats, section: Section, head: list[tuple[str, str]]):
    name = section.title[:SHEET_NAME_LIMIT]
    ws = workbook.add_worksheet(name)
    ws.set_column(0, 0, 34)
    ws.set_column(1, 30, 13)
    ws.write_string(0, 0, neutralise(section.title), formats["title"])
    row = 1
    for what, value in head:
        ws.write_string(row, 0, neutralise(what), formats["label"])
        ws.write_string(row, 1, neutralise(value))
        row += 1
    for note in section.notes:
        ws.write_string(row, 0, neutralise(note))
        row += 1
    row += 1
    for table in section.tables:
        first, row = _write_table(ws, formats, row, table)
        if table.chart:
            chart = _chart(workbook, name, table, first)
            if chart is not None:
                ws.insert_chart(row, 0, chart)
                row += CHART_ROWS


def write_xlsx(report: Report, path: Path, names: dict[str, str]) -> Path:
    head = describe_filter(report, names)
    # Charts and several tables a sheet: rows are written in order, constant memory is off.
    workbook = xlsxwriter.Workbook(str(path), dict(XlsxWriter.OPTIONS, constant_memory=False))
    add = workbook.add_format
    formats = {
        "title": add({"bold": True, "font_size": 14}),
        "subtitle": add({"bold": True, "font_size": 11}),
        "header": add({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#EEEEEE"}),
        "label": add({"bold": True}),
        "money": add({"num_format": '#,##0 "F CFA"'}),
        "integer": add({"num_format": "#,##0"}),
        "decimal": add({"num_format": "0.0#"}),
        "hidden": add({"align": "right", "font_color": "#555555"}),
        "wrap": add({"text_wrap": True, "valign": "top"}),
    }
    for section in report.sections:
        _write_section(workbook, formats, section, head)
    ws = workbook.add_worksheet(_("Method"))
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 2, 90)
    ws.write_string(0, 0, _("How each figure is counted"), formats["title"])
    for col, title in enumerate((_("Section"), _("Figure"), _("Definition"))):
        ws.write_string(2, col, title, formats["header"])
    for offset, line in enumerate(report.method, start=3):
        for col, text in enumerate(line):
            ws.write_string(offset, col, neutralise(text), formats["wrap"])
    workbook.close()
    return path


# --- CSV ---------------------------------------------------------------------------------------

def _csv_value(value) -> str | int | None:
    value = cell_value(value)
    if isinstance(value, float):  # a score or a rate: text with the reader's decimal mark
        return format_decimal(value, format="0.0#") if not math.isnan(value) else None
    return value


def _long_rows(report: Report) -> Iterator[list]:
    for section in report.sections:
        for table in section.tables:
            for label, values in table.shown.iterrows():
                for column, value in values.items():
                    yield [section.key, table.key, table.title, str(label), str(column),
                           _csv_value(value)]


def write_csv(report: Report) -> bytes:
    header = [_("Section"), _("Table"), _("Title"), _("Row"), _("Column"), _("Value")]
    buffer = io.StringIO()
    for chunk in csv_rows(header, _long_rows(report)):
        buffer.write(chunk)
    return buffer.getvalue().encode("utf-8")


# --- PDF ---------------------------------------------------------------------------------------

def write_pdf(report: Report, names: dict[str, str], version: int) -> bytes:
    from grants.exports.pdf import render_pdf

    return render_pdf("reporting/indicators_pdf.html", report=report, version=version,
                      head=describe_filter(report, names), cell=cell_value)

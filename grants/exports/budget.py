"""The budget execution workbook in the finance office's format: one sheet per table (the
envelopes and their budget lines, the months, disbursements by region and by channel), French
headers, amounts as whole F CFA numbers, a total row per sheet. The figures are those of the
page (grants/reporting/budget.py), so the totals equal the register's for the same filter."""

from pathlib import Path

from flask_babel import gettext as _

from grants.exports.xlsx import Column, XlsxWriter, temporary_xlsx
from grants.reporting import budget
from grants.reporting.breakdowns import TOTAL
from grants.reporting.filters import ReportFilter


def _amount_columns() -> list[Column]:
    return [Column(_("Appropriation"), "money", 18), Column(_("Commitments"), "money", 18),
            Column(_("Releases"), "money", 16), Column(_("Payment orders"), "money", 18),
            Column(_("Payments"), "money", 18), Column(_("Reversals"), "money", 16),
            Column(_("Committed to date"), "money", 18),
            Column(_("Disbursed to date"), "money", 18), Column(_("Available"), "money", 18),
            Column(_("Execution rate (%)"), "decimal", 12)]


def _amounts(row: dict) -> list:
    return [*(row[column] for column in budget.COLUMNS), row["rate"]]


def _summable(first: int, columns: list[Column]) -> dict:
    return {first + n: "sum" for n, column in enumerate(_amount_columns())
            if column.kind == "money" and first + n < len(columns)}


def write_execution_xlsx(flt: ReportFilter, progress=None) -> Path:
    """The workbook in a temporary .xlsx file (the caller deletes it)."""
    result = budget.execution(flt)
    path = temporary_xlsx()
    with XlsxWriter(path) as writer:
        columns = [Column(_("Envelope"), "text", 28), Column(_("Budget line"), "text", 18),
                   Column(_("Fiscal year"), "integer", 10), *_amount_columns()]
        sheet = writer.add_sheet(_("Execution"), columns)
        lines = budget.records(result.lines, ["envelope", "name", "budget_line", "fiscal_year",
                                              *budget.COLUMNS, "rate"])
        for row in lines:
            if row["envelope"] == TOTAL:  # written as the sheet's totals
                continue
            sheet.write_row([row["name"], row["budget_line"], row["fiscal_year"],
                             *_amounts(row)])
        sheet.write_totals(_("Total"), _summable(3, columns))
        if progress:
            progress(1, 4)

        columns = [Column(_("Month"), "text", 12), Column(_("Envelope"), "text", 28),
                   Column(_("Budget line"), "text", 18), *_amount_columns()]
        sheet = writer.add_sheet(_("By month"), columns)
        for row in budget.records(result.months, ["period", "name", "budget_line",
                                                  *budget.COLUMNS, "rate"]):
            movements = [row[column] for column in budget.MOVEMENTS]
            # Running figures are not summed down the months: only the movements are.
            sheet.write_row([budget.period_text(row["period"]), row["name"], row["budget_line"],
                             *movements, *(row[c] for c in budget.RUNNING), row["rate"]])
        sheet.write_totals(_("Total"), {3 + n: "sum" for n in range(len(budget.MOVEMENTS))})
        if progress:
            progress(2, 4)

        for number, (title, first, table) in enumerate((
                (_("By region"), _("Region"), result.by_region),
                (_("By channel"), _("Channel"), result.by_channel)), start=3):
            headers, rows = budget.pivot_rows(table)
            columns = [Column(first, "text", 22), *(
                Column(header, "money", 16) for header in headers)]
            sheet = writer.add_sheet(title, columns)
            for row in rows[:-1]:  # the pivot's total row is written as the sheet's totals
                sheet.write_row(row)
            sheet.write_totals(_("Total"), {n: "sum" for n in range(1, len(columns))})
            if progress:
                progress(number, 4)
    return path

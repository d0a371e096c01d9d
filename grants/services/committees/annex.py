"""The ranking annex of the minutes as fixed-width text, one block per landscape page.

A session can examine thousands of dossiers; WeasyPrint lays out a table cell by cell (about
20 ms a row), while preformatted lines cost almost nothing, so the annex is a table drawn in
monospace: every value is kept, a long name or title wraps onto the next line of its row."""

import textwrap
from dataclasses import dataclass

from flask_babel import gettext as _

from grants.formatting import money

LINES_PER_PAGE = 58  # A4 landscape at 6.5 pt, header included


@dataclass(frozen=True)
class Line:
    """One dossier of the annex, read by one query (no ORM objects)."""

    rank: int | None
    reference: str
    beneficiary: str
    title: str
    region: str
    score: str  # "72.5", or "—" when not scored
    requested: int
    granted: int | None  # None unless selected
    decision: str
    reason: str
    waitlisted: bool


def _columns() -> list[tuple[str, int, bool]]:
    """(header, width in characters, right-aligned)."""
    # 186 characters of 6.5 pt DejaVu Sans Mono (3.9 pt each): 728 of the 757 pt of the line.
    return [(_("Rank"), 5, True), (_("Reference"), 15, False), (_("Beneficiary"), 24, False),
            (_("Project"), 38, False), (_("Region"), 18, False), (_("Score"), 6, True),
            (_("Requested"), 16, True), (_("Granted"), 16, True), (_("Decision"), 40, False)]


def _flat(text: str) -> str:
    """Monospace alignment needs plain spaces (money uses narrow no-break ones)."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def _wrap(value: str, width: int) -> list[str]:
    return [value] if len(value) <= width else (textwrap.wrap(value, width) or [""])


def _row(values: list[str], columns: list[tuple[str, int, bool]]) -> list[str]:
    cells = [_wrap(value, width) for value, (_h, width, _r) in zip(values, columns, strict=True)]
    if all(len(cell) == 1 for cell in cells):  # most rows: one line, no wrapping to merge
        return [" ".join(cell[0].rjust(width) if right else cell[0].ljust(width)
                         for cell, (_h, width, right) in zip(cells, columns, strict=True))
                .rstrip()]
    height = max(len(cell) for cell in cells)
    return [" ".join((cell[i] if i < len(cell) else "").rjust(width) if right else
                     (cell[i] if i < len(cell) else "").ljust(width)
                     for cell, (_h, width, right) in zip(cells, columns, strict=True)).rstrip()
            for i in range(height)]


def annex_pages(lines: list[Line]) -> list[str]:
    """The annex as blocks of text, each one page long and headed by the column titles."""
    columns = _columns()
    header = _row([title for title, _w, _r in columns], columns)
    rule = "-" * (sum(width for _t, width, _r in columns) + len(columns) - 1)
    pages, current = [], list(header) + [rule]
    amounts: dict[int | None, str] = {}  # the same amounts come back: format each once
    for line in lines:
        for amount in (line.requested, line.granted):
            if amount not in amounts:
                amounts[amount] = _flat(money(amount))
        row = _row([str(line.rank or ""), line.reference, line.beneficiary, line.title,
                    line.region, line.score, amounts[line.requested], amounts[line.granted],
                    f"{line.decision} — {line.reason}"], columns)
        if len(current) + len(row) > LINES_PER_PAGE:
            pages.append("\n".join(current))
            current = list(header) + [rule]
        current += row
    pages.append("\n".join(current))
    return pages

"""CSV for French Excel: UTF-8 with BOM, ``;`` separator, CRLF, whole-franc integers, dd/mm/yyyy.

Stream it from a view::

    return Response(csv_rows(header, rows), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="export.csv"'})
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import numbers
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from grants.exports.xlsx import check_integer, naive_local, neutralise

BOM = "\ufeff"  # without it Excel reads UTF-8 as Windows-1252 and mangles accents


def format_value(value: Any) -> str:
    """One cell as text: ints as plain digits, dates dd/mm/yyyy, other text neutralised."""
    if value is None:
        return ""
    if isinstance(value, numbers.Number):
        # Whole francs only; floats/Decimals/bools are bugs upstream, not something to round here.
        return str(check_integer(value))
    if isinstance(value, dt.datetime):
        return naive_local(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return neutralise(str(value))


def csv_rows(header: Sequence[str], rows: Iterable[Sequence[Any]], batch_size: int = 200) -> Iterator[str]:
    """Yield the CSV in chunks: BOM and header first, then ``batch_size`` rows per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)

    def take() -> str:
        chunk = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return chunk

    writer.writerow([neutralise(str(name)) for name in header])
    yield BOM + take()
    pending = 0
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"expected {len(header)} values, got {len(row)}")
        writer.writerow([format_value(value) for value in row])
        pending += 1
        if pending >= batch_size:
            yield take()
            pending = 0
    if pending:
        yield take()

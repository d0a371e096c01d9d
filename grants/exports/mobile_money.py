"""The bulk payment file a mobile-money operator uploads (Orange Money, Moov Money).

It is read by the operator's system, not by a spreadsheet: each cell is written in the format the
operator expects, without the quote that the spreadsheet exports (exports/csv.py, xlsx.py) put
before text a spreadsheet could execute. Nothing in it can execute anyway: the MSISDN and the
amount are digits, the reference is our order number, and a name loses the characters that would
start a formula (a name never begins with them)."""

import csv
import io
import re
from collections.abc import Iterable, Iterator

import phonenumbers
from flask import current_app

from grants.exports.xlsx import check_integer

HEADER = ["MSISDN", "Nom", "Montant", "Reference"]
_FORMULA_START = re.compile(r"^[\s\ufeff=+\-@|%]+")
_BREAKS = re.compile(r"[\t\r\n;]+")


def msisdn(number: str) -> str:
    """The operator's MSISDN: the country code and the number, digits only ("22376123456").
    Lines store E.164; a number written otherwise is read as a number of the default region."""
    try:
        parsed = phonenumbers.parse(number, current_app.config["PHONE_DEFAULT_REGION"])
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)[1:]
    except phonenumbers.NumberParseException:
        pass
    return re.sub(r"\D", "", number or "")


def plain_name(name: str) -> str:
    return _FORMULA_START.sub("", _BREAKS.sub(" ", name or "")).strip()


def bulk_rows(lines: Iterable) -> Iterator[str]:
    """The file, one chunk per line: UTF-8 without BOM, ``;`` separator, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def take(row: list[str]) -> str:
        writer.writerow(row)
        chunk = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return chunk

    yield take(HEADER)
    for line in lines:
        yield take([msisdn(line.msisdn), plain_name(line.name), str(check_integer(line.amount)),
                    line.reference])

"""Amounts typed by people: whole F CFA, nothing else."""

import pytest

from grants.services.amounts import MAX_AMOUNT, parse_amount
from grants.services.errors import ValidationError


@pytest.mark.parametrize("text,value", [
    ("1500000", 1_500_000), ("1 500 000", 1_500_000), ("1\u202f500\u202f000", 1_500_000),
    ("1\u00a0500\u00a0000 F CFA", 1_500_000), ("1.500.000", 1_500_000), ("250000 FCFA", 250_000),
    ("0", 0), (42, 42), (" 75 000 ", 75_000),
])
def test_accepted_amounts(text, value):
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", [
    "12.5", "1,5", "1e6", "1E6", "-5", "- 5", "NaN", "inf", "abc", "", "   ", "0x10", "１２３",
    "1.50.000", str(2**63), "9" * 40, 12.5, float("nan"), True, -1, MAX_AMOUNT + 1,
])
def test_refused_amounts(text):
    with pytest.raises(ValidationError):
        parse_amount(text, "amount")


def test_zero_can_be_refused():
    with pytest.raises(ValidationError):
        parse_amount("0", allow_zero=False)

"""Reading amounts typed by people: whole F CFA only."""

import re

from flask_babel import lazy_gettext as _l

from grants.services.errors import ValidationError

# Largest amount we accept anywhere: 10 000 000 000 000 F CFA (far above any envelope, far
# below the 64-bit column limit).
MAX_AMOUNT = 10**13
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_DOTTED_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")  # "1.500.000", as often written in Mali
_CURRENCY = re.compile(r"(f\s*cfa|fcfa|xof|f)$", re.IGNORECASE)


def parse_amount(text: object, field: str | None = None, *, allow_zero: bool = True) -> int:
    """"1 500 000", "1500000", "1.500.000" or "1 500 000 F CFA" -> 1500000.

    Refuses decimals ("12.5", "1,5"), exponents ("1e6"), signs, NaN, floats and absurd sizes."""
    if isinstance(text, (bool, float)):
        raise ValidationError(_l("Enter a whole amount in F CFA."), field)
    if isinstance(text, int):
        value = text
    else:
        raw = _CURRENCY.sub("", _SPACES.sub("", str(text or "")))
        if _DOTTED_THOUSANDS.match(raw):
            raw = raw.replace(".", "")
        if not raw:
            raise ValidationError(_l("Enter an amount."), field)
        if raw.startswith("-"):
            raise ValidationError(_l("The amount cannot be negative."), field)
        if not raw.isascii() or not raw.isdigit():
            raise ValidationError(
                _l("Enter a whole amount in F CFA, without decimals (e.g. 1 500 000)."), field)
        if len(raw) > 14:
            raise ValidationError(_l("This amount is too large."), field)
        value = int(raw)
    if value < 0:
        raise ValidationError(_l("The amount cannot be negative."), field)
    if value > MAX_AMOUNT:
        raise ValidationError(_l("This amount is too large."), field)
    if value == 0 and not allow_zero:
        raise ValidationError(_l("The amount must be more than zero."), field)
    return value

"""How many SMS a text costs: GSM-7 holds 160 characters in one message and 153 per part of a
longer one; a single character outside GSM-7 ("ê", "œ", "’") switches the whole text to UCS-2,
70 and 67. `to_gsm7()` replaces those characters by their nearest GSM-7 letters, which keeps a
French message in one segment."""

import math
import unicodedata
from dataclasses import dataclass

# The GSM 03.38 default alphabet, and its extension table (each character costs two).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

# What French (and English) writes most often outside GSM-7; the rest loses its accent.
_REPLACEMENTS = {
    "ê": "e", "ë": "e", "â": "a", "î": "i", "ï": "i", "ô": "o", "û": "u", "ç": "c",
    "œ": "oe", "Œ": "OE", "À": "A", "Â": "A", "È": "E", "Ê": "E", "Ë": "E", "Î": "I",
    "Ï": "I", "Ô": "O", "Û": "U", "Ù": "U", "’": "'", "‘": "'", "«": '"', "»": '"',
    "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " ", "\u202f": " ",
}


@dataclass(frozen=True)
class Segments:
    encoding: str  # "GSM-7" or "UCS-2"
    characters: int  # in the encoding's units (a GSM-7 extension character counts two)
    count: int  # SMS billed

    @property
    def per_segment(self) -> int:
        single, multi = (160, 153) if self.encoding == "GSM-7" else (70, 67)
        return single if self.count <= 1 else multi


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def count_segments(text: str) -> Segments:
    if is_gsm7(text):
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2  # an emoji counts two
        single, multi, encoding = 70, 67, "UCS-2"
    count = 1 if units <= single else math.ceil(units / multi)
    return Segments(encoding, units, count)


def to_gsm7(text: str) -> str:
    """The text with every character outside GSM-7 replaced (by "?" when nothing fits)."""
    out = []
    for ch in text:
        if ch in GSM7_BASIC or ch in GSM7_EXTENSION:
            out.append(ch)
            continue
        replaced = _REPLACEMENTS.get(ch)
        if replaced is None:
            bare = "".join(c for c in unicodedata.normalize("NFKD", ch)
                           if not unicodedata.combining(c))
            replaced = bare if bare and is_gsm7(bare) else "?"
        out.append(replaced)
    return "".join(out)

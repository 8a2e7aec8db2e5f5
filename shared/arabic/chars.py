"""The one Arabic character table: what normalization, word matching and slugs delete or fold.

Arabic letters in strings and comments are intended, not Latin look-alikes.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from importlib import resources

TATWEEL = 0x0640

# Diacritics (harakat, tanween, shadda, sukun, superscript alef, Quranic marks).
_ARABIC_MARKS = [
    *range(0x0610, 0x061B),
    *range(0x064B, 0x0660),
    0x0670,
    *range(0x06D6, 0x06DD),
    *range(0x06DF, 0x06E9),
    *range(0x06EA, 0x06EE),
    *range(0x08D3, 0x08E2),
    *range(0x08E3, 0x0900),
]
MARKS: frozenset[int] = frozenset([*_ARABIC_MARKS, TATWEEL])


def _invisible() -> frozenset[int]:
    """Every format character (Cf: zero-width, bidi controls, U+2060 word joiner, tags...),
    the combining grapheme joiner, variation selectors and the Hangul fillers that render
    as nothing."""
    # Format characters live in these blocks only (checked over all of Unicode).
    scan = [*range(0x0000, 0x2100), *range(0xFE00, 0x10000), *range(0x11000, 0x14000)]
    scan += [*range(0x1BC00, 0x1D200), *range(0xE0000, 0xE0100)]
    chars = {cp for cp in scan if unicodedata.category(chr(cp)) == "Cf"}
    chars |= {0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, *range(0x180B, 0x1810)}
    chars |= {*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)}
    return frozenset(chars)


INVISIBLE: frozenset[int] = _invisible()
DELETED: frozenset[int] = MARKS | INVISIBLE  # what every consumer drops, slugs included

# Hamza carriers fold to the bare letter because readers type رييس/مسوول as often as
# رئيس/مسؤول; the standalone hamza ء stays. ة→ه and ى→ي follow common Arabic IR practice.
# Persian, Urdu, Kurdish and Maghrebi letters fold to the Arabic letter they stand for.
LETTER_FOLD: dict[str, str] = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا", "ٵ": "ا",
    "ى": "ي", "ی": "ي", "ې": "ي", "ێ": "ي", "ۍ": "ي", "ے": "ي", "ۓ": "ي", "ئ": "ي", "ٸ": "ي",
    "ة": "ه", "ە": "ه", "ۀ": "ه", "ۂ": "ه", "ھ": "ه", "ہ": "ه", "ۃ": "ه",
    "ؤ": "و", "ٶ": "و", "ۆ": "و", "ۇ": "و", "ۈ": "و", "ۋ": "و",
    "ک": "ك", "ڪ": "ك", "ګ": "ك", "ڬ": "ك", "ڭ": "ك", "ڮ": "ك", "گ": "ك", "ڳ": "ك",
    "پ": "ب", "ٻ": "ب", "ڀ": "ب", "چ": "ج", "ڃ": "ج", "ڄ": "ج", "ژ": "ز", "ڑ": "ر",
    "ٹ": "ت", "ٺ": "ت", "ٿ": "ت", "ڈ": "د", "ڤ": "ف", "ڥ": "ف", "ڨ": "ق", "ڧ": "ق",
    "ں": "ن", "ڻ": "ن", "ڽ": "ن",
}  # fmt: skip
DIGITS: dict[int, str] = {
    **{0x0660 + i: str(i) for i in range(10)},
    **{0x06F0 + i: str(i) for i in range(10)},
}


def base_table() -> dict[int, str | None]:
    """The str.translate table of normalize(): delete marks and invisibles, fold letters."""
    table: dict[int, str | None] = dict.fromkeys(DELETED)
    table.update({ord(src): dst for src, dst in LETTER_FOLD.items()})
    table.update(DIGITS)
    return table


# The hamza letters: folded away by normalize() (رئيس = رييس), but said, so written in Arabizi
# (khaen, kha2in = خائن; mas2oul = مسؤول).
HAMZA = frozenset("أإآؤئء")


@cache
def spoken_table() -> dict[int, str | None]:
    """normalize()'s table keeping the hamza letters: what a word sounds like, for Arabizi."""
    table = base_table()
    for letter in HAMZA:
        table.pop(ord(letter), None)
    return table


# --- confusables --------------------------------------------------------------------------


@cache
def latin_confusables() -> dict[int, str]:
    """Non-ASCII letters that Unicode's confusables data (UTS #39, as shipped by the
    confusable-homoglyphs package) lists as look-alikes of one ASCII letter: Cyrillic а, Greek
    ο, Armenian օ ... → a, o. Only single letters whose look-alike is an ASCII letter."""
    raw = resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    data: dict[str, list[dict[str, str]]] = json.loads(raw)
    folded: dict[int, str] = {}
    for key, glyphs in data.items():
        for glyph in glyphs:
            pair = (key.strip("\u200e\u200f"), glyph["c"].strip("\u200e\u200f"))
            for ascii_char, other in (pair, pair[::-1]):
                if _lookalike_pair(ascii_char, other):
                    folded.setdefault(ord(other), ascii_char.lower())
    return folded


def _lookalike_pair(ascii_char: str, other: str) -> bool:
    """An ASCII letter and a single non-ASCII letter outside the Arabic blocks (whose own
    letters stay themselves even where they look Latin: ه ≈ o)."""
    return (
        len(ascii_char) == 1
        and len(other) == 1
        and ascii_char.isascii()
        and ascii_char.isalpha()
        and not other.isascii()
        and other.isalpha()
        and not 0x0600 <= ord(other) <= 0x08FF
        and not 0xFB50 <= ord(other) <= 0xFEFF
    )


# Latin look-alikes of Arabic letters, per the same data (ا ≈ l, ١ ≈ l, ه ≈ o, ٥ ≈ o): folded
# only when written inside an Arabic word, between Arabic letters (حمlر, غب1ي).
IN_ARABIC_LOOKALIKES: dict[str, str] = {"l": "ا", "1": "ا", "o": "ه", "0": "ه"}


@cache
def fold_table() -> list[str | None]:
    """match_table() with NFKC and lower case applied to each BMP character, as a list:
    str.translate reads a list entry without the failed dict lookup it pays for every
    unmapped character."""
    table = match_table()
    folded: list[str | None] = []
    for cp in range(0x10000):
        out = unicodedata.normalize("NFKC", chr(cp)).translate(table).lower()
        folded.append(out or None)
    return folded


@cache
def match_table() -> dict[int, str | None]:
    """normalize()'s table plus confusables folded and Latin accents dropped, for matching."""
    table = base_table()
    table.update({cp: ch for cp, ch in latin_confusables().items() if cp not in table})
    for cp in range(0x00C0, 0x0250):
        base = unicodedata.normalize("NFKD", chr(cp))[0]
        if base.isascii() and base.isalpha() and cp not in table:
            table[cp] = base.lower()
    for cp in range(0x0300, 0x0370):  # combining accents left over after NFKC
        table[cp] = None
    return table

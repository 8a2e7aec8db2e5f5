"""Why a text form matched a listed word: the original spelling and the rules that folded it.

Arabic letters in strings and comments are intended, not Latin look-alikes.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import cache, lru_cache

from shared.arabic import chars
from shared.arabic.words import fold


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return fold(ch)


@cache
def _uneven() -> re.Pattern[str]:
    """The characters that do not fold to exactly one: deleted (marks, invisibles) or
    expanded (ligatures such as ﻻ), and every character outside the BMP."""
    table = chars.fold_table()
    cps = [cp for cp, out in enumerate(table) if out is None or len(out) != 1]
    cps = [cp for cp in cps if not 0xD800 <= cp <= 0xDFFF]
    ranges = "".join(re.escape(chr(cp)) for cp in cps)
    return re.compile(f"[{ranges}\U00010000-\U0010ffff]")


class Spans:
    """Maps positions in the folded text back to the original text. Most characters fold to
    one character; only the others (deleted marks, expanding ligatures) are walked, and only
    when a match is explained."""

    def __init__(self, text: str, folded: str) -> None:
        self._text, self._folded = text, folded
        self._index: tuple[list[int], list[int], list[int], list[int]] | None = None

    def _build(self) -> tuple[list[int], list[int], list[int], list[int]]:
        origins, fstarts, lengths, shifts = [], [], [], []
        shift = 0  # folded position minus original position, after the specials so far
        for found in _uneven().finditer(self._text):
            pos = found.start()
            size = len(_fold_char(found.group()))
            if size == 1:  # an astral character that folds to one
                continue
            origins.append(pos)
            fstarts.append(pos + shift)
            lengths.append(size)
            shift += size - 1
            shifts.append(shift)
        if len(self._text) + shift != len(self._folded):
            raise ValueError("folding the whole text and folding each character disagree")
        return origins, fstarts, lengths, shifts

    def _origin(self, folded_pos: int) -> int:
        """The position in the original text of the character that produced folded_pos."""
        assert self._index is not None
        origins, fstarts, lengths, shifts = self._index
        i = bisect_right(fstarts, folded_pos) - 1
        while i >= 0 and lengths[i] == 0 and fstarts[i] == folded_pos:
            i -= 1  # a deleted character at this position produced nothing
        if i >= 0 and fstarts[i] <= folded_pos < fstarts[i] + lengths[i]:
            return origins[i]
        j = bisect_right(fstarts, folded_pos) - 1
        return folded_pos - (shifts[j] if j >= 0 else 0)

    def original(self, start: int, end: int) -> str:
        """The original text behind folded[start:end] (the folded text if they disagree);
        marks and invisibles trailing the form belong to it."""
        if self._index is None:
            try:
                self._index = self._build()
            except ValueError:
                self._index = ([], [], [], [])
                self._text = self._folded
        first, after = self._origin(start), self._origin(end)
        return self._text[first : max(after, first + 1)]  # inside one ligature: the ligature


def surface_rules(form: str, listed: str) -> tuple[str, ...]:
    """The character-level rules that turned the written form into the listed word's letters."""
    rules: list[str] = []
    confusables = chars.latin_confusables()
    has_arabic = any("\u0600" <= ch <= "\u06ff" for ch in form)
    for ch in form:
        cp = ord(ch)
        if cp == chars.TATWEEL:
            rules.append("tatweel")
        elif cp in chars.MARKS or unicodedata.category(ch) == "Mn":
            rules.append("diacritics")
        elif cp in chars.INVISIBLE:
            rules.append("invisible")
        elif cp in confusables or (has_arabic and ch.lower() in chars.IN_ARABIC_LOOKALIKES):
            rules.append("confusable")
        elif ch in chars.LETTER_FOLD and ch not in listed:
            rules.append("letter_variant")
        elif cp in chars.DIGITS:
            rules.append("digits")
        elif unicodedata.normalize("NFKC", ch) != ch:
            rules.append("presentation_form")
    return tuple(dict.fromkeys(rules))

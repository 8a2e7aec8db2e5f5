"""Why a text form matched a listed word: the original spelling and the rules that folded it.

Arabic letters in strings and comments are intended, not Latin look-alikes.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from functools import lru_cache

from shared.arabic import chars
from shared.arabic.words import fold


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return fold(ch)


class Spans:
    """Maps positions in the folded text back to the original text. Most characters fold to
    one character; only the others (deleted marks, expanding ligatures) are walked, and only
    when a match is explained."""

    def __init__(self, text: str, folded: str) -> None:
        self._text, self._folded = text, folded
        self._index: tuple[list[int], list[int], list[int], list[int]] | None = None

    def _build(self) -> tuple[list[int], list[int], list[int], list[int]]:
        positions = []
        for ch in {ch for ch in set(self._text) if len(_fold_char(ch)) != 1}:
            at = self._text.find(ch)
            while at != -1:
                positions.append(at)
                at = self._text.find(ch, at + 1)
        origins, fstarts, lengths, shifts = [], [], [], []
        shift = 0  # folded position minus original position, after the specials so far
        for pos in sorted(positions):
            size = len(_fold_char(self._text[pos]))
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

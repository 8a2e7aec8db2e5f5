"""Why a text form matched a listed word: the original spelling and the rules that folded it.

Arabic letters in strings and comments are intended, not Latin look-alikes.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from shared.arabic import chars


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch).translate(chars.match_table()).lower()


class Spans:
    """Maps positions in the folded text back to the original text, built only when asked."""

    def __init__(self, text: str, folded: str) -> None:
        self._text, self._folded = text, folded
        self._starts: list[int] | None = None

    def original(self, start: int, end: int) -> str:
        """The original text behind folded[start:end] (the folded text if they disagree)."""
        if self._starts is None:
            starts: list[int] = []
            for index, ch in enumerate(self._text):
                starts.extend([index] * len(_fold_char(ch)))
            starts.append(len(self._text))
            self._starts = starts if len(starts) == len(self._folded) + 1 else []
        if not self._starts:
            return self._folded[start:end]
        # up to the next folded character: marks and invisibles trailing the form belong to it
        return self._text[self._starts[start] : self._starts[end]]


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

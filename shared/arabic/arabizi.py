"""Arabizi: Arabic written in Latin letters and digits (7mar, sharmouta, 5ara) matched against
listed Arabic words.

Each listed word becomes a pattern over Latin text: every Arabic letter stands for the Latin
spellings people use for it (ح = 7 or h, خ = kh or 5, ع = 3, ق = q, 9, k or 2 ...), a consonant
may be followed by an unwritten short vowel, letters may be doubled or stretched. Long vowels
(ا و ي) must be written, so "humor" does not spell حمار. Ambiguous Latin letters are left out
where they made English or French words match (c, p, bare g).

Arabic letters in strings and comments are intended, not Latin look-alikes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_LETTERS: dict[str, str] = {
    "ب": "b", "ت": "t", "ث": "th|t|s", "ج": "j|g|dj", "ح": "7|h", "خ": "kh|5|7'|x",
    "د": "d", "ذ": "dh|th|z|d", "ر": "r", "ز": "z", "س": "s", "ش": "sh|ch|\\$",
    "ص": "s|9", "ض": "d|dh|9'", "ط": "t|6", "ظ": "z|dh|6'", "ع": "3|'", "غ": "gh|3'|8",
    "ف": "f|v", "ق": "q|9|k|2|g", "ك": "k|ck", "ل": "l", "م": "m", "ن": "n", "ه": "h",
    "ء": "2|'",
}  # fmt: skip
_LONG = {"ا": "a|aa", "و": "w|o|u|ou|oo|ow", "ي": "y|i|ee|ei|ii"}
_SHORT = "[aeiou]{0,2}"
_FINAL_H = "a|ah|eh|e|at|et|h"  # ة (normalized to ه) at the end: sharmouta, 9a7ba
# Leading و/ف/ب/ل and the article, trailing plural endings and pronouns, as typed in Latin.
_PREFIX = "(?:(?:w|we|wa|f|fa|b|bi|be|l|li|ya|ia)?(?:el|al|il|l)?-?)?"
_SUFFIX = "(?:een|in|oun|oon|un|at|aat|an|ha|ak|ek|ik|kom|kum|hom|hum|i|o|y)?"
ARABIZI_DIGITS = frozenset("2356789")
_MIN_PLAIN = 3  # without an Arabizi digit, a listed word needs three letters (لص ≠ "les")


def letter_pattern(word: str) -> str | None:
    """The Latin pattern of a normalized Arabic word, or None when it has other characters."""
    parts = []
    for i, ch in enumerate(word):
        if ch == "ه" and i == len(word) - 1 and i > 0:
            parts.append(f"(?:{_FINAL_H})")
        elif ch == "ا" and i == 0:
            parts.append("[aei2']?")
        elif ch in _LONG:
            parts.append(f"(?:{_LONG[ch]})+")
        elif ch in _LETTERS:
            parts.append(f"(?:{_LETTERS[ch]})+{_SHORT}")
        else:
            return None
    return "".join(parts)


class ArabiziIndex:
    """The listed Arabic words as one compiled Latin pattern; find() names the word."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words: list[str] = []
        branches, short_branches = [], []
        for word in dict.fromkeys(words):
            pattern = letter_pattern(word)
            if pattern is None or len(word) < 2:
                continue
            branch = f"(?P<w{len(self.words)}>{pattern})"
            self.words.append(word)
            (branches if len(word) >= _MIN_PLAIN else short_branches).append(branch)
        self._plain = self._compile(branches)
        self._digits = self._compile(branches + short_branches)

    @staticmethod
    def _compile(branches: list[str]) -> re.Pattern[str] | None:
        if not branches:
            return None
        return re.compile(f"{_PREFIX}(?:{'|'.join(branches)}){_SUFFIX}")

    def find(self, token: str) -> str | None:
        """The listed word a lower-case Latin token spells, or None."""
        if len(token) < 3 or not any(ch.isalpha() for ch in token):
            return None
        pattern = self._digits if ARABIZI_DIGITS & set(token) else self._plain
        match = pattern.fullmatch(token) if pattern else None
        if match is None or match.lastgroup is None:
            return None
        return self.words[int(match.lastgroup[1:])]

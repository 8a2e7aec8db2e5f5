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
# و and ي are consonants (w, y: then a short vowel may follow) or long vowels (o u, i ee).
_LONG = {"ا": "a|aa", "و": "w[aeiou]{0,2}|o|u|ou|oo|ow", "ي": "y[aeiou]{0,2}|i|ee|ei|ii"}
_SHORT = "[aeiou]{0,2}"
_FINAL_H = "a|ah|eh|e|at|et|h"  # ة (normalized to ه) at the end: sharmouta, 9a7ba
# Leading و/ف/ب/ل, the article and يا (_PREFIXES below), trailing plural endings and
# pronouns, as typed in Latin.
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
        elif ch in _LETTERS:  # no short vowel after the last letter: "tissu" is not تيس
            parts.append(f"(?:{_LETTERS[ch]})+" + (_SHORT if i < len(word) - 1 else ""))
        else:
            return None
    return "".join(parts)


def _first_chars(word: str) -> set[str]:
    """The Latin characters a spelling of the word can start with."""
    first = word[0]
    if first == "ا":  # optional at the start of a word
        return {"a", "e", "i", "2", "'", *(_first_chars(word[1:]) if len(word) > 1 else ())}
    alternatives = (_LONG.get(first) or _LETTERS[first]).split("|")
    return {alt.lstrip("\\")[0] for alt in alternatives}


_PREFIXES = sorted(
    {
        (c + a + h)
        for c in ("", "w", "we", "wa", "f", "fa", "b", "bi", "be", "l", "li", "ya", "ia")
        for a in ("", "el", "al", "il", "l")
        for h in ("", "-")
    }
    - {"", "-"},
    key=len,
)


class ArabiziIndex:
    """The listed Arabic words as Latin patterns, bucketed by first character; find() names
    the word a Latin token spells."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words: list[str] = []
        plain: dict[str, list[str]] = {}
        digits: dict[str, list[str]] = {}
        for word in dict.fromkeys(words):
            pattern = letter_pattern(word)
            if pattern is None or len(word) < 2:
                continue
            branch = f"(?P<w{len(self.words)}>{pattern})"
            self.words.append(word)
            for ch in _first_chars(word):
                digits.setdefault(ch, []).append(branch)
                if len(word) >= _MIN_PLAIN:
                    plain.setdefault(ch, []).append(branch)
        self._branches = {False: plain, True: digits}
        self._compiled: dict[tuple[bool, str], re.Pattern[str] | None] = {}

    def _bucket(self, digits: bool, first: str) -> re.Pattern[str] | None:
        """The pattern of the words a spelling starting with `first` may be (compiled when
        first needed: most comments have no Latin word at all)."""
        key = (digits, first)
        if key not in self._compiled:
            branches = self._branches[digits].get(first)
            pattern = f"(?:{'|'.join(branches)}){_SUFFIX}" if branches else None
            self._compiled[key] = re.compile(pattern) if pattern else None
        return self._compiled[key]

    def find(self, token: str) -> str | None:
        """The listed word a lower-case Latin token spells, or None."""
        if len(token) < 3 or not any(ch.isalpha() for ch in token):
            return None
        digits = not ARABIZI_DIGITS.isdisjoint(token)
        for rest in (token, *(token[len(p) :] for p in _PREFIXES if token.startswith(p))):
            pattern = self._bucket(digits, rest[0]) if len(rest) >= 2 else None
            match = pattern.fullmatch(rest) if pattern else None
            if match is not None and match.lastgroup is not None:
                return self.words[int(match.lastgroup[1:])]
        return None

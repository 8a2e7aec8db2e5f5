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


_SILENT = re.compile(r"[aeiouwy'\-]")  # vowels, and w/y that may stand for long vowels
_RUNS = re.compile(r"(.)\1+")
_MAX_SKELETONS = 512
_TAILS = (0, 1, 2)  # consonants a Latin ending may add: -een -at -ha -ak, -kom -hom


def _skeleton(latin: str) -> str:
    """The consonants of a Latin spelling, repeats collapsed: sharmouta → shrmt."""
    return _RUNS.sub(r"\1", _SILENT.sub("", latin))


def _options(alternatives: str) -> tuple[str, ...]:
    return tuple({_SILENT.sub("", alt) for alt in alternatives.replace("\\", "").split("|")})


_OPTIONS = {ch: _options(alts) for ch, alts in _LETTERS.items()} | {ch: ("",) for ch in _LONG}
_FINAL_H_OPTIONS = _options(_FINAL_H)
_FIRST_ALEF_OPTIONS = ("", "2")


def _letter_options(word: str, i: int) -> tuple[str, ...]:
    ch = word[i]
    if ch == "ه" and i == len(word) - 1 and i > 0:
        return _FINAL_H_OPTIONS
    if ch == "ا" and i == 0:
        return _FIRST_ALEF_OPTIONS
    return _OPTIONS[ch]


def _append(skeleton: str, option: str) -> str:
    """skeleton + option with the repeat at the junction collapsed (options have none)."""
    while option and skeleton and skeleton[-1] == option[0]:
        option = option[1:]
    return skeleton + option


def skeletons(word: str) -> set[str]:
    """Every consonant skeleton a Latin spelling of the word can have (empty when too many)."""
    options = [_letter_options(word, i) for i in range(len(word))]
    count = 1
    for choice in options:
        count *= len(choice)
    if count > _MAX_SKELETONS:
        return set()
    found = {""}
    for choice in options:
        found = {_append(s, o) for s in found for o in choice}
    return found


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
    """The listed Arabic words indexed by the consonant skeletons of their Latin spellings; a
    Latin word is checked against the full pattern of the few words sharing its skeleton."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words: list[str] = []
        self._by_skeleton: dict[str, list[int]] = {}
        self._patterns: dict[int, re.Pattern[str]] = {}
        for word in dict.fromkeys(words):
            if len(word) < 2 or letter_pattern(word) is None:
                continue
            for skeleton in skeletons(word):
                self._by_skeleton.setdefault(skeleton, []).append(len(self.words))
            self.words.append(word)

    def _pattern(self, index: int) -> re.Pattern[str]:
        """A word's full pattern, compiled the first time a Latin word shares its skeleton."""
        pattern = self._patterns.get(index)
        if pattern is None:
            source = f"(?:{letter_pattern(self.words[index])}){_SUFFIX}"
            pattern = self._patterns[index] = re.compile(source)
        return pattern

    def find(self, token: str) -> str | None:
        """The listed word a lower-case Latin token spells, or None."""
        if len(token) < 3 or not any(ch.isalpha() for ch in token):
            return None
        digits = not ARABIZI_DIGITS.isdisjoint(token)
        for rest in (token, *(token[len(p) :] for p in _PREFIXES if token.startswith(p))):
            skeleton = _skeleton(rest)
            for tail in _TAILS:
                if tail and len(skeleton) <= tail:
                    break
                for index in self._by_skeleton.get(skeleton[: len(skeleton) - tail], ()):
                    word = self.words[index]
                    if (digits or len(word) >= _MIN_PLAIN) and self._pattern(index).fullmatch(rest):
                        return word
        return None

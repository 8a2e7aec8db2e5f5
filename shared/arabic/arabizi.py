"""Arabizi: Arabic written in Latin letters and digits (7mar, sharmouta, 5ara) matched against
listed Arabic words.

Each listed word becomes a pattern over Latin text: every Arabic letter stands for the Latin
spellings people use for it (ح = 7 or h, خ = kh or 5, ع = 3, ق = q, 9, k or 2 ...), a consonant
may be followed by an unwritten short vowel, letters may be doubled or stretched. Long vowels
(ا و ي) must be written, so "humor" does not spell حمار. A hamza is said, so it is written:
as 2 or ', or as the vowel it carries (خائن = kha2in, khaen, khayen). Ambiguous Latin letters
are left out where they made English or French words match (c, p, bare g).

Arabic letters in strings and comments are intended, not Latin look-alikes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from shared.arabic import chars

LETTERS: dict[str, str] = {
    "ب": "b", "ت": "t", "ث": "th|t|s", "ج": "j|g|dj", "ح": "7|h", "خ": "kh|5|7'|x",
    "د": "d", "ذ": "dh|th|z|d", "ر": "r", "ز": "z", "س": "s", "ش": "sh|ch|\\$",
    "ص": "s|9", "ض": "d|dh|9'", "ط": "t|6", "ظ": "z|dh|6'", "ع": "3|'", "غ": "gh|3'|8",
    "ف": "f|v", "ق": "q|9|k|2|g", "ك": "k|ck", "ل": "l", "م": "m", "ن": "n", "ه": "h",
}  # fmt: skip
# و and ي are consonants (w, y: then a short vowel may follow) or long vowels (o u, i ee).
_LONG = {"ا": "a|aa", "و": "w[aeiou]{0,2}|o|u|ou|oo|ow", "ي": "y[aeiou]{0,2}|i|ee|ei|ii"}
_SHORT = "[aeiou]{0,2}"
# A hamza inside a word: 2 or ' and its vowel, its seat (y for ئ, w for ؤ) or the vowel alone
# (never nothing: "khan" is not خائن); ء may be dropped at the end (sama = سماء).
_SEATS = {"ئ": "y", "ؤ": "w", "أ": "", "إ": "", "ء": ""}
_FIRST_ALEF = "(?:[2']?[aei]?)"  # أ إ ا at the start: 2ard, ard, ibn (not o, u: "oublie")
_MADDA = "(?:[2']?a{1,2})"  # آ
_FINAL_H = "a|ah|eh|e|at|et|h"  # ة (normalized to ه) at the end: sharmouta, 9a7ba
# Leading و/ف/ب/ل, the article and يا (_PREFIXES below), trailing plural endings and
# pronouns, as typed in Latin.
_SUFFIXES = "een|in|oun|oon|un|at|aat|an|a|ah|eh|ha|ak|ek|ik|kom|kum|hom|hum|i|o|y"
FIRST_PERSON = frozenset({"i", "y"})  # kalbi: "my ..."
FEMININE = frozenset({"a", "ah", "eh"})  # 9erda, ghabia; also French verbs (tissa, oublia)
ARABIZI_DIGITS = frozenset("2356789")
_MIN_PLAIN = 3  # without an Arabizi digit, a listed word needs three letters (لص ≠ "les")
_ARABIC = frozenset(LETTERS) | frozenset(_LONG) | chars.HAMZA


def spoken(word: str) -> str:
    """The letters of an Arabic word as said: normalized, hamza letters kept; ي after ا before
    a consonant is a hamza said without its sign (خاين = خائن, صايم = صائم)."""
    text = unicodedata.normalize("NFKC", word).translate(chars.spoken_table())
    letters = "".join(ch for ch in text if ch in _ARABIC)
    return re.sub("(?<=ا)ي(?=[^اويئ])", "ئ", letters)


def _hamza(ch: str, i: int, last: int) -> str:
    if i == 0:
        return _MADDA if ch == "آ" else _FIRST_ALEF
    if ch == "آ":
        return _MADDA
    seat = _SEATS[ch]
    written = f"(?:[2'{seat}][aeiou]{{0,2}}|[aeiou]{{1,2}})"
    return written + "?" if ch == "ء" and i == last else written


def letter_pattern(word: str) -> str | None:
    """The Latin pattern of an Arabic word (normalized, or spoken()), None for other letters."""
    parts = []
    last = len(word) - 1
    for i, ch in enumerate(word):
        if ch == "ه" and i == last and i > 0:
            parts.append(f"(?:{_FINAL_H})")
        elif ch in chars.HAMZA:
            parts.append(_hamza(ch, i, last))
        elif ch == "ا" and i == 0:
            parts.append(_FIRST_ALEF)
        elif ch in _LONG:
            parts.append(f"(?:{_LONG[ch]})+")
        elif ch in LETTERS:  # no short vowel after the last letter: "tissu" is not تيس
            parts.append(f"(?:{LETTERS[ch]})+" + (_SHORT if i < last else ""))
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


_OPTIONS = {ch: _options(alts) for ch, alts in LETTERS.items()} | {ch: ("",) for ch in _LONG}
_OPTIONS |= {ch: ("", "2") for ch in chars.HAMZA}
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
VOCATIVE_PREFIXES = frozenset(p for p in _PREFIXES if p.startswith(("ya", "ia")))


@lru_cache(maxsize=4096)
def word_regex(word: str) -> re.Pattern[str] | None:
    """A word's full pattern with its optional ending (group "ending")."""
    core = letter_pattern(word)
    return None if core is None else re.compile(f"(?:{core})(?P<ending>{_SUFFIXES})?")


@dataclass(frozen=True)
class Reading:
    """A Latin token read as a listed word: the word's key, the clitics before, the ending."""

    word: str
    latin: str  # the token without its clitics
    prefix: str
    ending: str


class ArabiziIndex:
    """The listed Arabic words indexed by the consonant skeletons of their Latin spellings; a
    Latin word is checked against the full pattern of the few words sharing its skeleton."""

    def __init__(self, words: Iterable[tuple[str, str]]) -> None:
        """words: (key, spelling): the normalized key matched, the spoken() letters read."""
        self.words: list[str] = []
        self._spellings: list[str] = []
        self._by_skeleton: dict[str, list[int]] = {}
        for key, spelling in dict(words).items():
            if len(key) < 2 or letter_pattern(spelling) is None:
                continue
            for skeleton in skeletons(spelling):
                self._by_skeleton.setdefault(skeleton, []).append(len(self.words))
            self.words.append(key)
            self._spellings.append(spelling)

    def find(self, token: str) -> Reading | None:
        """How a lower-case Latin token reads as a listed word, or None."""
        if len(token) < 3 or not any(ch.isalpha() for ch in token):
            return None
        digits = not ARABIZI_DIGITS.isdisjoint(token)
        for prefix in ("", *(p for p in _PREFIXES if token.startswith(p))):
            rest = token[len(prefix) :]
            skeleton = _skeleton(rest)
            for tail in _TAILS:
                if tail and len(skeleton) <= tail:
                    break
                for index in self._by_skeleton.get(skeleton[: len(skeleton) - tail], ()):
                    word = self.words[index]
                    if not digits and len(word) < _MIN_PLAIN:
                        continue
                    pattern = word_regex(self._spellings[index])
                    found = pattern.fullmatch(rest) if pattern else None
                    if found:
                        return Reading(word, rest, prefix, found.group("ending") or "")
        return None

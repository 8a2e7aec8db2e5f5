"""How a comment is cut into words for matching: folding, fragments (Arabic or Latin words),
the clitic- and pronoun-stripped forms of a word, and runs of fragments that spell one word.

Arabic letters in strings and comments are intended, not Latin look-alikes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import groupby

from shared.arabic import chars

_AR = "\u0621-\u064a\u0671-\u06d3"
_LOOK = re.escape("".join(chars.IN_ARABIC_LOOKALIKES))
# An Arabic word may carry Latin look-alikes between its letters (حمlر); a Latin word is
# letters and digits; everything else separates.
_LATIN = "a-z0-9\u00df-\u024f"
FRAGMENT_RE = re.compile(rf"[{_AR}]+(?:[{_LOOK}][{_AR}]+)*|[{_LATIN}](?:[{_LATIN}$']*[{_LATIN}])?")
_LOOK_TABLE = str.maketrans(chars.IN_ARABIC_LOOKALIKES)
_LOOK_SET = frozenset(chars.IN_ARABIC_LOOKALIKES)
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")
# cut() reads the look-alikes after splitting, so its words need no look-alike branch
_SPLIT_RE = re.compile(rf"([{_AR}]+|[{_LATIN}](?:[{_LATIN}$']*[{_LATIN}])?)")
_MAX_SPELLED = 12  # a word spelled out is at most this many fragments
_GLUE_MAX = 4  # a separator this short without a space glues fragments (غ.ب.ي, ح😀م😀ا😀ر)

# Leading clitics: conjunction و/ف, then preposition ب/ك/ل, then the article ال (ل+ال = لل).
_CLITICS = sorted(
    {c + p + a for c in ("", "و", "ف") for p in ("", "ب", "ك") for a in ("", "ال")}
    | {c + p for c in ("", "و", "ف") for p in ("ل", "لل")},
    key=len,
)[1:]
# Trailing attached pronouns (his/her/their/your/our/my): غبيكم, غبيها are still غبي.
_PRONOUNS = ("كما", "هما", "كم", "كن", "هم", "هن", "نا", "ها", "ك", "ه", "ي")
_ARTICLE_RE = re.compile("^(?:[وف]?[بك]?ال|[وف]?لل)")
_MIN_STEM = 2
_MIN_SUFFIXED_STEM = 3  # a pronoun is only stripped from a longer word, to spare short ones
Runs = tuple[str, tuple[int, ...]]


def fold(text: str) -> str:
    """The text matching works on: normalize()'s folds plus confusables, lower case. Each
    character folds on its own (NFKC included), so positions map back to the original."""
    if _ASTRAL_RE.search(text):  # letters outside the BMP: mathematical, enclosed...
        text = "".join(_fold_astral(ch) if ch > "\uffff" else ch for ch in text)
    return text.translate(chars.fold_table())


def runs(word: str) -> Runs:
    """A word's letters with repeats collapsed, and the length of each run."""
    groups = [(ch, len(list(run))) for ch, run in groupby(word)]
    return "".join(ch for ch, _ in groups), tuple(n for _, n in groups)


def word_key(word: str) -> str:
    """The folded letters of a listed word (spaces between the parts of a phrase kept)."""
    return " ".join(fragment_text(m.group()) for m in FRAGMENT_RE.finditer(fold(word)))


def fragment_text(raw: str) -> str:
    if raw[0] > "\u0600" and not _LOOK_SET.isdisjoint(raw):
        return raw.translate(_LOOK_TABLE)
    return raw


@lru_cache(maxsize=65_536)
def variants(token: str) -> tuple[tuple[Runs, tuple[str, ...]], ...]:
    """(runs, rules) of a token and of its clitic- and pronoun-stripped forms (cached: the
    same words come back in comment after comment)."""
    forms: list[tuple[str, tuple[str, ...]]] = [(token, ())]
    stripped = [
        (token[len(c) :], c)
        for c in _CLITICS
        if token.startswith(c) and len(collapse(token[len(c) :])) >= _MIN_STEM
    ]
    forms += [(form, ("clitic",)) for form, _ in stripped]
    # A word with the article takes no possessive pronoun: the ي of الكلبي is a nisba (a family
    # name), the ه of الغبيه is ة. Nor does one after "like" (ك): كسكسي is couscous, not ك+سكس+ي.
    bare = [(token, ())] + [
        (form, ("clitic",)) for form, c in stripped if not c.endswith(("ال", "لل", "ك"))
    ]
    forms += [
        (form[: -len(s)], (*rules, "pronoun"))
        for form, rules in bare
        if form == token or not _ARTICLE_RE.match(token)
        for s in _PRONOUNS
        if form.endswith(s) and len(collapse(form[: -len(s)])) >= _MIN_SUFFIXED_STEM
    ]
    return tuple((runs(form), rules) for form, rules in forms)


def enough(have: tuple[int, ...], need: tuple[int, ...]) -> bool:
    return all(h >= n for h, n in zip(have, need, strict=True))


def _fold_astral(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch).translate(chars.match_table()).lower()


def cut(folded: str) -> tuple[list[str], list[str]]:
    """The words of a folded text (look-alikes inside Arabic words read) and the separators:
    seps[k] comes before words[k], the last one after the last word."""
    parts = _SPLIT_RE.split(folded)
    words, seps = parts[1::2], parts[0::2]
    # An empty separator inside the text: an Arabic and a Latin word touching (حم|l|ر).
    if seps.count("") > (seps[0] == "") + (len(seps) > 1 and seps[-1] == ""):
        return _read_lookalikes(words, seps)
    return words, seps


def _read_lookalikes(words: list[str], seps: list[str]) -> tuple[list[str], list[str]]:
    """Merge each Arabic word, single look-alike, Arabic word written without a break
    (حم l ر → حمار); the folded text keeps its length, so positions do not move."""
    empty = set(positions_of(seps, ""))
    look = chars.IN_ARABIC_LOOKALIKES
    merges = [
        k
        for k in sorted(empty)
        if k + 1 in empty
        and 0 < k < len(words) - 1
        and words[k] in look
        and words[k - 1][-1] > "\u0600"
        and words[k + 1][0] > "\u0600"
    ]
    out, out_seps, done = [], [], 0  # words[:done] are in out
    for k in merges:
        if k - 1 >= done:  # else words[k - 1] ends the word merged just before
            out += words[done:k]
            out_seps += seps[done:k]
        out[-1] += look[words[k]] + words[k + 1]
        done = k + 2
    return [*out, *words[done:]], [*out_seps, *seps[done:]]


def positions_of(items: list[str], item: str) -> list[int]:
    """Every index of item in items (list.index scans in C)."""
    found: list[int] = []
    try:
        at = items.index(item)
        while True:
            found.append(at)
            at = items.index(item, at + 1)
    except ValueError:
        return found


def positions(
    words: Sequence[str], seps: Sequence[str], wanted: Iterable[int]
) -> dict[int, tuple[int, int]]:
    """(start, end) in the folded text of the wanted words (look-alikes fold one to one)."""
    found: dict[int, tuple[int, int]] = {}
    at = done = 0  # the text before word `done` is `at` characters long
    for i in sorted(set(wanted)):
        at += sum(map(len, seps[done : i + 1])) + sum(map(len, words[done:i]))
        found[i] = (at, at + len(words[i]))
        at, done = at + len(words[i]), i + 1
    return found


RUN_RE = re.compile(r"(.)\1+")
_CLITIC_HEADS = frozenset(runs(c)[0] for c in _CLITICS)
_PRONOUN_TAILS = frozenset(_PRONOUNS)


def collapse(token: str) -> str:
    """The token with each run of a repeated letter collapsed to one."""
    return RUN_RE.sub(r"\1", token) if RUN_RE.search(token) else token


def may_match(key: str, keys: frozenset[str]) -> bool:
    """Cheap test: could a clitic- or pronoun-stripped form of a collapsed token be a key?"""
    if key in keys:
        return True
    end = len(key)
    heads = [0]
    for n in 1, 2, 3, 4:
        if n < end and key[:n] in _CLITIC_HEADS:
            heads.append(n)
    tails = [0]
    for n in 1, 2, 3:
        if n < end and key[end - n :] in _PRONOUN_TAILS:
            tails.append(n)
    for a in heads:
        for b in tails:
            if key[a : end - b] in keys:
                return True
    return False


def _glues(sep: str) -> bool:
    """A separator that joins letters whatever their length: short, with no space in it."""
    return len(sep) <= _GLUE_MAX and not any(ch.isspace() for ch in sep)


def _glued(words: Sequence[str], seps: Sequence[str]) -> list[int]:
    """The k whose separator seps[k] joins words[k - 1] and words[k]: a gluing separator, or
    a short one between two single letters. Each distinct separator is tested once and the
    candidates are found with bytes.find, so ordinary prose costs no loop in Python."""
    n = len(words)
    distinct = set(seps)
    glue = {sep for sep in distinct if _glues(sep)}
    glued = _ones(bytes(map(glue.__contains__, seps[:n])), b"\x01") if glue else []
    singles = bytes(map((1).__eq__, map(len, words)))
    if b"\x01\x01" in singles:
        short = {sep for sep in distinct if len(sep) <= _GLUE_MAX}
        glued += [k + 1 for k in _ones(singles, b"\x01\x01") if seps[k + 1] in short]
    return sorted({k for k in glued if k})


def _ones(flags: bytes, pattern: bytes) -> list[int]:
    """Every position where pattern starts in flags (overlaps included)."""
    found, at = [], flags.find(pattern)
    while at != -1:
        found.append(at)
        at = flags.find(pattern, at + 1)
    return found


def spelled(words: Sequence[str], seps: Sequence[str]) -> Iterable[tuple[int, int, str]]:
    """Each run of two or more words that may spell one word across separators."""
    glued = _glued(words, seps)
    start = end = None
    for k in [*glued, None]:
        if k is not None and k - 1 == end:
            end = k  # the run goes on
            continue
        if start is not None and end is not None:
            for i in range(start, end):
                for j in range(i + 1, min(end + 1, i + _MAX_SPELLED)):
                    yield i, j, "".join(words[i : j + 1])
        if k is not None:
            start, end = k - 1, k

"""The word matcher as it was before issue 16 (shared/arabic.py at 755b4b5), kept verbatim as
the baseline of bench/moderation_matching.py: every listed word tried against every text word."""

# Arabic letters in strings and comments are intended, not Latin look-alikes.
# ruff: noqa

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby

from shared.arabic import normalize, tokenize
from shared.arabic.text import _TOKEN_RE


# Leading clitics: conjunction و/ف, then preposition ب/ك/ل, then the article ال (ل+ال = لل).
_CLITICS = sorted(
    {c + p + a for c in ("", "و", "ف") for p in ("", "ب", "ك") for a in ("", "ال")}
    | {c + p for c in ("", "و", "ف") for p in ("ل", "لل")},
    key=len,
)[1:]
# Trailing attached pronouns (his/her/their/your/our/my): غبيكم, غبيها are still غبي.
_SUFFIXES = ("كما", "هما", "كم", "كن", "هم", "هن", "نا", "ها", "ك", "ه", "ي")
_MIN_STEM = 2
_MIN_SUFFIXED_STEM = 3  # a suffix is only stripped from a longer word, to spare short ones
_Runs = tuple[str, tuple[int, ...]]


def _runs(word: str) -> _Runs:
    """Split a word into its letters with repeats collapsed and the length of each run."""
    groups = [(ch, len(list(run))) for ch, run in groupby(word)]
    return "".join(ch for ch, _ in groups), tuple(n for _, n in groups)


def moderation_key(word: str) -> str:
    """Return the normalized word with every run of a repeated letter collapsed to one."""
    return _runs("".join(_TOKEN_RE.findall(normalize(word))))[0]


def _variants(token: str) -> list[_Runs]:
    """Return the (collapsed key, run lengths) of a token and of its clitic-stripped forms."""
    forms = [token] + [
        token[len(c) :]
        for c in _CLITICS
        if token.startswith(c) and len(_runs(token[len(c) :])[0]) >= _MIN_STEM
    ]
    forms += [
        form[: -len(s)]
        for form in forms
        for s in _SUFFIXES
        if form.endswith(s) and len(_runs(form[: -len(s)])[0]) >= _MIN_SUFFIXED_STEM
    ]
    return [_runs(form) for form in forms]


def moderation_forms(text: str) -> set[str]:
    """Return every match key of every word in text (each word and its clitic-stripped forms)."""
    return {key for token in tokenize(text) for key, _ in _variants(token)}


def match_words(text: str, words: Iterable[str]) -> list[str]:
    """Return the listed words or phrases (as given, in list order) that occur in text.

    A listed word matches a whole text word after normalize(), leading clitics and trailing
    attached pronouns stripped and repeated letters collapsed; a text word must repeat each
    letter at least as often as the listed word (غبييي matches غبي, "as" does not match "ass").
    Phrases match consecutive words.
    """
    tokens = [_variants(t) for t in tokenize(text)]
    found: list[str] = []
    for listed in dict.fromkeys(words):
        parts = [_runs(t) for t in tokenize(listed)]
        if parts and _phrase_at_any(tokens, parts):
            found.append(listed)
    return found


def _phrase_at_any(tokens: list[list[_Runs]], parts: list[_Runs]) -> bool:
    """Return True if the listed parts match consecutive text tokens somewhere."""
    n = len(parts)
    return any(
        all(_token_matches(tokens[i + j], parts[j]) for j in range(n))
        for i in range(len(tokens) - n + 1)
    )


def _token_matches(variants: list[_Runs], part: _Runs) -> bool:
    """Return True if one variant of a text token has the part's letters and enough repeats."""
    key, counts = part
    return any(
        vkey == key and all(v >= c for v, c in zip(vcounts, counts, strict=True))
        for vkey, vcounts in variants
    )

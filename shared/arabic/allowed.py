"""Allowed phrases: news vocabulary in which a listed word is not a match (انفلونزا الخنازير).

A phrase's words match in any number (لحم الخنزير also allows لحوم الخنازير: each word with
its sound endings and broken-plural patterns, either way round), with clitics and the article
optional; a `*` stands for any listed word (`لحم *`, `* البري`), so one phrase covers a
construct of news (meat of, wild ...) whatever animal is listed.

Arabic letters in strings and comments are intended, not Latin look-alikes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from shared.arabic.plurals import broken_plural_candidates, sound_forms
from shared.arabic.words import collapse, variants, word_key

WILDCARD = "*"


@dataclass(frozen=True)
class _Word:
    keys: frozenset[str]  # the word and its inflected forms, repeats collapsed
    bases: frozenset[str]  # the word as written in the phrase (a text's singular may plural it)

    def fits(self, fragment: str) -> bool:
        forms = [key for (key, _), _ in variants(fragment)]
        return not self.keys.isdisjoint(forms) or any(
            not self.bases.isdisjoint(_plurals(form)) for form in forms
        )


@lru_cache(maxsize=8192)
def _plurals(key: str) -> frozenset[str]:
    return frozenset(collapse(p) for p in (*sound_forms(key), *broken_plural_candidates(key)))


def _word(key: str) -> _Word:
    base = key[2:] if key.startswith("ال") and len(key) >= 4 else key
    return _Word(frozenset({collapse(base)}) | _plurals(base), frozenset({collapse(base)}))


@dataclass(frozen=True)
class Phrase:
    parts: tuple[_Word | None, ...]  # None: any listed word

    def at(self, frags: Sequence[str], start: int, listed_at: Collection[int]) -> bool:
        """Whether the phrase is written from fragment `start` on."""
        return start + len(self.parts) <= len(frags) and all(
            start + k in listed_at if part is None else part.fits(frags[start + k])
            for k, part in enumerate(self.parts)
        )


def compile_phrase(text: str) -> Phrase | None:
    """An allowed phrase as matched, or None when it has no word (only `*`, or nothing)."""
    parts: list[_Word | None] = []
    for raw in text.split():
        if raw.strip(WILDCARD) == "":
            parts.append(None)
        else:
            parts += [_word(key) for key in word_key(raw).split()]
    return Phrase(tuple(parts)) if any(p is not None for p in parts) else None


def spans(
    phrases: Sequence[Phrase], frags: Sequence[str], hits: Iterable[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The allowed phrases written around the hits (first, last fragment of each)."""
    hits = set(hits)
    listed_at = {i for i, j in hits if i == j}
    found = []
    for i, j in hits:
        for phrase in phrases:
            n = len(phrase.parts)
            for start in range(max(0, j - n + 1), i + 1):
                if phrase.at(frags, start, listed_at):
                    found.append((start, start + n - 1))
    return found

"""Allowed phrases: news vocabulary in which a listed word is not a match (انفلونزا الخنازير).

A phrase's words match in any number (لحم الخنزير also allows لحوم الخنازير: each word with
its sound endings and broken-plural patterns, either way round), with clitics and the article
optional; a `*` stands for any listed word (`لحم *`), so one phrase covers a construct of news
(meat of, fever of ...) whatever animal is listed.

Arabic letters in strings and comments are intended, not Latin look-alikes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from shared.arabic.plurals import broken_plural_candidates, sound_forms
from shared.arabic.words import collapse, variants, word_key

WILDCARD = "*"


@lru_cache(maxsize=8192)
def _plurals(key: str) -> frozenset[str]:
    return frozenset(collapse(p) for p in (*sound_forms(key), *broken_plural_candidates(key)))


@lru_cache(maxsize=16_384)
def _forms(fragment: str) -> tuple[frozenset[str], frozenset[str]]:
    """A text word's keys (itself, clitics and pronouns cut) and their plurals."""
    keys = frozenset(key for (key, _), _ in variants(fragment))
    return keys, frozenset().union(*map(_plurals, keys))


@dataclass(frozen=True)
class _Word:
    keys: frozenset[str]  # the word and its inflected forms, repeats collapsed
    base: str  # the word as written in the phrase (a text's singular may plural it)

    def fits(self, fragment: str) -> bool:
        keys, plurals = _forms(fragment)
        return not self.keys.isdisjoint(keys) or self.base in plurals


def _word(key: str) -> _Word:
    base = collapse(key[2:] if key.startswith("ال") and len(key) >= 4 else key)
    return _Word(frozenset({base}) | _plurals(base), base)


@dataclass(frozen=True)
class Phrase:
    parts: tuple[_Word | None, ...]  # None: any listed word

    def at(self, frags: Sequence[str], start: int, listed_at: Collection[int]) -> bool:
        """Whether the phrase is written from fragment `start` on."""
        return (
            0 <= start
            and start + len(self.parts) <= len(frags)
            and all(
                start + k in listed_at if part is None else part.fits(frags[start + k])
                for k, part in enumerate(self.parts)
            )
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


class AllowedPhrases:
    """A policy's allowed phrases, indexed by the forms each of their words takes."""

    def __init__(self, texts: Iterable[str]) -> None:
        self._by_key: dict[str, list[tuple[Phrase, int]]] = {}
        self._by_base: dict[str, list[tuple[Phrase, int]]] = {}
        self._wild: list[tuple[Phrase, int]] = []
        for phrase in filter(None, map(compile_phrase, dict.fromkeys(texts))):
            for k, part in enumerate(phrase.parts):
                if part is None:
                    self._wild.append((phrase, k))
                    continue
                for key in part.keys:
                    self._by_key.setdefault(key, []).append((phrase, k))
                self._by_base.setdefault(part.base, []).append((phrase, k))

    def _candidates(self, fragment: str, listed: bool) -> set[tuple[Phrase, int]]:
        """The (phrase, word position) pairs a text word may stand at."""
        keys, plurals = _forms(fragment)
        found = set(self._wild) if listed else set()
        for key in keys:
            found.update(self._by_key.get(key, ()))
        for plural in plurals & self._by_base.keys():
            found.update(self._by_base[plural])
        return found

    def spans(self, frags: Sequence[str], hits: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
        """The allowed phrases written over the hits (first, last fragment of each)."""
        if not self._by_key:
            return []
        hits = set(hits)
        listed_at = {i for i, j in hits if i == j}
        found = []
        for i, j in hits:  # a phrase over a hit holds the hit's first word somewhere
            for phrase, k in self._candidates(frags[i], i in listed_at):
                start = i - k
                if start + len(phrase.parts) > j and phrase.at(frags, start, listed_at):
                    found.append((start, start + len(phrase.parts) - 1))
        return found

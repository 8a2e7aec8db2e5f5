"""Word-list matching for comment moderation: listed words found through the ways people write
around them, each match explaining itself (listed word, form in the text, rules).

Arabic letters in strings and comments are intended, not Latin look-alikes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial

from shared.arabic import adverts, explain, frames, lexicon, readings
from shared.arabic import allowed as allowed_phrases
from shared.arabic.arabizi import ArabiziIndex, spoken
from shared.arabic.plurals import accusative_form, sound_forms
from shared.arabic.words import (
    FRAGMENT_RE,
    Runs,
    collapse,
    cut,
    enough,
    fold,
    fragment_text,
    may_match,
    positions,
    runs,
    spelled,
    variants,
    word_key,
)

SPAM, HOLD = "spam", "hold"
_UNSURE = "unsure"  # an ambiguous Arabizi reading: counts only in context (readings)


@dataclass(frozen=True)
class Entry:
    """A listed word or phrase, what matching it does, and its moderator-listed other forms."""

    word: str
    action: str = HOLD
    forms: tuple[str, ...] = ()
    ambiguous: bool = False  # also a common noun (an animal): counts only in an insult frame
    advert: bool = False  # spam that is also news (كازينو): counts only in an advert


@dataclass(frozen=True)
class Match:
    word: str  # as listed
    form: str  # as written in the text
    rules: tuple[str, ...]
    action: str

    def as_dict(self) -> dict[str, object]:
        return {
            "word": self.word,
            "form": self.form,
            "rules": list(self.rules),
            "action": self.action,
        }


@dataclass(frozen=True)
class _Target:
    entry: Entry
    counts: tuple[int, ...]
    rules: tuple[str, ...]  # plural, broken_plural, accusative; none for the word itself


_CACHE_SIZE = 50_000
_Hits = dict[tuple[str, int, int], tuple[Entry, tuple[str, ...]]]  # (word, first, last fragment)


class WordList:
    """Listed entries compiled for matching many comments: a few dict lookups per text word."""

    def __init__(
        self, entries: Iterable[Entry], allowed: Iterable[str] = (), news_sites: Iterable[str] = ()
    ) -> None:
        first: dict[str, Entry] = {}
        for entry in entries:
            first.setdefault(entry.word, entry)  # a word listed twice: its first entry counts
        self.entries = list(first.values())
        self._order = {e.word: n for n, e in enumerate(self.entries)}
        self._index: dict[str, list[_Target]] = {}
        self._phrases: dict[str, list[tuple[Entry, list[Runs]]]] = {}
        self._arabizi_entries: dict[str, tuple[Entry, tuple[str, ...]]] = {}
        self._spoken: dict[str, str] = {}  # Arabizi: listed key -> its letters as said
        for entry in self.entries:
            parts = word_key(entry.word).split()
            if len(parts) > 1:
                self._add_phrase(entry, parts)
            elif parts:
                self._add_word(entry, parts[0])
        self._allowed = allowed_phrases.AllowedPhrases(allowed)
        arabic = [(k, self._spoken.get(k, k)) for k in self._arabizi_entries if k[0] > "\u0600"]
        self._arabizi = ArabiziIndex(arabic)
        if arabic:
            lexicon.words()  # read now, not during the first comment in Arabizi
        self._ambiguous = any(e.ambiguous for e in self.entries)
        self._adverts = any(e.advert for e in self.entries)
        # links that cite a source, not an advert's: the built-in news sites and the policy's
        self._news = adverts.news_links(tuple(sorted({s.lower() for s in news_sites})))
        self._keys = frozenset(self._index)
        self._listed_keys = frozenset(self._arabizi_entries) | self._keys
        self._first_keys = frozenset(self._phrases)
        self._all_keys = self._keys | self._first_keys
        self._interesting: set[str] = set()  # cached words that match or may start a phrase
        self._cache: dict[str, tuple[list[tuple[Entry, tuple[str, ...]]], bool]] = {}

    def _add_word(self, entry: Entry, key: str) -> None:
        """The word, its listed forms (first: they explain a match best), the accusative of
        each (حمارا, حميرا), its sound forms."""
        listed: list[tuple[str, str, tuple[str, ...]]] = [(entry.word, key, ())]
        listed += [(f, word_key(f).replace(" ", ""), ("broken_plural",)) for f in entry.forms]
        for form, form_key, rules in [(f, k, r) for f, k, r in listed if k]:
            self._add(form_key, entry, *rules)
            self._add_arabizi(form_key, form, (entry, ("arabizi", *rules)))
            if (accusative := accusative_form(form, form_key)) is not None:
                self._add(accusative, entry, *rules, "accusative")
        for form in sound_forms(key):
            self._add(form, entry, "feminine" if form == key + "ه" else "plural")

    def _add_arabizi(self, key: str, written: str, target: tuple[Entry, tuple[str, ...]]) -> None:
        if key not in self._arabizi_entries:
            self._arabizi_entries[key] = target
            self._spoken[key] = spoken(written) or key

    def _add(self, key: str, entry: Entry, *rules: str) -> None:
        key_runs = runs(key)
        self._index.setdefault(key_runs[0], []).append(_Target(entry, key_runs[1], rules))

    def _add_phrase(self, entry: Entry, parts: list[str]) -> None:
        """A listed phrase, indexed by its first word."""
        # a part's article is a clitic like any other: ابن الكلب also catches ابن كلب
        part_runs = [runs(p[2:] if p.startswith("ال") and len(p) >= 4 else p) for p in parts]
        self._phrases.setdefault(part_runs[0][0], []).append((entry, part_runs))

    def find(self, text: str) -> list[Match]:
        """Every listed entry found in text, in the order of the list, each with its reason."""
        folded = fold(text)
        frags, seps = cut(folded)
        hits: _Hits = {}
        unsure: list[tuple[int, Entry, tuple[str, ...]]] = []
        words = set(frags)
        if len(self._cache) + len(words) > _CACHE_SIZE:  # bounded memory; never within one text
            self._cache.clear()
            self._interesting.clear()
        for frag in words.difference(self._cache):  # words not seen before: looked up once
            self._lookup(frag)
        hot = words & self._interesting  # usually empty: no word of the text is listed
        for i in [i for i, frag in enumerate(frags) if frag in hot] if hot else ():
            found, phrase = self._cache[frags[i]]
            for entry, rules in found:
                if rules and rules[-1] == _UNSURE:
                    unsure.append((i, entry, rules[:-1]))
                else:
                    hits.setdefault((entry.word, i, i), (entry, rules))
            for listed, last in self._phrases_at(frags, i) if phrase else ():
                hits.setdefault((listed.word, i, last), (listed, ("phrase",)))
        for i, j, token in spelled(frags, seps):
            for entry, rules in self._lookup_spelled(token):
                hits.setdefault((entry.word, i, j), (entry, ("separators", *rules)))
        if unsure:
            _in_context(unsure, frags, hits)
        if self._adverts and hits:  # before the frames: a dropped word is no neighbour
            disguised = partial(adverts.disguised, explain.Spans(text, folded), frags, seps)
            hits = adverts.in_adverts(hits, folded, frags, disguised, self._news)
        if self._ambiguous and hits:
            hits = frames.framed(hits, frags, seps)
        if not hits:
            return []
        return self._explained(text, folded, frags, seps, hits)

    def _explained(
        self, text: str, folded: str, frags: list[str], seps: list[str], hits: _Hits
    ) -> list[Match]:
        """The hits outside allowed phrases, in list order, explained."""
        spans = self._allowed.spans(frags, [k[1:] for k in hits])
        kept = [
            (key, value)
            for key, value in hits.items()
            if not any(a <= key[1] and key[2] <= b for a, b in spans)
        ]
        kept.sort(key=lambda kv: (self._order[kv[0][0]], kv[0][1]))
        if not kept:
            return []
        where = positions(frags, seps, [i for key, _ in kept for i in key[1:]])
        originals = explain.Spans(text, folded)
        matches = []
        for (word, i, j), (entry, rules) in kept:
            form = originals.original(where[i][0], where[j][1])
            all_rules = (*explain.surface_rules(form, entry.word), *rules)
            found = tuple(dict.fromkeys(all_rules)) or ("exact",)
            matches.append(Match(word, form, found, entry.action))
        return matches

    def _lookup(self, token: str) -> tuple[list[tuple[Entry, tuple[str, ...]]], bool]:
        """The entries a text word is a form of, with the rules, and whether a phrase may start
        at it (cached: words repeat)."""
        cached = self._cache.get(token)
        if cached is None:
            cached = self._cache[token] = self._lookup_uncached(token)
            if cached[0] or cached[1]:
                self._interesting.add(token)
        return cached

    def _lookup_uncached(self, token: str) -> tuple[list[tuple[Entry, tuple[str, ...]]], bool]:
        found: list[tuple[Entry, tuple[str, ...]]] = []
        if token[0] < "\u0600":
            found += self._arabizi_found(token)
        key = collapse(token)
        if not may_match(key, self._all_keys):  # the common case: one test for both
            return found, False
        if may_match(key, self._keys):
            found += self._targets(variants(token))
        return found, bool(self._first_keys) and may_match(key, self._first_keys)

    def _arabizi_found(self, token: str) -> list[tuple[Entry, tuple[str, ...]]]:
        """The listed word a Latin word reads as, when the reading is sure (or may be, in
        context: marked _UNSURE); never "my ..." of an ambiguous reading (kalbi)."""
        reading = self._arabizi.find(token)
        if reading is None:
            return []
        entry, rules = self._arabizi_entries[reading.word]
        if not readings.ambiguous(reading, self._listed_keys):
            return [(entry, rules)]
        if readings.mine(reading):
            return []
        if readings.addressed(reading):
            return [(entry, (*rules, "addressed"))]
        return [(entry, (*rules, _UNSURE))]

    def _lookup_spelled(self, token: str) -> list[tuple[Entry, tuple[str, ...]]]:
        """A word spelled across separators: the letters as they are, no clitic cut inside
        (in Latin letters, also as Arabizi: k.a.l.b)."""
        key = collapse(token)
        found = self._targets([(runs(token), ())]) if key in self._keys else []
        reading = self._arabizi.find(token) if token[0] < "\u0600" else None
        return found if reading is None else [*found, self._arabizi_entries[reading.word]]

    def _targets(
        self, forms: Sequence[tuple[Runs, tuple[str, ...]]]
    ) -> list[tuple[Entry, tuple[str, ...]]]:
        found = []
        for (key, counts), rules in forms:
            for target in self._index.get(key, ()):
                if enough(counts, target.counts):
                    extra = ("repeated_letters",) if counts != target.counts else ()
                    found.append((target.entry, (*rules, *target.rules, *extra)))
        return found

    def _phrases_at(self, frags: Sequence[str], i: int) -> Iterable[tuple[Entry, int]]:
        """Listed phrases whose words start at fragment i."""
        first = {key for (key, _), _ in variants(frags[i])}
        for key in first & self._first_keys:
            for entry, parts in self._phrases[key]:
                if i + len(parts) <= len(frags) and all(
                    any(k == pk and enough(c, pc) for (k, c), _ in variants(frag))
                    for frag, (pk, pc) in zip(frags[i : i + len(parts)], parts, strict=False)
                ):
                    yield entry, i + len(parts) - 1


def _in_context(
    unsure: list[tuple[int, Entry, tuple[str, ...]]],
    frags: Sequence[str],
    hits: _Hits,
) -> None:
    """Add the ambiguous readings said to someone (ya kalb, enta 3ars) or beside a sure
    match (sharmouta kalb)."""
    sure = {i for _, i, j in hits} | {j for _, i, j in hits}
    for i, entry, rules in unsure:
        if i and frags[i - 1] in readings.ADDRESS:
            hits.setdefault((entry.word, i, i), (entry, (*rules, "addressed")))
        elif i - 1 in sure or i + 1 in sure:
            hits.setdefault((entry.word, i, i), (entry, (*rules, "next_to_listed")))


@lru_cache(maxsize=32)
def compile_list(entries: tuple[Entry, ...], allowed: tuple[str, ...] = ()) -> WordList:
    """The compiled list for a policy's entries (cached: policies change rarely)."""
    return WordList(entries, allowed)


def match_words(text: str, words: Iterable[str]) -> list[str]:
    """The listed words or phrases (as given, in list order) found in text."""
    found = compile_list(tuple(Entry(w) for w in dict.fromkeys(words))).find(text)
    return list(dict.fromkeys(m.word for m in found))


def moderation_key(word: str) -> str:
    """The folded word with every run of a repeated letter collapsed to one."""
    return runs(word_key(word).replace(" ", ""))[0]


def moderation_forms(text: str) -> set[str]:
    """Every match key of every word in text (each word and its clitic-stripped forms)."""
    return {
        key
        for m in FRAGMENT_RE.finditer(fold(text))
        for (key, _), _ in variants(fragment_text(m.group()))
    }

"""The exact incremental part of the related engine: every article's ranked head and list.

Each entry keeps an exact prefix of its ranking (`ranked`, `depth` long at least, or all of
it: `complete`) and the list chosen from it (`related`: walk the ranking, skip near-duplicates,
stop at `k`). Adding an article scores it against every row once (candidates.py) and touches
only the heads it enters; removing one drops it from the heads holding it (`_holders`). A head
that ran short is deepened from a fresh scoring, so a list never depends on the order of
events.
"""

from __future__ import annotations

from bisect import insort
from collections import defaultdict

import numpy as np

from services.related import bulk
from services.related.candidates import Candidates
from services.related.entries import Chosen, Entry, Ranked

Before = dict[str, Chosen | None]  # the lists of the articles a change touches, before it


class Rankings:
    """The indexed entries, who holds whom in a ranked head, and the ids whose state moved."""

    def __init__(self, candidates: Candidates, *, k: int, depth: int, duplicate_dot: float):
        self.candidates, self.k, self.depth, self.duplicate_dot = (
            candidates,
            k,
            depth,
            duplicate_dot,
        )
        self.entries: dict[str, Entry] = {}
        self.dirty: set[str] = set()  # ids whose exported state changed, or that were removed
        self._holders: defaultdict[str, set[str]] = defaultdict(set)

    def put(self, aid: str, entry: Entry) -> set[str]:
        """Index or re-index an article; return the ids whose lists changed."""
        old = self.entries.get(aid)
        if old is not None and old.same_inputs(entry):
            if old.surfaces != entry.surfaces:  # only the spelling shown in reasons moved
                old.surfaces = entry.surfaces
                self.dirty.add(aid)
            return set()
        before: Before = {}
        if old is not None:
            self._remove(aid, before)
        else:
            before[aid] = None
        self._add(aid, entry, before)
        return self._settle(before)

    def remove(self, aid: str) -> set[str]:
        """Drop an article; return it and the ids whose lists changed."""
        if aid not in self.entries:
            return set()
        before: Before = {}
        self._remove(aid, before)
        return self._settle(before)

    def rank_all(self, new: dict[str, Entry]) -> None:
        """Index entries into an empty ranking, all at once in row blocks (bulk.py)."""
        for aid, entry in new.items():
            self.entries[aid] = entry
            self.candidates.add(aid, entry)
        ids, entries = list(new), list(new.values())
        dense, query = (
            self.candidates.dense_rows(ids) if self.candidates.table.dims else (None, None)
        )
        rows = bulk.rank_all(
            ids,
            [e.vector for e in entries],
            dense,
            query,
            [e.category for e in entries],
            [e.published for e in entries],
            formula=self.candidates.formula,
            depth=self.depth,
            min_score=self.candidates.min_score,
            duplicate_dot=self.duplicate_dot,
        )
        for aid, entry, row in zip(ids, entries, rows, strict=True):
            entry.ranked, entry.complete, entry.dups = row.ranked, row.complete, row.dups
            for _, other in row.ranked:
                self._holders[other].add(aid)
        for aid in ids:
            self._derive(aid)

    def load(self, aid: str, entry: Entry) -> None:
        """Take an entry with its ranking state as exported (every entry is loaded the same)."""
        self.entries[aid] = entry
        self.candidates.add(aid, entry)
        self.candidates.set_floor(aid, entry)
        for _, other in entry.ranked:
            self._holders[other].add(aid)

    def full_ranking(self, aid: str) -> Ranked:
        rows, scores, _ = self.candidates.scores(aid, self.entries[aid])
        return self.candidates.top(rows, scores, len(rows))

    def _add(self, aid: str, entry: Entry, before: Before) -> None:
        """Index an article: its own ranked head, and its place in the heads it enters."""
        self.entries[aid] = entry
        self.candidates.add(aid, entry)
        (rows, scores, lex), (holders, held) = self.candidates.both_ways(aid, entry)
        table = self.candidates.table
        for r in np.flatnonzero(lex >= self.duplicate_dot) if len(rows) else ():
            oid: str = table.ids[rows[r]]  # type: ignore[assignment]
            entry.dups.add(oid)
            self.entries[oid].dups.add(aid)
            self.dirty.add(oid)
        enter = held >= table.floor[holders]
        for row, score in zip(holders[enter], held[enter], strict=True):
            self._enter(aid, table.ids[row], float(score), before)  # type: ignore[arg-type]
        entry.ranked = self.candidates.top(rows, scores, self.depth)
        entry.complete = len(rows) <= self.depth
        for _, oid in entry.ranked:
            self._holders[oid].add(aid)

    def _enter(self, aid: str, oid: str, score: float, before: Before) -> None:
        """Put `aid` into the ranked head of `oid` when it belongs there."""
        other = self.entries[oid]
        key = (-score, aid)
        if other.complete or (other.ranked and key < other.ranked[-1]):
            before.setdefault(oid, other.related)
            cap = max(self.depth, len(other.ranked))
            insort(other.ranked, key)
            self._holders[aid].add(oid)
            if len(other.ranked) > cap:
                self._holders[other.ranked.pop()[1]].discard(oid)
                other.complete = False

    def _remove(self, aid: str, before: Before) -> None:
        """Unindex an article and take it out of every ranked head holding it."""
        entry = self.entries.pop(aid)
        before.setdefault(aid, entry.related)
        self.candidates.drop(aid, entry)
        for oid in entry.dups:
            self.entries[oid].dups.discard(aid)
            self.dirty.add(oid)
        for _, oid in entry.ranked:
            self._holders[oid].discard(aid)
        for oid in self._holders.pop(aid, set()):
            other = self.entries[oid]
            before.setdefault(oid, other.related)
            other.ranked = [item for item in other.ranked if item[1] != aid]

    def _settle(self, before: Before) -> set[str]:
        """Choose the lists of every touched article again; return the ids whose list moved."""
        changed = set()
        self.dirty.update(before)
        for aid, old in before.items():
            if aid in self.entries:
                self._derive(aid)
                if self.entries[aid].related != old:
                    changed.add(aid)
            elif old is not None:
                changed.add(aid)
        return changed

    def _derive(self, aid: str) -> None:
        """Choose an article's list from its ranked head, deepening the head when it ran short."""
        entry = self.entries[aid]
        chosen, walked = self._walk(entry, entry.ranked)
        if len(chosen) < self.k and not entry.complete:
            rows, scores, _ = self.candidates.scores(aid, entry)
            limit = 2 * self.depth
            while True:
                ranking = self.candidates.top(rows, scores, limit)
                chosen, walked = self._walk(entry, ranking)
                if len(chosen) == self.k or len(ranking) == len(rows):
                    break
                limit *= 4
            for _, oid in entry.ranked:
                self._holders[oid].discard(aid)
            entry.ranked = ranking[: max(self.depth, walked)]
            entry.complete = len(entry.ranked) == len(rows)
            for _, oid in entry.ranked:
                self._holders[oid].add(aid)
        entry.related = chosen
        self.candidates.set_floor(aid, entry)

    def _walk(self, entry: Entry, ranking: Ranked) -> tuple[Chosen, int]:
        """Take items in ranking order, skipping near-duplicates; also say how far it walked."""
        chosen: Chosen = []
        taken: set[str] = set()
        walked = 0
        for neg, oid in ranking:
            walked += 1
            if oid in entry.dups or not self.entries[oid].dups.isdisjoint(taken):
                continue
            chosen.append((oid, -neg))
            taken.add(oid)
            if len(chosen) == self.k:
                break
        return chosen, walked

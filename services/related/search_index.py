"""The search index in MongoDB: one postings document per term, kept current by article events.

- `search_terms`: {_id: "term|bucket", p: {article_id: [title tf, body tf, article length]}}:
  a term's postings split in BUCKETS documents by a hash of the article id, so an article's
  write rewrites small documents even for the commonest terms; a query reads the documents of
  its terms (by _id), so its cost follows the query, not the corpus.
- `search_docs`: {_id: article_id, version, terms, len, card, text} (a removed article keeps a
  tombstone with its version, so a late older event cannot bring it back).
- `search_meta`: {_id: "stats", n, total_len} for BM25.

Every change is written in the transaction that records the event as processed (the related
service's inbox), so an event changes the index exactly once.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from services.related import domain, search
from shared import mongo
from shared.events import ArticleSnapshot, block_text

TERMS, DOCS, META = "search_terms", "search_docs", "search_meta"
STATS = "stats"
BUCKETS = 16
Document = dict[str, Any]  # a MongoDB document as the driver gives it


def bucket(article_id: str) -> int:
    """The postings bucket of an article (stable across processes)."""
    return int.from_bytes(hashlib.blake2b(article_id.encode(), digest_size=2).digest()) % BUCKETS


def term_key(term: str, part: int) -> str:
    return f"{term}|{part}"


def search_doc(snapshot: ArticleSnapshot, version: int) -> Document:
    """What the index keeps of a published article."""
    body = "\n".join(filter(None, (block_text(b) for b in snapshot.body)))
    summary = snapshot.summary.strip()
    text = "\n".join(filter(None, [summary, body, " ".join(snapshot.tags)]))
    terms, length = search.doc_terms(snapshot.title, text)
    return {
        "_id": snapshot.id,
        "version": version,
        "status": domain.PUBLISHED,
        "terms": {t: list(tf) for t, tf in terms.items()},
        "len": length,
        "card": domain.card(snapshot),
        "text": body or summary,
    }


class SearchIndex:
    """The search collections of one database, and a cache of the postings queries read."""

    def __init__(self, db: mongo.Database, cache: PostingsCache | None = None) -> None:
        self.db = db
        self.cache = cache or PostingsCache()

    async def apply(
        self,
        session: mongo.Session | None,
        *,
        article_id: str,
        version: int,
        snapshot: ArticleSnapshot | None,
    ) -> bool:
        """Index a published snapshot (None: remove the article); False when the version is old."""
        db = self.db
        held: Document | None = await db[DOCS].find_one({"_id": article_id}, session=session)
        if held is not None and int(held["version"]) >= version:
            return False
        new = search_doc(snapshot, version) if snapshot is not None else None
        ops = _posting_changes(article_id, held, new)
        if ops:
            await db[TERMS].bulk_write(ops, ordered=False, session=session)
        was_in, now_in = _indexed(held), new is not None
        delta_len = (new or {}).get("len", 0.0) - ((held or {}).get("len", 0.0) if was_in else 0.0)
        await db[META].update_one(
            {"_id": STATS},
            {"$inc": {"n": int(now_in) - int(was_in), "total_len": delta_len, "version": 1}},
            upsert=True,
            session=session,
        )
        stored = new or {"_id": article_id, "version": version, "status": "removed"}
        await db[DOCS].replace_one({"_id": article_id}, stored, upsert=True, session=session)
        return True

    async def corpus(self) -> tuple[search.Corpus, int]:
        """The BM25 statistics and the index version (it changes with every write)."""
        meta = await self.db[META].find_one({"_id": STATS}) or {}
        n = int(meta.get("n", 0))
        avg_len = float(meta.get("total_len", 0.0)) / n if n else 0.0
        return search.Corpus(n_docs=n, avg_len=avg_len), int(meta.get("version", 0))

    async def postings(
        self, terms: list[str], version: int
    ) -> dict[str, dict[str, search.Posting]]:
        """term -> article id -> (title tf, body tf, length), through the cache."""
        return await self.cache.get(self._read_postings, terms, version)

    async def _read_postings(self, terms: list[str]) -> dict[str, dict[str, search.Posting]]:
        found: dict[str, dict[str, search.Posting]] = {t: {} for t in terms}
        keys = [term_key(t, part) for t in terms for part in range(BUCKETS)]
        async for doc in self.db[TERMS].find({"_id": {"$in": keys}}):
            term = doc["_id"].rsplit("|", 1)[0]
            found[term].update((a, (p[0], p[1], p[2])) for a, p in (doc.get("p") or {}).items())
        return found

    async def shown(self, ids: list[str]) -> dict[str, Document]:
        """id -> {card, text} of indexed articles."""
        query = {"_id": {"$in": ids}, "status": domain.PUBLISHED}
        return {d["_id"]: d async for d in self.db[DOCS].find(query, {"card": 1, "text": 1})}

    async def is_empty(self) -> bool:
        return await self.db[META].find_one({"_id": STATS}) is None

    async def backfill(self, published: list[Document]) -> int:
        """Index articles the related index already holds (a deployment older than search)."""
        snapshots = [(snapshot_of_related_doc(d), int(d["version"])) for d in published]
        return await self.bulk_load(snapshots)

    async def bulk_load(
        self, snapshots: list[tuple[ArticleSnapshot, int]], batch: int = 1000
    ) -> int:
        """Fill an empty index in bulk (postings assembled in memory, written once per term)."""
        docs = [search_doc(snapshot, version) for snapshot, version in snapshots]
        postings: dict[str, dict[str, list[float]]] = {}
        for doc in docs:
            part = bucket(doc["_id"])
            for term, tf in doc["terms"].items():
                postings.setdefault(term_key(term, part), {})[doc["_id"]] = [*tf, doc["len"]]
        terms = [{"_id": t, "p": p} for t, p in sorted(postings.items())]
        for start in range(0, len(terms), batch):
            await self.db[TERMS].insert_many(terms[start : start + batch], ordered=False)
        for start in range(0, len(docs), batch):
            await self.db[DOCS].insert_many(docs[start : start + batch], ordered=False)
        total = sum(d["len"] for d in docs)
        await self.db[META].update_one(
            {"_id": STATS},
            {"$inc": {"n": len(docs), "total_len": total, "version": 1}},
            upsert=True,
        )
        return len(docs)


def _posting_changes(article_id: str, held: Document | None, new: Document | None) -> list[Any]:
    """The postings writes that take an article from its held terms to its new ones."""
    old_terms = (held or {}).get("terms") or {}
    new_terms = (new or {}).get("terms") or {}
    part = bucket(article_id)
    ops: list[Any] = [
        mongo.UpdateOne({"_id": term_key(t, part)}, {"$unset": {f"p.{article_id}": ""}})
        for t in sorted(old_terms.keys() - new_terms.keys())
    ]
    if new is not None:
        ops += [
            mongo.UpdateOne(
                {"_id": term_key(t, part)},
                {"$set": {f"p.{article_id}": [*tf, new["len"]]}},
                upsert=True,
            )
            for t, tf in sorted(new_terms.items())
        ]
    return ops


def _indexed(doc: Document | None) -> bool:
    return doc is not None and doc.get("status") == domain.PUBLISHED


PostingsReader = Callable[[list[str]], Awaitable[dict[str, dict[str, search.Posting]]]]


class PostingsCache:
    """Postings of recently queried terms, valid while the index version is unchanged (any
    write moves it), so a popular query costs one small read instead of its terms' documents."""

    def __init__(self, max_terms: int = 2000) -> None:
        self.max_terms = max_terms
        self.version = -1
        self.terms: OrderedDict[str, dict[str, search.Posting]] = OrderedDict()

    async def get(
        self, read: PostingsReader, terms: list[str], version: int
    ) -> dict[str, dict[str, search.Posting]]:
        if version != self.version:
            self.terms.clear()
            self.version = version
        missing = [t for t in terms if t not in self.terms]
        if missing:
            self.terms.update(await read(missing))
        for term in terms:
            self.terms.move_to_end(term)
        while len(self.terms) > self.max_terms:
            self.terms.popitem(last=False)
        return {t: self.terms[t] for t in terms}


def snapshot_of_related_doc(doc: Document) -> ArticleSnapshot:
    """An article snapshot rebuilt from a related doc's engine input and card."""
    data, card = doc["input"], domain.card_of(doc)
    return ArticleSnapshot.model_validate(
        {
            **card,
            "summary": data.get("summary") or "",
            "excerpt": card.get("summary") or "",
            "body": [
                {"type": "paragraph", "text": p}
                for p in str(data.get("body") or "").split("\n")
                if p
            ],
            "tags": data.get("tags") or [],
            "status": domain.PUBLISHED,
            "version": int(doc["version"]),
        }
    )

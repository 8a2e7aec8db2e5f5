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
from typing import Any

from services.related import domain, search
from shared import mongo
from shared.events import ArticleSnapshot, block_text

TERMS, DOCS, META = "search_terms", "search_docs", "search_meta"
STATS = "stats"
BUCKETS = 16
Doc = dict[str, Any]


def bucket(article_id: str) -> int:
    """The postings bucket of an article (stable across processes)."""
    return int.from_bytes(hashlib.blake2b(article_id.encode(), digest_size=2).digest()) % BUCKETS


def term_key(term: str, part: int) -> str:
    return f"{term}|{part}"


def search_doc(snapshot: ArticleSnapshot, version: int) -> Doc:
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


async def apply(
    db: mongo.Database,
    session: mongo.Session | None,
    *,
    article_id: str,
    version: int,
    snapshot: ArticleSnapshot | None,
) -> bool:
    """Index a published snapshot (None: remove the article); False when the version is old."""
    held: Doc | None = await db[DOCS].find_one({"_id": article_id}, session=session)
    if held is not None and int(held["version"]) >= version:
        return False
    old_terms = (held or {}).get("terms") or {}
    new = search_doc(snapshot, version) if snapshot is not None else None
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


def _indexed(doc: Doc | None) -> bool:
    return doc is not None and doc.get("status") == domain.PUBLISHED


async def corpus(db: mongo.Database) -> tuple[search.Corpus, int]:
    """The BM25 statistics and the index version (it changes with every write)."""
    meta = await db[META].find_one({"_id": STATS}) or {}
    n = int(meta.get("n", 0))
    stats = search.Corpus(n_docs=n, avg_len=float(meta.get("total_len", 0.0)) / n if n else 0.0)
    return stats, int(meta.get("version", 0))


class PostingsCache:
    """Postings of recently queried terms, valid while the index version is unchanged (any
    write moves it), so a popular query costs one small read instead of its terms' documents."""

    def __init__(self, max_terms: int = 2000) -> None:
        self.max_terms = max_terms
        self.version = -1
        self.terms: OrderedDict[str, dict[str, search.Posting]] = OrderedDict()

    async def get(
        self, db: mongo.Database, terms: list[str], version: int
    ) -> dict[str, dict[str, search.Posting]]:
        if version != self.version:
            self.terms.clear()
            self.version = version
        missing = [t for t in terms if t not in self.terms]
        if missing:
            self.terms.update(await postings(db, missing))
        for term in terms:
            self.terms.move_to_end(term)
        while len(self.terms) > self.max_terms:
            self.terms.popitem(last=False)
        return {t: self.terms[t] for t in terms}


async def postings(db: mongo.Database, terms: list[str]) -> dict[str, dict[str, search.Posting]]:
    """term -> article id -> (title tf, body tf, length), for the given terms."""
    found: dict[str, dict[str, search.Posting]] = {t: {} for t in terms}
    keys = [term_key(t, part) for t in terms for part in range(BUCKETS)]
    async for doc in db[TERMS].find({"_id": {"$in": keys}}):
        term = doc["_id"].rsplit("|", 1)[0]
        found[term].update((a, (p[0], p[1], p[2])) for a, p in (doc.get("p") or {}).items())
    return found


async def shown(db: mongo.Database, ids: list[str]) -> dict[str, Doc]:
    """id -> {card, text} of indexed articles."""
    cursor = db[DOCS].find(
        {"_id": {"$in": ids}, "status": domain.PUBLISHED}, {"card": 1, "text": 1}
    )
    return {d["_id"]: d async for d in cursor}


async def is_empty(db: mongo.Database) -> bool:
    return await db[META].find_one({"_id": STATS}) is None


async def backfill(db: mongo.Database, published: list[Doc]) -> int:
    """Index articles the related index already holds (a deployment older than search)."""
    snapshots = [(snapshot_of_related_doc(d), int(d["version"])) for d in published]
    return await bulk_load(db, snapshots)


async def bulk_load(
    db: mongo.Database, snapshots: list[tuple[ArticleSnapshot, int]], batch: int = 1000
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
        await db[TERMS].insert_many(terms[start : start + batch], ordered=False)
    for start in range(0, len(docs), batch):
        await db[DOCS].insert_many(docs[start : start + batch], ordered=False)
    total = sum(d["len"] for d in docs)
    await db[META].update_one(
        {"_id": STATS}, {"$inc": {"n": len(docs), "total_len": total, "version": 1}}, upsert=True
    )
    return len(docs)


def snapshot_of_related_doc(doc: Doc) -> ArticleSnapshot:
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

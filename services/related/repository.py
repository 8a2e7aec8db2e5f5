"""Collections of the related service: the index (docs, lists, meta, stats, basis) and the jobs.

- `docs`: one per article ever seen (published ones carry the engine input; tombstones stay).
- `lists`: what GET /articles/{id}/related reads, one per published article.
- `meta`: one document, the index sequence, its epoch and the index lease.
- `stats`, `basis`: the frozen corpus statistics and semantic basis of an epoch, in parts.
- `rebuild_jobs`: a rebuild's state and progress.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from datetime import datetime
from typing import Any, TypeVar

from services.related.semantic import Basis
from shared import mongo

DOCS, LISTS, META, STATS, BASIS, JOBS = "docs", "lists", "meta", "stats", "basis", "rebuild_jobs"
INDEX = "index"  # _id of the one meta document
STATS_CHUNK = 20_000  # terms per stats document (BSON documents are capped at 16 MB)
Document = dict[str, Any]  # a MongoDB document as the driver gives it
Session = mongo.Session | None
T = TypeVar("T")


class IndexRepository:
    """The related index in MongoDB; every method takes an optional transaction session."""

    def __init__(self, db: mongo.Database) -> None:
        self.db = db

    async def ensure_indexes(self) -> None:
        """Every query below has its index."""
        db = self.db
        await db[DOCS].create_indexes(
            [
                mongo.IndexModel([(key, mongo.ASCENDING)])
                for key in ("seq", "status", "slug", "slugs")
            ]
        )
        await db[LISTS].create_indexes([mongo.IndexModel([("members", mongo.ASCENDING)])])
        await db[STATS].create_indexes(
            [mongo.IndexModel([("epoch", mongo.ASCENDING), ("part", mongo.ASCENDING)])]
        )
        # Older versions released the lease as `lease: null`; the fenced lease sets subfields.
        await db[META].update_one(
            {"_id": INDEX, "lease": {"$type": "null"}}, {"$unset": {"lease": ""}}
        )

    async def transaction(self, work: Callable[[mongo.Session], Coroutine[Any, Any, T]]) -> T:
        return await mongo.transaction(self.db.client, work)

    # --- meta: the index sequence, its epoch and the index lease ----------------------------

    async def get_meta(self, session: Session = None) -> Document:
        """The meta document (seq 0, epoch 0 before the first write)."""
        doc = await self.db[META].find_one({"_id": INDEX}, session=session)
        return doc or {"_id": INDEX, "seq": 0, "epoch": 0, "lease": None}

    async def bump_seq(self, session: mongo.Session, extra: Document | None = None) -> Document:
        """Take the next sequence number; the write serializes index changes across replicas."""
        update: Document = {"$inc": {"seq": 1}}
        if extra:
            update["$set"] = extra
        doc = await self.db[META].find_one_and_update(
            {"_id": INDEX},
            update,
            upsert=True,
            session=session,
            return_document=mongo.ReturnDocument.AFTER,
        )
        doc.setdefault("epoch", 0)
        return dict(doc)

    # --- docs: one per article ever seen --------------------------------------------------

    async def get_doc(self, article_id: str, session: Session = None) -> Document | None:
        result: Document | None = await self.db[DOCS].find_one({"_id": article_id}, session=session)
        return result

    async def id_of_slug(self, slug: str) -> str | None:
        """The published article whose current (else any former) slug this is."""
        for field in ("slug", "slugs"):
            doc = await self.db[DOCS].find_one({field: slug, "status": "published"}, {"_id": 1})
            if doc is not None:
                return str(doc["_id"])
        return None

    async def get_docs(self, ids: Iterable[str], session: Session = None) -> list[Document]:
        return await self.db[DOCS].find({"_id": {"$in": list(ids)}}, session=session).to_list(None)

    async def docs_between(self, after: int, upto: int, session: Session = None) -> list[Document]:
        """Docs changed by index writes with after < seq <= upto, in sequence order."""
        query = {"seq": {"$gt": after, "$lte": upto}}
        return await self.db[DOCS].find(query, session=session).sort("seq", 1).to_list(None)

    async def published_docs(self, batch: int = 1000) -> list[Document]:
        """Every published doc with its engine input, names and version."""
        return await self.db[DOCS].find({"status": "published"}, batch_size=batch).to_list(None)

    async def doc_heads(self) -> dict[str, Document]:
        """id -> version, status, seq of every doc (no engine input: cheap to read)."""
        cursor = self.db[DOCS].find({}, {"version": 1, "status": 1, "seq": 1}, batch_size=1000)
        return {d["_id"]: d async for d in cursor}

    async def save_doc(self, doc: Document, session: Session = None) -> None:
        await self.db[DOCS].replace_one({"_id": doc["_id"]}, doc, upsert=True, session=session)

    async def save_docs(self, docs: list[Document], session: Session = None) -> None:
        if docs:
            ops = [mongo.ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in docs]
            await self.db[DOCS].bulk_write(ops, ordered=False, session=session)

    # --- lists: one per published article ----------------------------------------------------

    async def get_list(self, article_id: str) -> Document | None:
        result: Document | None = await self.db[LISTS].find_one({"_id": article_id})
        return result

    async def lists_containing(self, article_id: str, session: Session = None) -> dict[str, str]:
        """id -> hash of the stored lists in which an article appears."""
        cursor = self.db[LISTS].find({"members": article_id}, {"hash": 1}, session=session)
        return {d["_id"]: d.get("hash", "") async for d in cursor}

    async def list_hashes(
        self, ids: Iterable[str] | None = None, session: Session = None
    ) -> dict[str, str]:
        """id -> hash of stored lists (all of them, or the given ids)."""
        query = {} if ids is None else {"_id": {"$in": list(ids)}}
        cursor = self.db[LISTS].find(query, {"hash": 1}, session=session, batch_size=1000)
        return {d["_id"]: d.get("hash", "") async for d in cursor}

    async def write_lists(
        self, upserts: list[Document], deletes: Iterable[str], session: Session = None
    ) -> None:
        """Replace or delete lists in one bulk write."""
        ops: list[Any] = [mongo.ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in upserts]
        ops += [mongo.DeleteOne({"_id": article_id}) for article_id in deletes]
        if ops:
            await self.db[LISTS].bulk_write(ops, ordered=False, session=session)

    # --- stats and basis: the frozen snapshot of an epoch ----------------------------------

    async def clear_stats(self, epoch: int, session: Session = None) -> None:
        await self.db[STATS].delete_many({"epoch": epoch}, session=session)

    async def add_stats_part(self, part: Document, session: Session = None) -> None:
        """One of the documents `stats_parts` cut (one per write: reads go between)."""
        await self.db[STATS].insert_one(part, session=session)

    async def load_stats(self, epoch: int) -> Document | None:
        parts = await self.db[STATS].find({"epoch": epoch}).sort("part", 1).to_list(None)
        if not parts:
            return None
        df = {t: int(n) for part in parts for t, n in part["df"]}
        return {"n_docs": parts[0]["n_docs"], "avg_len": parts[0]["avg_len"], "df": df}

    async def drop_stats_except(self, epoch: int) -> None:
        await self.db[STATS].delete_many({"epoch": {"$ne": epoch}})

    async def save_basis(self, epoch: int, basis: Basis | None) -> None:
        """Store the basis of an epoch in parts (float32 bytes, read back bit for bit); no
        document for an epoch means the epoch has no basis (lexical only)."""
        await self.db[BASIS].delete_many({"epoch": epoch})
        if basis is not None:
            await self.db[BASIS].insert_many([{"epoch": epoch, **p} for p in basis.to_parts()])

    async def load_basis(self, epoch: int) -> Basis | None:
        parts = await self.db[BASIS].find({"epoch": epoch}).sort("part", 1).to_list(None)
        return Basis.from_parts(parts) if parts else None

    async def drop_basis_except(self, epoch: int) -> None:
        await self.db[BASIS].delete_many({"epoch": {"$ne": epoch}})


def stats_parts(epoch: int, stats: Document) -> list[Document]:
    """The documents of an epoch's stats, in chunks (BSON documents are capped at 16 MB)."""
    terms = sorted(stats["df"].items())
    chunks = [terms[i : i + STATS_CHUNK] for i in range(0, len(terms), STATS_CHUNK)] or [[]]
    return [
        {"epoch": epoch, "part": part, "n_docs": stats["n_docs"], "avg_len": stats["avg_len"],
         "df": [[t, n] for t, n in chunk]}
        for part, chunk in enumerate(chunks)
    ]  # fmt: skip


class JobRepository:
    """Rebuild jobs: their record, progress and heartbeat."""

    def __init__(self, db: mongo.Database) -> None:
        self.db = db

    async def ensure_indexes(self) -> None:
        await self.db[JOBS].create_indexes(
            [mongo.IndexModel([("status", mongo.ASCENDING), ("started_at", mongo.DESCENDING)])]
        )

    async def insert(self, job: Document) -> None:
        await self.db[JOBS].insert_one(job)

    async def update(self, job_id: str, fields: Document) -> None:
        await self.db[JOBS].update_one({"_id": job_id}, {"$set": fields})

    async def get(self, job_id: str) -> Document | None:
        result: Document | None = await self.db[JOBS].find_one({"_id": job_id})
        return result

    async def active(self, fresh_since: datetime) -> list[Document]:
        """Queued or running jobs whose runner showed signs of life recently."""
        query = {"status": {"$in": ["queued", "running"]}, "heartbeat_at": {"$gte": fresh_since}}
        return await self.db[JOBS].find(query).sort("started_at", -1).to_list(10)

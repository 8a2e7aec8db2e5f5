"""Collections of the related service: docs, lists, meta (sequence, epoch, lease), stats, jobs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from shared import mongo

DOCS, LISTS, META, STATS, JOBS = "docs", "lists", "meta", "stats", "rebuild_jobs"
INDEX = "index"  # _id of the one meta document
STATS_CHUNK = 20_000  # terms per stats document (BSON documents are capped at 16 MB)
Doc = dict[str, Any]


async def ensure_indexes(db: mongo.Database) -> None:
    """Every query below has its index."""
    await db[DOCS].create_indexes(
        [
            mongo.IndexModel([("seq", mongo.ASCENDING)]),
            mongo.IndexModel([("status", mongo.ASCENDING)]),
            mongo.IndexModel([("slug", mongo.ASCENDING)]),
            mongo.IndexModel([("slugs", mongo.ASCENDING)]),
        ]
    )
    await db[LISTS].create_indexes([mongo.IndexModel([("members", mongo.ASCENDING)])])
    await db[STATS].create_indexes(
        [mongo.IndexModel([("epoch", mongo.ASCENDING), ("part", mongo.ASCENDING)])]
    )
    await db[JOBS].create_indexes(
        [mongo.IndexModel([("status", mongo.ASCENDING), ("started_at", mongo.DESCENDING)])]
    )
    # Older versions released the lease as `lease: null`; the fenced lease sets subfields.
    await db[META].update_one({"_id": INDEX, "lease": {"$type": "null"}}, {"$unset": {"lease": ""}})


# --- meta: the index sequence, its epoch and the rebuild lease --------------------------------


async def get_meta(db: mongo.Database, session: mongo.Session | None = None) -> Doc:
    """The meta document (seq 0, epoch 0 before the first write)."""
    doc = await db[META].find_one({"_id": INDEX}, session=session)
    return doc or {"_id": INDEX, "seq": 0, "epoch": 0, "lease": None}


async def bump_seq(db: mongo.Database, session: mongo.Session, extra: Doc | None = None) -> Doc:
    """Take the next sequence number; the write serializes index changes across replicas."""
    update: Doc = {"$inc": {"seq": 1}}
    if extra:
        update["$set"] = extra
    doc = await db[META].find_one_and_update(
        {"_id": INDEX},
        update,
        upsert=True,
        session=session,
        return_document=mongo.ReturnDocument.AFTER,
    )
    doc.setdefault("epoch", 0)
    return dict(doc)


# --- docs: one per article ever seen (published ones carry the engine input) ----------------


async def get_doc(
    db: mongo.Database, article_id: str, session: mongo.Session | None = None
) -> Doc | None:
    result: Doc | None = await db[DOCS].find_one({"_id": article_id}, session=session)
    return result


async def id_of_slug(db: mongo.Database, slug: str) -> str | None:
    """The published article whose current (else any former) slug this is."""
    for field in ("slug", "slugs"):
        doc = await db[DOCS].find_one({field: slug, "status": "published"}, {"_id": 1})
        if doc is not None:
            return str(doc["_id"])
    return None


async def get_docs(
    db: mongo.Database, ids: Iterable[str], session: mongo.Session | None = None
) -> list[Doc]:
    return await db[DOCS].find({"_id": {"$in": list(ids)}}, session=session).to_list(None)


async def docs_between(
    db: mongo.Database, after: int, upto: int, session: mongo.Session
) -> list[Doc]:
    """Docs changed by index writes with after < seq <= upto, in sequence order."""
    cursor = db[DOCS].find({"seq": {"$gt": after, "$lte": upto}}, session=session).sort("seq", 1)
    return await cursor.to_list(None)


async def published_docs(db: mongo.Database, batch: int = 1000) -> list[Doc]:
    """Every published doc with its engine input, names and version."""
    cursor = db[DOCS].find({"status": "published"}, batch_size=batch)
    return await cursor.to_list(None)


async def doc_heads(db: mongo.Database) -> dict[str, Doc]:
    """id -> version, status, seq of every doc (no engine input: cheap to read)."""
    cursor = db[DOCS].find({}, {"version": 1, "status": 1, "seq": 1}, batch_size=1000)
    return {d["_id"]: d async for d in cursor}


async def save_doc(db: mongo.Database, doc: Doc, session: mongo.Session | None = None) -> None:
    await db[DOCS].replace_one({"_id": doc["_id"]}, doc, upsert=True, session=session)


async def save_docs(
    db: mongo.Database, docs: list[Doc], session: mongo.Session | None = None
) -> None:
    if docs:
        ops = [mongo.ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in docs]
        await db[DOCS].bulk_write(ops, ordered=False, session=session)


# --- lists: what GET /articles/{id}/related reads, one document per published article -------


async def get_list(db: mongo.Database, article_id: str) -> Doc | None:
    result: Doc | None = await db[LISTS].find_one({"_id": article_id})
    return result


async def lists_containing(
    db: mongo.Database, article_id: str, session: mongo.Session
) -> dict[str, str]:
    """id -> hash of the stored lists in which an article appears."""
    cursor = db[LISTS].find({"members": article_id}, {"hash": 1}, session=session)
    return {d["_id"]: d.get("hash", "") async for d in cursor}


async def list_hashes(
    db: mongo.Database, ids: Iterable[str] | None = None, session: mongo.Session | None = None
) -> dict[str, str]:
    """id -> hash of stored lists (all of them, or the given ids)."""
    query = {} if ids is None else {"_id": {"$in": list(ids)}}
    cursor = db[LISTS].find(query, {"hash": 1}, session=session, batch_size=1000)
    return {d["_id"]: d.get("hash", "") async for d in cursor}


async def write_lists(
    db: mongo.Database,
    upserts: list[Doc],
    deletes: Iterable[str],
    session: mongo.Session | None = None,
) -> None:
    """Replace or delete lists in one bulk write."""
    ops: list[Any] = [mongo.ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in upserts]
    ops += [mongo.DeleteOne({"_id": article_id}) for article_id in deletes]
    if ops:
        await db[LISTS].bulk_write(ops, ordered=False, session=session)


# --- stats: the frozen corpus statistics of an epoch ----------------------------------------


def stats_parts(epoch: int, stats: Doc) -> list[Doc]:
    """The documents of an epoch's stats, in chunks (BSON documents are capped at 16 MB)."""
    terms = sorted(stats["df"].items())
    chunks = [terms[i : i + STATS_CHUNK] for i in range(0, len(terms), STATS_CHUNK)] or [[]]
    return [
        {"epoch": epoch, "part": part, "n_docs": stats["n_docs"], "avg_len": stats["avg_len"],
         "df": [[t, n] for t, n in chunk]}
        for part, chunk in enumerate(chunks)
    ]  # fmt: skip


async def save_stats(
    db: mongo.Database, epoch: int, stats: Doc, session: mongo.Session | None = None
) -> None:
    """Store stats in chunks under their epoch (the previous epoch stays until dropped)."""
    await db[STATS].delete_many({"epoch": epoch}, session=session)
    await db[STATS].insert_many(stats_parts(epoch, stats), session=session)


async def load_stats(db: mongo.Database, epoch: int) -> Doc | None:
    parts = await db[STATS].find({"epoch": epoch}).sort("part", 1).to_list(None)
    if not parts:
        return None
    df = {t: int(n) for part in parts for t, n in part["df"]}
    return {"n_docs": parts[0]["n_docs"], "avg_len": parts[0]["avg_len"], "df": df}


async def drop_stats_except(db: mongo.Database, epoch: int) -> None:
    await db[STATS].delete_many({"epoch": {"$ne": epoch}})


# --- rebuild jobs ------------------------------------------------------------------------


async def insert_job(db: mongo.Database, job: Doc) -> None:
    await db[JOBS].insert_one(job)


async def update_job(db: mongo.Database, job_id: str, fields: Doc) -> None:
    await db[JOBS].update_one({"_id": job_id}, {"$set": fields})


async def get_job(db: mongo.Database, job_id: str) -> Doc | None:
    result: Doc | None = await db[JOBS].find_one({"_id": job_id})
    return result


async def active_jobs(db: mongo.Database, fresh_since: datetime) -> list[Doc]:
    """Queued or running jobs whose runner showed signs of life recently."""
    query = {"status": {"$in": ["queued", "running"]}, "heartbeat_at": {"$gte": fresh_since}}
    return await db[JOBS].find(query).sort("started_at", -1).to_list(10)

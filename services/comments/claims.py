"""The body claims (`dedup`: one document per article + author + body) of comments stored
before the claims existed, made once per database at start.

A submission does not read for a twin before its write: the claim in the write refuses it
(409, the answer the pipeline's duplicate step gives) atomically, so a read first only saved
a refused writer's transaction and cost every other writer a round trip. That holds for every
stored comment only if every stored comment has its claim: hence this backfill.
"""

from __future__ import annotations

from typing import Any

from shared import mongo

MARK = "dedup_claims"  # the settings document saying the backfill ran
BATCH = 1000


def claim_of(doc: dict[str, Any]) -> dict[str, Any]:
    """The claim a stored comment holds (the key `records.new_comment` gives it)."""
    key = f"{doc['article_id']}:{doc.get('email_hash')}:{doc['body_hash']}"
    return {"_id": key, "at": doc["created_at"]}


async def _insert(dedup: mongo.Collection, rows: list[dict[str, Any]]) -> int:
    try:
        await dedup.insert_many(rows, ordered=False)
    except mongo.BulkWriteError as exc:  # claims already held: what the backfill expects
        if any(e.get("code") != mongo.DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
            raise
        return int(exc.details.get("nInserted", 0))
    return len(rows)


async def backfill(db: mongo.Database) -> int:
    """Claim the body of every stored comment that has no claim yet; the claims added."""
    if await db["settings"].find_one({"_id": MARK}):
        return 0
    added, rows = 0, []
    fields = {"article_id": 1, "email_hash": 1, "body_hash": 1, "created_at": 1}
    async for doc in db["comments"].find({}, fields):
        rows.append(claim_of(doc))
        if len(rows) >= BATCH:
            added, rows = added + await _insert(db["dedup"], rows), []
    if rows:
        added += await _insert(db["dedup"], rows)
    await db["settings"].update_one({"_id": MARK}, {"$set": {"done": True}}, upsert=True)
    return added

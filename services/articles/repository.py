"""Collection access of the articles service and the indexes behind every query."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared import mongo
from shared.pagination import keyset_page

ARTICLES = "articles"
CATEGORIES = "categories"
SLUGS = "slugs"  # every slug an article ever had: _id = slug, so old slugs stay reserved
COMMENT_STATES = "comment_states"  # last known approval of each comment, for comment_count

Doc = dict[str, Any]
_NEWEST = [("published_at", mongo.DESCENDING), ("_id", mongo.DESCENDING)]
_CHANGED = [("updated_at", mongo.DESCENDING), ("_id", mongo.DESCENDING)]
LIST_FIELDS = {"body": 0, "source_ref": 0}


async def ensure_indexes(db: mongo.Database) -> None:
    """Create the indexes every query below relies on."""
    asc = mongo.ASCENDING
    await db[ARTICLES].create_indexes(
        [
            mongo.IndexModel([("slug", asc)], unique=True),
            mongo.IndexModel([("status", asc), *_NEWEST]),
            mongo.IndexModel([("status", asc), ("category_path", asc), *_NEWEST]),
            mongo.IndexModel([("status", asc), ("tags", asc), *_NEWEST]),
            mongo.IndexModel([("status", asc), ("publish_at", asc)]),
            mongo.IndexModel([("status", asc), ("_id", asc)]),
            mongo.IndexModel([("status", asc), *_CHANGED]),
            mongo.IndexModel([("category_path", asc), ("status", asc)]),
            mongo.IndexModel([("source_ref", asc)], unique=True, sparse=True),
        ]
    )
    await db[CATEGORIES].create_indexes(
        [
            mongo.IndexModel([("parent", asc), ("name", asc)], unique=True),
        ]
    )
    await db[SLUGS].create_indexes([mongo.IndexModel([("article_id", asc)])])


# --- articles ------------------------------------------------------------------------------


async def get(
    db: mongo.Database, article_id: str, session: mongo.Session | None = None
) -> Doc | None:
    doc: Doc | None = await db[ARTICLES].find_one({"_id": article_id}, session=session)
    return doc


async def get_by_slug(db: mongo.Database, slug: str) -> Doc | None:
    doc: Doc | None = await db[ARTICLES].find_one({"slug": slug})
    return doc


async def get_by_source(db: mongo.Database, source_ref: str) -> Doc | None:
    doc: Doc | None = await db[ARTICLES].find_one({"source_ref": source_ref})
    return doc


async def bodies(db: mongo.Database, ids: list[str]) -> dict[str, list[Doc]]:
    """id -> body of the given articles."""
    cursor = db[ARTICLES].find({"_id": {"$in": ids}}, {"body": 1})
    return {d["_id"]: d.get("body") or [] async for d in cursor}


async def insert(db: mongo.Database, doc: Doc, session: mongo.Session) -> None:
    await db[ARTICLES].insert_one(doc, session=session)


async def compare_and_set(
    db: mongo.Database, article_id: str, version: int, changes: Doc, session: mongo.Session
) -> Doc | None:
    """Apply `changes` and bump the version only if the article is still at `version`."""
    doc: Doc | None = await db[ARTICLES].find_one_and_update(
        {"_id": article_id, "version": version},
        {"$set": changes, "$inc": {"version": 1}},
        session=session,
        return_document=mongo.ReturnDocument.AFTER,
    )
    return doc


async def claim_due(db: mongo.Database, now: datetime, session: mongo.Session) -> Doc | None:
    """Atomically move one due scheduled article to published; None when none is due."""
    doc: Doc | None = await db[ARTICLES].find_one_and_update(
        {"status": "scheduled", "publish_at": {"$lte": now}},
        {
            "$set": {"status": "published", "published_at": now, "updated_at": now},
            "$unset": {"publish_at": ""},
            "$inc": {"version": 1},
        },
        session=session,
        return_document=mongo.ReturnDocument.AFTER,
    )
    return doc


async def list_published(
    db: mongo.Database,
    *,
    category: str | None,
    tag: str | None,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[Doc]:
    """Published articles newest first, after a keyset position."""
    query: Doc = {"status": "published"}
    if category:
        query["category_path"] = category
    if tag:
        query["tags"] = tag
    return await _keyset(db, query, "published_at", after, limit)


async def _keyset(
    db: mongo.Database, query: Doc, field: str, after: tuple[datetime, str] | None, limit: int
) -> list[Doc]:
    """Newest `field` first (ties by id), after a keyset position (index-served ranges)."""
    order = ((field, mongo.DESCENDING), ("_id", mongo.DESCENDING))
    return await keyset_page(db[ARTICLES], query, order, after, limit, projection=LIST_FIELDS)


async def count_in_category(db: mongo.Database, slug: str) -> int:
    live = ["draft", "scheduled", "published", "unpublished", "archived"]
    query = {"category_path": slug, "status": {"$in": live}}  # $in, unlike $ne, uses the index
    return int(await db[ARTICLES].count_documents(query))


# --- slugs ---------------------------------------------------------------------------------


async def slug_owner(db: mongo.Database, slug: str) -> str | None:
    """The article that holds (or once held) `slug`."""
    doc = await db[SLUGS].find_one({"_id": slug})
    return str(doc["article_id"]) if doc else None


async def reserve_slug(
    db: mongo.Database, slug: str, article_id: str, session: mongo.Session
) -> None:
    """Reserve `slug` for the article; DuplicateKeyError when another article took it."""
    if await db[SLUGS].find_one({"_id": slug, "article_id": article_id}, session=session):
        return
    await db[SLUGS].insert_one({"_id": slug, "article_id": article_id}, session=session)


# --- categories ----------------------------------------------------------------------------


async def get_category(
    db: mongo.Database, slug: str, session: mongo.Session | None = None
) -> Doc | None:
    doc: Doc | None = await db[CATEGORIES].find_one({"_id": slug}, session=session)
    return doc


async def find_category(db: mongo.Database, *, name: str, parent: str | None) -> Doc | None:
    doc: Doc | None = await db[CATEGORIES].find_one({"parent": parent, "name": name})
    return doc


async def insert_category(db: mongo.Database, doc: Doc) -> None:
    await db[CATEGORIES].insert_one(doc)


async def list_categories(db: mongo.Database) -> list[Doc]:
    docs: list[Doc] = await db[CATEGORIES].find({}).sort("path", mongo.ASCENDING).to_list(None)
    return docs


async def has_children(db: mongo.Database, slug: str) -> bool:
    return await db[CATEGORIES].find_one({"parent": slug}) is not None


async def delete_category(db: mongo.Database, slug: str) -> bool:
    result = await db[CATEGORIES].delete_one({"_id": slug})
    return bool(result.deleted_count)


# --- comment counts ------------------------------------------------------------------------


async def comment_state(db: mongo.Database, comment_id: str, session: mongo.Session) -> Doc | None:
    doc: Doc | None = await db[COMMENT_STATES].find_one({"_id": comment_id}, session=session)
    return doc


async def save_comment_state(db: mongo.Database, state: Doc, session: mongo.Session) -> None:
    await db[COMMENT_STATES].replace_one({"_id": state["_id"]}, state, upsert=True, session=session)


async def add_comments(
    db: mongo.Database, article_id: str, delta: int, session: mongo.Session
) -> None:
    """Change comment_count by delta, never below zero (no version bump: not editorial)."""
    query: Doc = {"_id": article_id}
    if delta < 0:
        query["comment_count"] = {"$gte": -delta}
    await db[ARTICLES].update_one(query, {"$inc": {"comment_count": delta}}, session=session)


async def published_by_id(db: mongo.Database, *, after: str | None, limit: int) -> list[Doc]:
    """Full published documents in id order, after a keyset position (for exports)."""
    query: Doc = {"status": "published"}
    if after:
        query["_id"] = {"$gt": after}
    docs: list[Doc] = await db[ARTICLES].find(query).sort("_id", 1).limit(limit).to_list(limit)
    return docs


async def count_published(db: mongo.Database) -> int:
    return int(await db[ARTICLES].count_documents({"status": "published"}))


async def list_by_status(
    db: mongo.Database, *, status: str, after: tuple[datetime, str] | None, limit: int
) -> list[Doc]:
    """The editors' worklist: articles in one status, most recently changed first."""
    return await _keyset(db, {"status": status}, "updated_at", after, limit)

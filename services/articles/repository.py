"""Collection access of the articles service (`ArticleRepository`: every method takes an optional
session, the unit of work's transaction), the indexes behind every query, the keyset lists."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any

from services.articles import tags
from services.articles.domain import Doc
from shared import mongo
from shared.pagination import keyset_page

ARTICLES = "articles"
CATEGORIES = "categories"
SLUGS = "slugs"  # every slug an article ever had: _id = slug, so old slugs stay reserved
COMMENT_STATES = "comment_states"  # last known approval of each comment, for comment_count

Session = mongo.Session | None
Keyset = tuple[datetime, str]  # (timestamp, id) of the last item of the page before
_NEWEST = [("published_at", mongo.DESCENDING), ("_id", mongo.DESCENDING)]
_CHANGED = [("updated_at", mongo.DESCENDING), ("_id", mongo.DESCENDING)]
LIST_FIELDS = {"body": 0, "source_ref": 0}
LIVE = ["draft", "scheduled", "published", "unpublished", "archived"]  # every status but deleted


class ArticleRepository:
    """Articles, their slugs, categories, tag counts and comment states in one database."""

    def __init__(self, db: mongo.Database) -> None:
        self.db = db

    async def ensure_indexes(self) -> None:
        """Create the indexes every query relies on."""
        asc = mongo.ASCENDING
        await self.db[ARTICLES].create_indexes(
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
        await self.db[CATEGORIES].create_indexes(
            [mongo.IndexModel([("parent", asc), ("name", asc)], unique=True)]
        )
        await self.db[SLUGS].create_indexes([mongo.IndexModel([("article_id", asc)])])
        await tags.ensure_indexes(self.db)

    async def _one(self, collection: str, query: Doc, session: Session) -> Doc | None:
        doc: Doc | None = await self.db[collection].find_one(query, session=session)
        return doc

    # --- articles --------------------------------------------------------------------------

    async def get(self, article_id: str, session: Session = None) -> Doc | None:
        return await self._one(ARTICLES, {"_id": article_id}, session)

    async def get_by_slug(self, slug: str, session: Session = None) -> Doc | None:
        return await self._one(ARTICLES, {"slug": slug}, session)

    async def get_by_source(self, source_ref: str, session: Session = None) -> Doc | None:
        return await self._one(ARTICLES, {"source_ref": source_ref}, session)

    async def bodies(self, ids: list[str], session: Session = None) -> dict[str, list[Doc]]:
        """id -> body of the given articles."""
        cursor = self.db[ARTICLES].find({"_id": {"$in": ids}}, {"body": 1}, session=session)
        return {d["_id"]: d.get("body") or [] async for d in cursor}

    async def insert(self, doc: Doc, session: Session = None) -> None:
        await self.db[ARTICLES].insert_one(doc, session=session)

    async def compare_and_set(
        self, article_id: str, version: int, changes: Doc, session: Session = None
    ) -> Doc | None:
        """Apply `changes` and bump the version only if the article is still at `version`."""
        return await mongo.update_and_read(
            self.db[ARTICLES],
            {"_id": article_id, "version": version},
            {"$set": changes, "$inc": {"version": 1}},
            session=session,
        )

    async def claim_due(self, now: datetime, session: Session = None) -> Doc | None:
        """Atomically move one due scheduled article to published; None when none is due.

        The due article is found on the (status, publish_at) index, then claimed by id while
        still scheduled: two replicas claiming it conflict, and the loser finds it no longer
        scheduled (no findAndModify in a transaction: see mongo.update_and_read)."""
        due = {"status": "scheduled", "publish_at": {"$lte": now}}
        found = await self.db[ARTICLES].find_one(due, {"_id": 1}, session=session)
        if found is None:
            return None
        return await mongo.update_and_read(
            self.db[ARTICLES],
            {"_id": found["_id"], "status": "scheduled"},
            {
                "$set": {"status": "published", "published_at": now, "updated_at": now},
                "$unset": {"publish_at": ""},
                "$inc": {"version": 1},
            },
            session=session,
        )

    async def list_published(
        self, *, category: str | None, tag: str | None, after: Keyset | None, limit: int
    ) -> list[Doc]:
        """Published articles newest first (without bodies), after a keyset position."""
        return await list_published(self.db, category=category, tag=tag, after=after, limit=limit)

    async def list_by_status(self, *, status: str, after: Keyset | None, limit: int) -> list[Doc]:
        """Articles in one status, most recently changed first (without bodies)."""
        return await list_by_status(self.db, status=status, after=after, limit=limit)

    async def published_by_id(self, *, after: str | None, limit: int) -> list[Doc]:
        return await published_by_id(self.db, after=after, limit=limit)

    async def count_published(self) -> int:
        return await count_published(self.db)

    async def changed(self, *, since: datetime | None, ids: list[str] | None) -> AsyncIterator[Doc]:
        """Articles in id order: the given `ids`, else every one changed since `since`."""
        query: Doc = {"_id": {"$in": ids}} if ids else {"updated_at": {"$gte": since}}
        async for doc in self.db[ARTICLES].find(query).sort("_id", 1):
            yield doc

    async def count_in_category(self, slug: str, session: Session = None) -> int:
        query = {"category_path": slug, "status": {"$in": LIVE}}  # $in, unlike $ne, uses the index
        return int(await self.db[ARTICLES].count_documents(query, session=session))

    # --- slugs ------------------------------------------------------------------------------

    async def slug_owner(self, slug: str, session: Session = None) -> str | None:
        """The article that holds (or once held) `slug`."""
        doc = await self._one(SLUGS, {"_id": slug}, session)
        return str(doc["article_id"]) if doc else None

    async def reserve_slug(self, slug: str, article_id: str, session: Session = None) -> None:
        """Reserve `slug` for the article; DuplicateKeyError when another article took it."""
        if await self._one(SLUGS, {"_id": slug, "article_id": article_id}, session):
            return
        await self.db[SLUGS].insert_one({"_id": slug, "article_id": article_id}, session=session)

    # --- categories -------------------------------------------------------------------------

    async def get_category(self, slug: str, session: Session = None) -> Doc | None:
        return await self._one(CATEGORIES, {"_id": slug}, session)

    async def find_category(
        self, *, name: str, parent: str | None, session: Session = None
    ) -> Doc | None:
        return await self._one(CATEGORIES, {"parent": parent, "name": name}, session)

    async def insert_category(self, doc: Doc, session: Session = None) -> None:
        await self.db[CATEGORIES].insert_one(doc, session=session)

    async def list_categories(self, session: Session = None) -> list[Doc]:
        cursor = self.db[CATEGORIES].find({}, session=session).sort("path", mongo.ASCENDING)
        docs: list[Doc] = await cursor.to_list(None)
        return docs

    async def has_children(self, slug: str, session: Session = None) -> bool:
        return await self._one(CATEGORIES, {"parent": slug}, session) is not None

    async def delete_category(self, slug: str, session: Session = None) -> bool:
        result = await self.db[CATEGORIES].delete_one({"_id": slug}, session=session)
        return bool(result.deleted_count)

    # --- tag counts -------------------------------------------------------------------------

    async def move_tag_counts(
        self, before: Mapping[str, Any] | None, after: Mapping[str, Any], session: Session = None
    ) -> None:
        """Move the tag counts by what an article write changed in the published set."""
        await tags.move_counts(self.db, before, after, session)

    async def tag_page(self, *, limit: int, cursor: str | None) -> tuple[list[Doc], str | None]:
        """A page of {tag, count}, most used first, and the next page's cursor."""
        return await tags.list_tags(self.db, limit=limit, cursor=cursor)

    # --- comment counts ---------------------------------------------------------------------

    async def comment_state(self, comment_id: str, session: Session = None) -> Doc | None:
        return await self._one(COMMENT_STATES, {"_id": comment_id}, session)

    async def save_comment_state(self, state: Doc, session: Session = None) -> None:
        await self.db[COMMENT_STATES].replace_one(
            {"_id": state["_id"]}, state, upsert=True, session=session
        )

    async def add_comments(self, article_id: str, delta: int, session: Session = None) -> None:
        """Change comment_count by delta, never below zero (no version bump: not editorial)."""
        query: Doc = {"_id": article_id}
        if delta < 0:
            query["comment_count"] = {"$gte": -delta}
        await self.db[ARTICLES].update_one(
            query, {"$inc": {"comment_count": delta}}, session=session
        )

    async def merge_comment_states(self, states: list[Doc]) -> None:
        """Store each {comment_id, article_id, version, approved} unless a newer one is held."""
        if not (ops := [_state_upsert(state) for state in states]):
            return
        try:
            await self.db[COMMENT_STATES].bulk_write(ops, ordered=False)
        except mongo.BulkWriteError as exc:  # a newer state is held (the upsert hit _id)
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != mongo.DUPLICATE_KEY for e in errors):
                raise

    async def approved_per_article(self) -> dict[str, int]:
        """article id -> how many of its comments the held states say are approved."""
        counts: dict[str, int] = {}
        async for state in self.db[COMMENT_STATES].find({"approved": True}, {"article_id": 1}):
            counts[state["article_id"]] = counts.get(state["article_id"], 0) + 1
        return counts

    async def comment_counts(self) -> AsyncIterator[tuple[str, int]]:
        """(article id, comment_count) of every article."""
        async for doc in self.db[ARTICLES].find({}, {"comment_count": 1}):
            yield doc["_id"], int(doc.get("comment_count", 0))

    async def recount_comments(self, article_id: str, session: Session = None) -> None:
        """Set the article's comment_count to its approved comment states."""
        query = {"article_id": article_id, "approved": True}
        count = await self.db[COMMENT_STATES].count_documents(query, session=session)
        await self.db[ARTICLES].update_one(
            {"_id": article_id}, {"$set": {"comment_count": count}}, session=session
        )


def _state_upsert(item: Doc) -> mongo.UpdateOne:
    """Store a comment's approval unless a newer version is already held."""
    version = int(item["version"])
    fields = {"article_id": item["article_id"], "version": version, "approved": item["approved"]}
    return mongo.UpdateOne(
        {"_id": item["comment_id"], "version": {"$lte": version}}, {"$set": fields}, upsert=True
    )


# --- keyset lists ----------------------------------------------------------------------------


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

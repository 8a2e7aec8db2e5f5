"""Collection access for comments, the article read model, audit, bans, reports and policy."""

from __future__ import annotations

import logging
import secrets as _secrets
from datetime import datetime, timedelta
from typing import Any

from services.comments import known as known_reads
from services.comments.authors import Authors
from services.comments.counters import StatusCounters
from services.comments.domain import Policy
from services.comments.known import Known
from services.comments.warm import WarmArticles, WarmPolicy
from shared import mongo
from shared.mongo import ASCENDING as ASC
from shared.mongo import IndexModel
from shared.pagination import keyset_page

log = logging.getLogger("akhbar.comments")
Doc = dict[str, Any]
S = mongo.Session | None
HIDDEN = ["pending", "spam", "rejected", "reported"]


class CommentRepository:
    """Narrow access to the comments database; every query has an index. A status change
    moves the status counters in the same transaction."""

    def __init__(self, db: mongo.Database, counters: StatusCounters | None = None) -> None:
        self.db = db
        self.counters = counters or StatusCounters(db)
        self.writers = Authors(db)  # ban and trust per writer, kept with their sources
        self.authors = self.writers.authors
        self.comments = db["comments"]
        self.articles = db["articles"]
        self.audit = db["audit"]
        self.bans = db["bans"]
        self.reports = db["reports"]
        self.flood = db["flood"]
        self.dedup = db["dedup"]
        self.settings = db["settings"]
        self.warm_policy = WarmPolicy(self.policy)
        self.warm_articles = WarmArticles(self.article_by_key)

    async def ensure_indexes(self) -> None:
        await mongo.ensure_collections(self.db, "dedup", "flood", "authors")  # in transactions
        await self.comments.create_indexes(
            [
                IndexModel(
                    [
                        ("article_id", ASC),
                        ("status", ASC),
                        ("parent_id", ASC),
                        ("created_at", ASC),
                        ("_id", ASC),
                    ]
                ),
                IndexModel([("root_id", ASC), ("status", ASC), ("created_at", ASC), ("_id", ASC)]),
                IndexModel([("status", ASC), ("created_at", ASC), ("_id", ASC)]),
                IndexModel(
                    [("status", ASC), ("article_id", ASC), ("created_at", ASC), ("_id", ASC)]
                ),
                IndexModel([("email_hash", ASC), ("status", ASC)]),
                IndexModel([("article_id", ASC), ("email_hash", ASC), ("body_hash", ASC)]),
            ]
        )
        await self.articles.create_indexes([IndexModel([("slugs", ASC)])])
        await self.audit.create_indexes([IndexModel([("comment_id", ASC), ("at", ASC)])])
        await self.bans.create_indexes([IndexModel([("email_hash", ASC)], unique=True)])
        await self.reports.create_indexes(
            [IndexModel([("comment_id", ASC), ("reader_hash", ASC)], unique=True)]
        )

    # --- secrets and policy ---------------------------------------------------------------

    async def pepper(self) -> str:
        """The stored HMAC key, created on first use (a concurrent creator's key wins)."""
        doc = await self.settings.find_one({"_id": "pepper"})
        if doc is None:
            try:
                await self.settings.insert_one({"_id": "pepper", "value": _secrets.token_hex(32)})
            except mongo.DuplicateKeyError:
                log.info("another replica stored the HMAC key first; using theirs")
            doc = await self.settings.find_one({"_id": "pepper"})
        assert doc is not None
        return str(doc["value"])

    async def policy(self) -> Policy:
        """The current policy, read per request so an admin's change applies at once."""
        return Policy.model_validate(await self.settings.find_one({"_id": "policy"}) or {})

    async def submit_policy(self) -> Policy:
        """The policy a submission applies: held in memory (see warm.py for how fresh)."""
        return await self.warm_policy.get()

    async def save_policy(self, fields: Doc) -> Doc:
        doc = await self.settings.find_one_and_update(
            {"_id": "policy"},
            {"$set": fields},
            upsert=True,
            return_document=mongo.ReturnDocument.AFTER,
        )
        self.warm_policy.drop()
        return dict(doc)

    # --- article read model ---------------------------------------------------------------

    async def article(self, article_id: str, session: S = None) -> Doc | None:
        doc: Doc | None = await self.articles.find_one({"_id": article_id}, session=session)
        return doc

    async def article_by_key(self, key: str) -> Doc | None:
        """An article of the read model by id, else by any slug it ever had."""
        doc: Doc | None = await self.articles.find_one({"_id": key})
        return doc or await self.articles.find_one({"slugs": key})

    async def submit_article(self, key: str) -> Doc | None:
        """The fields a submission reads of an article (id, status, comments_open, deleted,
        premoderation) by id or slug, held in memory (see warm.py for how fresh)."""
        return await self.warm_articles.get(key)

    async def set_article(
        self, article_id: str, fields: Doc, session: S = None, *, add_slug: str | None = None
    ) -> None:
        update: Doc = {"$set": fields}
        if add_slug:
            update["$addToSet"] = {"slugs": add_slug}
        await self.articles.update_one({"_id": article_id}, update, upsert=True, session=session)
        self.warm_articles.drop(article_id)  # in a transaction, its commit drops it again

    # --- comments -------------------------------------------------------------------------

    async def comment(self, comment_id: str, session: S = None) -> Doc | None:
        doc: Doc | None = await self.comments.find_one({"_id": comment_id}, session=session)
        return doc

    async def insert_comment(self, doc: Doc, session: mongo.Session) -> None:
        await self.insert_comments([doc], session)

    async def insert_comments(self, docs: list[Doc], session: mongo.Session) -> None:
        """Several new comments in one statement, their counters and their writers' trust."""
        await self.comments.insert_many(docs, session=session)
        statuses: dict[str, int] = {}
        for doc in docs:
            statuses[doc["status"]] = statuses.get(doc["status"], 0) + 1
        await self.counters.bump(session, statuses)
        await self.writers.bump_approved([d for d in docs if d["status"] == "approved"], session, 1)

    async def update_status(self, doc: Doc, fields: Doc, session: mongo.Session) -> bool:
        """Compare-and-set on the version read, so concurrent moderators cannot both win."""
        result = await self.comments.update_one(
            {"_id": doc["_id"], "version": doc["version"]},
            {"$set": fields, "$inc": {"version": 1}},
            session=session,
        )
        if not result.modified_count:
            return False
        await self.counters.bump(session, {doc["status"]: -1, fields["status"]: 1})
        if (doc["status"] == "approved") != (fields["status"] == "approved"):
            sign = 1 if fields["status"] == "approved" else -1
            await self.writers.bump_approved([doc], session, sign)
        return True

    async def known(
        self, *, email_hash: str, article_id: str, body_hash: str, flood_keys: list[str],
        trust: bool, twins: bool, now: datetime,
    ) -> Known:  # fmt: skip
        """Ban, twin, trust and last submission of a writer, asked at once (known.py)."""
        asked = known_reads.queries(
            email_hash=email_hash, article_id=article_id, body_hash=body_hash,
            flood_keys=flood_keys, twins=twins,
        )  # fmt: skip
        return await known_reads.read(self.db, asked, now, trust=trust)

    async def claim_flood(
        self, keys: list[str], now: datetime, interval_s: int, session: S
    ) -> bool:
        """Record a submission for each key unless one was recorded within the interval."""
        cutoff = now - timedelta(seconds=interval_s)
        for key in keys:
            try:
                await self.flood.update_one(
                    {"_id": key, "last": {"$lte": cutoff}},
                    {"$set": {"last": now}},
                    upsert=True,
                    session=session,
                )
            except mongo.DuplicateKeyError:
                return False
        return True

    async def claim_dedups(self, claims: list[tuple[str, datetime]], session: S) -> set[int]:
        """Claim article+author+body keys once each (unique _id) in one statement, so twins
        store one: the positions refused (claimed before, or earlier in `claims`). A refusal
        spoils the transaction and may name only the first: the caller starts again."""
        rows = [{"_id": key, "at": at} for key, at in claims]
        try:
            await self.dedup.insert_many(rows, ordered=False, session=session)
        except mongo.BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if not errors or any(e.get("code") != mongo.DUPLICATE_KEY for e in errors):
                raise
            return {int(e["index"]) for e in errors}
        return set()

    async def page(
        self, query: Doc, *, after: tuple[datetime, str] | None, newest: bool, limit: int
    ) -> list[Doc]:
        """A page ordered by (created_at, _id), after the cursor's key (index-served ranges)."""
        direction = -1 if newest else 1
        order = (("created_at", direction), ("_id", direction))
        return await keyset_page(self.comments, query, order, after, limit)

    async def replies(self, root_ids: list[str], limit: int) -> list[Doc]:
        """Approved replies of a page's threads, oldest first, at most `limit` of them."""
        query = {"root_id": {"$in": root_ids}, "status": "approved"}
        cursor = self.comments.find(query).sort([("created_at", ASC), ("_id", ASC)])
        docs: list[Doc] = await cursor.limit(limit).to_list(limit)
        return docs

    async def count_public(self, article_id: str) -> int:
        """Approved comments: what the article page shows (replies under a hidden thread start
        included) and what the articles service counts as `comment_count`."""
        return int(
            await self.comments.count_documents({"article_id": article_id, "status": "approved"})
        )

    async def hidden_roots_with_replies(self, article_id: str) -> list[Doc]:
        """Thread starts no longer shown (pending again, reported, rejected, spam) that hold
        approved replies: the page shows them as placeholders so the replies keep their place.
        Hidden thread starts are few (the replies can be many): those first, then which of
        them hold an approved reply, both on an index."""
        query = {"article_id": article_id, "status": {"$in": HIDDEN}, "parent_id": None}
        hidden: list[Doc] = await self.comments.find(query).to_list(None)
        if not hidden:
            return []
        held = set(
            await self.comments.distinct(
                "root_id", {"root_id": {"$in": [d["_id"] for d in hidden]}, "status": "approved"}
            )
        )
        return [d for d in hidden if d["_id"] in held]

    # --- audit, bans, reports -------------------------------------------------------------

    async def add_audit(self, record: Doc, session: S) -> None:
        await self.audit.insert_one({"_id": _secrets.token_hex(12), **record}, session=session)

    async def add_audits(self, records: list[Doc], session: S) -> None:
        rows = [{"_id": _secrets.token_hex(12), **record} for record in records]
        await self.audit.insert_many(rows, session=session)

    async def audit_trail(self, comment_id: str) -> list[Doc]:
        cursor = self.audit.find({"comment_id": comment_id}).sort([("at", ASC), ("_id", ASC)])
        docs: list[Doc] = await cursor.to_list(None)
        return docs

    async def upsert_ban(self, doc: Doc) -> Doc:
        """The writer's ban (replacing an earlier one), and their document, in one transaction."""

        async def write(session: mongo.Session) -> Doc:
            saved = await mongo.update_and_read(
                self.bans,
                {"email_hash": doc["email_hash"]},
                {
                    "$set": {k: v for k, v in doc.items() if k != "_id"},
                    "$setOnInsert": {"_id": doc["_id"]},
                },
                session=session,
                upsert=True,
                key={"email_hash": doc["email_hash"]},
            )
            if saved is None:  # an upsert leaves the document: never, but say so if it does
                raise RuntimeError(f"ban of {doc['email_hash']} not found after its upsert")
            await self.writers.set_ban(doc["email_hash"], doc.get("expires_at"), session)
            return dict(saved)

        saved: Doc = await mongo.transaction(self.db.client, write)
        return saved

    async def delete_ban(self, ban_id: str) -> bool:
        async def write(session: mongo.Session) -> bool:
            ban = await mongo.delete_and_read(self.bans, {"_id": ban_id}, session=session)
            if ban is None:
                return False
            await self.writers.lift_ban(ban["email_hash"], session)
            return True

        lifted: bool = await mongo.transaction(self.db.client, write)
        return lifted

    async def add_report(
        self,
        comment_id: str,
        reader_hashes: list[str],
        at: datetime,
        session: S,
        reason: str | None = None,
    ) -> bool:
        """One report row per identity of the reader (key, client); False if any reported."""
        try:
            await self.reports.insert_many(
                [
                    {"comment_id": comment_id, "reader_hash": h, "at": at, "reason": reason}
                    for h in reader_hashes
                ],
                ordered=True,
                session=session,
            )
        except (mongo.DuplicateKeyError, mongo.BulkWriteError):
            return False
        return True

    async def bump_reports(self, comment_id: str, session: S) -> Doc | None:
        return await mongo.update_and_read(
            self.comments, {"_id": comment_id}, {"$inc": {"report_count": 1}}, session=session
        )

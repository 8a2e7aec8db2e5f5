"""In-memory stand-ins for the comments use cases' ports (the repository, the rate limiter),
and `World`: the use cases wired to them with one published article.

The fake keeps the real repository's contracts that the use cases rely on: documents are
copies (a caller's dict is never the stored one), the flood claim refuses a key used within
the interval, the dedup claim refuses a second identical body, a status update is a
compare-and-set on the version and moves the per-status counters.
"""

from __future__ import annotations

import copy
import secrets
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest

from services.comments import moderation, service
from services.comments.clients import Clients
from services.comments.domain import Policy
from services.comments.known import Known
from services.comments.schemas import CommentIn
from shared.auth import Principal
from shared.errors import ApiError
from shared.ratelimit import too_many
from shared.unit_of_work import InMemoryUnitOfWork

Doc = dict[str, Any]


class FakeLimiter:
    """Counts hits per (scope, client) without windows: past `limit` it is the shared 429."""

    def __init__(self) -> None:
        self.hits: Counter[tuple[str, str]] = Counter()

    async def check(self, scope: str, client: str, *, limit: int, window_s: int) -> None:
        if limit <= 0 or not client:
            return
        self.hits[scope, client] += 1
        if self.hits[scope, client] > limit:
            raise too_many(window_s)


def fake_clients(submit_per_hour: int = 0) -> Clients:
    per_hour = {"submit": submit_per_hour, "report": 0}
    return Clients(FakeLimiter(), per_hour, pepper=b"unit-test-pepper")


class FakeCommentRepository:
    """The part of `CommentRepository` the comment use cases call, in dicts."""

    def __init__(self, policy: Policy | None = None) -> None:
        self.policy_now = policy or Policy()
        self.articles: dict[str, Doc] = {}
        self.comments: dict[str, Doc] = {}
        self.audit: list[Doc] = []
        self.bans: dict[str, Doc] = {}  # by email hash
        self.reports: set[tuple[str, str]] = set()
        self.flood: dict[str, datetime] = {}
        self.dedup: set[str] = set()
        self.counts: Counter[str] = Counter()

    def publish(self, article_id: str, *, comments_open: bool = True, **fields: Any) -> None:
        self.articles[article_id] = {
            "_id": article_id,
            "status": "published",
            "comments_open": comments_open,
            "slugs": [f"slug-{article_id}"],
            **fields,
        }

    async def policy(self) -> Policy:
        return self.policy_now

    async def submit_policy(self) -> Policy:
        return self.policy_now

    async def submit_article(self, key: str) -> Doc | None:
        return await self.article_by_key(key)

    async def article(self, article_id: str, session: Any = None) -> Doc | None:
        return copy.deepcopy(self.articles.get(article_id))

    async def article_by_key(self, key: str) -> Doc | None:
        found = self.articles.get(key) or next(
            (a for a in self.articles.values() if key in a.get("slugs", [])), None
        )
        return copy.deepcopy(found)

    async def comment(self, comment_id: str, session: Any = None) -> Doc | None:
        return copy.deepcopy(self.comments.get(comment_id))

    async def insert_comment(self, doc: Doc, session: Any) -> None:
        assert doc["_id"] not in self.comments
        self.comments[doc["_id"]] = copy.deepcopy(doc)
        self.counts[doc["status"]] += 1

    async def update_status(self, doc: Doc, fields: Doc, session: Any) -> bool:
        held = self.comments.get(doc["_id"])
        if held is None or held["version"] != doc["version"]:
            return False
        held.update(copy.deepcopy(fields))
        held["version"] += 1
        self.counts[doc["status"]] -= 1
        self.counts[fields["status"]] += 1
        return True

    async def last_seen(self, keys: list[str]) -> datetime | None:
        return max((self.flood[k] for k in keys if k in self.flood), default=None)

    async def claim_flood(
        self, keys: list[str], now: datetime, interval_s: int, session: Any
    ) -> bool:
        cutoff = now - timedelta(seconds=interval_s)
        if any(k in self.flood and self.flood[k] > cutoff for k in keys):
            return False
        self.flood.update(dict.fromkeys(keys, now))
        return True

    async def claim_dedups(self, claims: list[tuple[str, datetime]], session: Any) -> set[int]:
        refused = set()
        for index, (key, _) in enumerate(claims):
            if key in self.dedup:
                refused.add(index)
            self.dedup.add(key)
        return refused

    async def known(
        self, *, email_hash: str, article_id: str, body_hash: str, flood_keys: list[str],
        trust: bool, twins: bool, now: datetime,
    ) -> Known:  # fmt: skip
        """The reads the real one asks at once."""
        asked = twins and bool(email_hash)
        twin = asked and await self.is_duplicate(article_id, email_hash, body_hash)
        return Known(
            banned=bool(email_hash) and await self.active_ban(email_hash, now) is not None,
            duplicate=twin,
            trusted=trust and bool(email_hash) and await self.is_trusted(email_hash),
            last_seen=await self.last_seen(flood_keys) if flood_keys else None,
        )

    async def is_duplicate(self, article_id: str, email_hash: str, body_hash: str) -> bool:
        twin = (article_id, email_hash, body_hash)
        return any(
            (c["article_id"], c["email_hash"], c["body_hash"]) == twin
            for c in self.comments.values()
        )

    async def is_trusted(self, email_hash: str) -> bool:
        return any(
            c["email_hash"] == email_hash and c["status"] == "approved"
            for c in self.comments.values()
        )

    async def active_ban(self, email_hash: str, now: datetime) -> Doc | None:
        ban = self.bans.get(email_hash)
        if ban is None or (ban.get("expires_at") is not None and ban["expires_at"] <= now):
            return None
        return copy.deepcopy(ban)

    async def add_audit(self, record: Doc, session: Any) -> None:
        self.audit.append({"_id": secrets.token_hex(12), **copy.deepcopy(record)})

    async def add_audits(self, records: list[Doc], session: Any) -> None:
        for record in records:
            await self.add_audit(record, session)

    async def insert_comments(self, docs: list[Doc], session: Any) -> None:
        for doc in docs:
            await self.insert_comment(doc, session)

    async def audit_trail(self, comment_id: str) -> list[Doc]:
        mine = [r for r in self.audit if r["comment_id"] == comment_id]
        return copy.deepcopy(sorted(mine, key=lambda r: r["at"]))

    async def add_report(
        self,
        comment_id: str,
        reader_hashes: list[str],
        at: datetime,
        session: Any,
        reason: str | None = None,
    ) -> bool:
        rows = {(comment_id, h) for h in reader_hashes}
        if rows & self.reports:
            return False
        self.reports |= rows
        return True

    async def bump_reports(self, comment_id: str, session: Any) -> Doc | None:
        held = self.comments.get(comment_id)
        if held is None:
            return None
        held["report_count"] += 1
        return copy.deepcopy(held)


MODERATOR = Principal(role="moderator", name="mona")
RID = "req-1"


class World:
    """One article `a1`, flood control off unless a test turns it on."""

    def __init__(self, **policy: Any) -> None:
        self.repo = FakeCommentRepository(Policy(**{"flood_interval_seconds": 0, **policy}))
        self.repo.publish("a1")
        self.uow = InMemoryUnitOfWork()
        self.clients = fake_clients()

    async def submit(
        self,
        body: str = "مقال رائع، شكراً للكاتب.",
        *,
        article: str = "a1",
        email: str = "sara@example.com",
        ip: str | None = "10.0.0.1",
        **fields: Any,
    ) -> Any:
        data = CommentIn(author_name="سارة", author_email=email, body=body, **fields)
        return await service.submit(
            self.repo, self.uow, self.clients, article_id=article, data=data, client_ip=ip,
            arabic=False, max_depth=3, request_id=RID,
        )  # fmt: skip

    async def act(self, comment_id: str, action: str, **kw: Any) -> Any:
        return await moderation.act(
            self.repo, self.uow, comment_id=comment_id, action=action, who=MODERATOR,
            request_id=RID, **{"reason": None, **kw},
        )  # fmt: skip

    def events(self) -> list[tuple[str, int, dict[str, Any]]]:
        return [(e.type, e.aggregate_version, e.data.model_dump()) for e in self.uow.events]


async def refusal(call: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        await call
    return caught.value

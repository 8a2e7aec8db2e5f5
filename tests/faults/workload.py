"""A workload with unique ids: publish, update, unpublish articles; post and moderate comments.

Every call tolerates the faults under test (a refused connection, a 503): the checker compares
read models with their owners' databases, and `acknowledged` keeps what a client was told had
succeeded, so an acknowledged write that vanished counts as lost.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.conftest import ADMIN, EDITOR, MODERATOR
from tests.faults.cluster import Cluster

SENTENCES = (
    "أعلنت الحكومة عن خطة جديدة لدعم الاقتصاد الوطني وتشجيع الاستثمار في الصناعة",
    "شهدت الأسواق المالية ارتفاعا ملحوظا في أسعار النفط والذهب خلال الأسبوع",
    "التقى وزير الخارجية نظيره لبحث التعاون الأمني ومكافحة الإرهاب في المنطقة",
    "فاز المنتخب الوطني لكرة القدم في المباراة النهائية للبطولة العربية",
    "حذرت منظمة الصحة العالمية من انتشار وباء جديد في عدد من الدول",
    "افتتح المهرجان الثقافي الدولي للسينما بمشاركة فنانين من العالم العربي",
    "ناقش البرلمان مشروع قانون الانتخابات وتعديل الدستور في جلسة طارئة",
    "أطلقت وكالة الفضاء قمرا صناعيا جديدا لرصد التغيرات المناخية",
)
TRANSIENT = (httpx.TransportError, httpx.TimeoutException)


@dataclass
class Workload:
    """Drives the public and moderators' APIs round-robin across each service's replicas."""

    cluster: Cluster
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    articles: dict[str, int] = field(default_factory=dict)  # id -> last acknowledged version
    comments: dict[str, str] = field(default_factory=dict)  # id -> article id
    acknowledged: dict[str, set[str]] = field(
        default_factory=lambda: {"articles": set(), "comments": set()}
    )
    failures: int = 0
    _turn: itertools.count[int] = field(default_factory=itertools.count)

    def _url(self, name: str) -> str:
        replicas = [r for r in self.cluster.services[name] if r.alive and not r.paused]
        replicas = replicas or self.cluster.services[name]
        return replicas[next(self._turn) % len(replicas)].url

    async def call(
        self, http: httpx.AsyncClient, method: str, name: str, path: str, **kwargs: Any
    ) -> httpx.Response | None:
        """One request; None when the fault under test made it fail (counted, not raised)."""
        try:
            response = await http.request(method, f"{self._url(name)}{path}", **kwargs)
        except TRANSIENT:
            self.failures += 1
            return None
        assert response.status_code < 500 or response.status_code == 503, (
            f"{method} {path}: {response.status_code} {response.text[:500]}"
        )
        if response.status_code >= 400:
            self.failures += 1
        return response

    async def setup(self, http: httpx.AsyncClient) -> None:
        """A category and a policy that holds every comment (so moderation changes counts)."""
        for _ in range(50):
            made = await self.call(
                http,
                "POST",
                "articles",
                "/categories",
                json={"slug": "world", "name": "أخبار العالم"},
                headers=EDITOR,
            )
            if made is not None and made.status_code in (201, 409):
                break
            await asyncio.sleep(0.2)
        policy = {"flood_interval_seconds": 0, "default_status": "pending"}
        for _ in range(50):
            put = await self.call(
                http, "PUT", "comments", "/moderation/settings", json=policy, headers=ADMIN
            )
            if put is not None and put.status_code == 200:
                return
            await asyncio.sleep(0.2)
        raise AssertionError("could not set the comments policy")

    async def publish(self, http: httpx.AsyncClient) -> str | None:
        token = uuid.uuid4().hex[:8]
        text = " ".join(self.rng.sample(SENTENCES, 3))
        created = await self.call(
            http,
            "POST",
            "articles",
            "/articles",
            headers=EDITOR,
            json={
                "title": f"{self.rng.choice(SENTENCES)[:40]} {token}",
                "body": [{"type": "paragraph", "text": f"{text} {token}"}],
                "category": "world",
                "tags": [token],
            },
        )
        if created is None or created.status_code != 201:
            return None
        article = created.json()
        self.acknowledged["articles"].add(article["id"])
        self.articles[article["id"]] = article["version"]
        published = await self.call(
            http, "POST", "articles", f"/articles/{article['id']}/publish", headers=EDITOR
        )
        if published is not None and published.status_code == 200:
            self.articles[article["id"]] = published.json()["version"]
            return str(article["id"])
        return None

    async def update(self, http: httpx.AsyncClient, article_id: str) -> None:
        patched = await self.call(
            http,
            "PATCH",
            "articles",
            f"/articles/{article_id}",
            headers=EDITOR,
            json={"summary": f"ملخص محدث {uuid.uuid4().hex[:6]}"},
        )
        if patched is not None and patched.status_code == 200:
            self.articles[article_id] = patched.json()["version"]

    async def unpublish(self, http: httpx.AsyncClient, article_id: str) -> None:
        await self.call(
            http, "POST", "articles", f"/articles/{article_id}/unpublish", headers=EDITOR
        )

    async def comment(self, http: httpx.AsyncClient, article_id: str) -> str | None:
        token = uuid.uuid4().hex[:10]
        posted = await self.call(
            http,
            "POST",
            "comments",
            f"/articles/{article_id}/comments",
            json={
                "author_name": "قارئ",
                "author_email": f"reader-{token}@example.com",
                "body": f"تعليق على الخبر رقم {token}",
            },
        )
        if posted is None or posted.status_code != 201:
            return None
        comment_id = str(posted.json()["id"])
        self.acknowledged["comments"].add(comment_id)
        self.comments[comment_id] = article_id
        return comment_id

    async def moderate(self, http: httpx.AsyncClient, comment_id: str) -> None:
        action = self.rng.choices(["approve", "reject", "flip"], weights=[6, 1, 2])[0]
        path = f"/moderation/comments/{comment_id}"
        if action == "reject":
            await self.call(
                http,
                "POST",
                "comments",
                f"{path}/reject",
                json={"reason": "off_topic"},
                headers=MODERATOR,
            )
            return
        await self.call(http, "POST", "comments", f"{path}/approve", headers=MODERATOR)
        if action == "flip":  # approved then rejected: the count must net to zero
            await self.call(
                http,
                "POST",
                "comments",
                f"{path}/reject",
                json={"reason": "abusive"},
                headers=MODERATOR,
            )

    async def round(self, http: httpx.AsyncClient, *, articles: int = 3, comments: int = 6) -> None:
        """One burst of mixed work: new articles, comments on known ones, moderation."""
        known = list(self.articles)  # published a round ago: the comments service knows them
        await asyncio.gather(*(self.publish(http) for _ in range(articles)))
        if not known:
            return
        targets = [self.rng.choice(known) for _ in range(comments)]
        posted = [c for c in await asyncio.gather(*(self.comment(http, a) for a in targets)) if c]
        await asyncio.gather(*(self.moderate(http, c) for c in posted))
        if len(self.articles) > 4:
            chosen = self.rng.sample(list(self.articles), 2)
            await self.update(http, chosen[0])
            if self.rng.random() < 0.3:
                await self.unpublish(http, chosen[1])

    async def run(self, http: httpx.AsyncClient, rounds: int, **kwargs: int) -> None:
        for _ in range(rounds):
            await self.round(http, **kwargs)

"""Cached public reads never hide a change: the next read after a write shows it, on the
replica that wrote at once and on another replica as soon as the event reaches it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import EDITOR, MODERATOR
from tests.faults.cluster import Cluster
from tests.faults.workload import Workload
from tests.helpers import eventually


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    made = Cluster(tmp_path, replicas={"articles": 2, "comments": 2, "related": 1})
    made.start_mongo()
    made.start_redis()
    try:
        await asyncio.to_thread(made.start)
        yield made
    finally:
        made.stop()


async def test_reads_after_publish_update_and_approve_show_the_change(cluster):
    a0, a1 = cluster.url("articles", 0), cluster.url("articles", 1)
    c0, c1 = cluster.url("comments", 0), cluster.url("comments", 1)
    async with httpx.AsyncClient(timeout=15) as http:
        workload = Workload(cluster)
        await workload.setup(http)
        article_id = await workload.publish(http)
        assert article_id
        for base in (a0, a1):  # both replicas cache the public body
            first = await http.get(f"{base}/articles/{article_id}")
            assert first.status_code == 200
            assert (await http.get(f"{base}/articles/{article_id}")).json() == first.json()

        patched = await http.patch(
            f"{a0}/articles/{article_id}", json={"title": "عنوان جديد بعد التعديل"}, headers=EDITOR
        )
        assert patched.status_code == 200, patched.text
        # the replica that wrote: at once
        assert (await http.get(f"{a0}/articles/{article_id}")).json()["title"] == (
            "عنوان جديد بعد التعديل"
        )

        async def other_replica_sees_it() -> bool:
            body = (await http.get(f"{a1}/articles/{article_id}")).json()
            return bool(body["title"] == "عنوان جديد بعد التعديل")

        await eventually(other_replica_sees_it, timeout=5)

        async def comments_know_article() -> bool:
            return (await http.get(f"{c0}/articles/{article_id}/comments")).status_code == 200

        await eventually(comments_know_article, timeout=15)
        for base in (c0, c1):
            assert (await http.get(f"{base}/articles/{article_id}/comments")).json()["items"] == []
        comment_id = await workload.comment(http, article_id)
        assert comment_id
        approved = await http.post(
            f"{c0}/moderation/comments/{comment_id}/approve", headers=MODERATOR
        )
        assert approved.status_code == 200, approved.text
        listed = (await http.get(f"{c0}/articles/{article_id}/comments")).json()
        assert [c["id"] for c in listed["items"]] == [comment_id]

        async def other_comments_replica_sees_it() -> bool:
            body = (await http.get(f"{c1}/articles/{article_id}/comments")).json()
            return [c["id"] for c in body["items"]] == [comment_id]

        await eventually(other_comments_replica_sees_it, timeout=5)

        async def counted_everywhere() -> bool:
            counts = [
                (await http.get(f"{base}/articles/{article_id}")).json()["comment_count"]
                for base in (a0, a1)
            ]
            return counts == [1, 1]

        await eventually(counted_everywhere, timeout=10)

        unpublished = await http.post(f"{a1}/articles/{article_id}/unpublish", headers=EDITOR)
        assert unpublished.status_code == 200, unpublished.text
        assert (await http.get(f"{a1}/articles/{article_id}")).status_code == 404

        async def gone_everywhere() -> bool:
            return (await http.get(f"{a0}/articles/{article_id}")).status_code == 404

        await eventually(gone_everywhere, timeout=5)

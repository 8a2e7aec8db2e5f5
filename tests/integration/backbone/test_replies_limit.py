"""A page of threads loads a bounded number of replies (defect 10)."""

from __future__ import annotations

from datetime import timedelta

from services.comments.main import create_app
from shared.events import utcnow
from tests.helpers import app_client
from tests.integration.comments.conftest import Comments, make_settings


async def test_a_page_loads_at_most_max_replies_oldest_first(infra, isolation):
    app = create_app(make_settings(infra, isolation, max_replies=20))
    async with app_client(app) as client:
        svc = Comments(app=app, client=client)
        await svc.publish("a1")
        await svc.policy(flood_interval_seconds=0)
        root = (await svc.submit("a1")).json()["id"]
        if (await svc.comment(root))["status"] != "approved":
            assert (await svc.act(root, "approve")).status_code == 200
        start = utcnow()
        await svc.ctx.repo.comments.insert_many(
            [
                {
                    "_id": f"reply-{i:03d}", "article_id": "a1", "parent_id": root,
                    "ancestors": [root], "root_id": root, "depth": 2, "author_name": "قارئ",
                    "body": f"رد رقم {i}", "status": "approved",
                    "created_at": start + timedelta(seconds=i),
                }
                for i in range(60)
            ]
        )  # fmt: skip
        page = (await client.get("/articles/a1/comments")).json()
        (thread,) = page["items"]
        shown = [reply["id"] for reply in thread["replies"]]
        assert shown == [f"reply-{i:03d}" for i in range(20)]

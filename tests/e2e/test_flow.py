"""The three services as real processes (uvicorn) over HTTP: publish → comment → count."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.embedded import Server, free_port, start_service
from tests.conftest import EDITOR, MODERATOR, TEST_TOKENS
from tests.helpers import eventually

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("articles", "comments", "related")


@pytest.fixture
def stack(
    mongo_server: Server, redis_server: Server, isolation: str, tmp_path: Path
) -> Iterator[dict[str, str]]:
    env = dict(
        os.environ,
        MONGO_URL=mongo_server.url,
        REDIS_URL=redis_server.url,
        AKHBAR_TOKENS=TEST_TOKENS,
    )
    urls: dict[str, str] = {}
    for name in NAMES:
        port = free_port()
        prefix = name.upper()
        env.update(
            {
                f"{prefix}_PORT": str(port),
                f"{prefix}_MONGO_DB": f"{name}_{isolation}",
                f"{prefix}_STREAM_PREFIX": f"e2e{isolation}:",
                f"{prefix}_CLAIM_INTERVAL_S": "0.5",
            }
        )
        urls[name] = f"http://127.0.0.1:{port}"
    env["RELATED_ARTICLES_URL"] = urls["articles"]
    procs = [start_service(name, env, tmp_path / f"{name}.log") for name in NAMES]
    try:
        deadline = time.monotonic() + 60
        for name, proc in zip(NAMES, procs, strict=True):
            while True:
                assert proc.poll() is None, (tmp_path / f"{name}.log").read_text()[-3000:]
                try:
                    if httpx.get(f"{urls[name]}/health/ready", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, f"{name} not ready"
                time.sleep(0.2)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        killed = []
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                killed.append(proc.args)
        # a clean SIGTERM shutdown: the lifespan's shutdown ran (uvicorn then re-raises SIGTERM)
        assert not killed
        for name in NAMES:
            assert "Application shutdown complete" in (tmp_path / f"{name}.log").read_text()


async def test_publish_comment_approve_count_through_real_processes(stack):
    async with httpx.AsyncClient(timeout=10) as http:
        articles, comments, related = stack["articles"], stack["comments"], stack["related"]
        for slug, name in (("world", "أخبار العالم"),):
            assert (
                await http.post(
                    f"{articles}/categories", json={"slug": slug, "name": name}, headers=EDITOR
                )
            ).status_code == 201
        body = [
            {
                "type": "paragraph",
                "text": "تعهدت الأردن وسوريا بتكثيف التعاون الأمني لمنع عودة تنظيم داعش.",
            }
        ]
        created = await http.post(
            f"{articles}/articles",
            json={
                "title": "الأردن وسوريا يتعهدان بتعزيز التعاون الأمني",
                "body": body,
                "category": "world",
                "tags": ["الأردن", "سوريا"],
            },
            headers=EDITOR,
        )
        assert created.status_code == 201, created.text
        article = created.json()
        second = await http.post(
            f"{articles}/articles",
            json={
                "title": "سوريا والأردن: تعاون أمني لمواجهة خلايا داعش",
                "body": body,
                "category": "world",
                "tags": ["سوريا"],
            },
            headers=EDITOR,
        )
        for item in (article, second.json()):
            published = await http.post(
                f"{articles}/articles/{item['id']}/publish",
                headers={**EDITOR, "If-Match": f'"{item["version"]}"'},
            )
            assert published.status_code == 200, published.text

        comment = {
            "author_name": "سلمى",
            "author_email": "salma@example.com",
            "body": "مقال مهم، شكراً على التغطية",
        }

        async def comments_accept() -> bool:
            response = await http.post(
                f"{comments}/articles/{article['id']}/comments", json=comment
            )
            if response.status_code == 201:
                comment["id"] = response.json()["id"]
                return True
            assert response.status_code == 404, response.text  # not yet known from the event
            return False

        await eventually(comments_accept, timeout=20)

        async def related_indexed() -> bool:
            response = await http.get(f"{related}/articles/{article['id']}/related")
            return response.status_code == 200 and any(
                i["id"] == second.json()["id"] for i in response.json()["items"]
            )

        await eventually(related_indexed, timeout=20)

        approved = await http.post(
            f"{comments}/moderation/comments/{comment['id']}/approve", headers=MODERATOR
        )
        assert approved.status_code == 200, approved.text

        async def counted() -> bool:
            response = await http.get(f"{articles}/articles/{article['id']}")
            return response.json()["comment_count"] == 1

        await eventually(counted, timeout=20)
        public = (await http.get(f"{comments}/articles/{article['id']}/comments")).json()
        assert [c["body"] for c in public["items"]] == [comment["body"]]
        assert "salma@example.com" not in str(public)
    await asyncio.sleep(0)

"""The internal export other services rebuild from: published snapshots only, in pages."""

from __future__ import annotations

from shared.events import ArticleSnapshot
from tests.integration.articles.conftest import Svc


async def test_export_pages_through_every_published_article_with_full_snapshots(svc: Svc):
    published = [await svc.published(title=f"مقال منشور رقم {i}") for i in range(5)]
    draft = await svc.create(title="مسودة لم تنشر")
    seen, cursor, first = [], None, None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = await svc.client.get("/internal/articles", params=params)
        assert response.status_code == 200
        body = response.json()
        first = first or body
        seen += [ArticleSnapshot.model_validate(item) for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert first["total"] == 5
    assert sorted(s.id for s in seen) == sorted(a["id"] for a in published)
    assert draft["id"] not in {s.id for s in seen}
    assert all(s.status == "published" and s.body and s.body[0].text == "نص الفقرة." for s in seen)

"""The editors' worklist: GET /articles?status=draft|scheduled|unpublished|archived."""

from __future__ import annotations

from tests.conftest import EDITOR, MODERATOR
from tests.integration.articles.conftest import Svc


async def test_drafts_are_listed_for_editors_most_recently_changed_first(svc: Svc):
    first = await svc.create(title="مسودة أولى")
    second = await svc.create(title="مسودة ثانية")
    published = await svc.published(title="مقال منشور")
    await svc.client.patch(f"/articles/{first['id']}", json={"summary": "ملخص"}, headers=EDITOR)

    page = await svc.client.get("/articles", params={"status": "draft", "limit": 1}, headers=EDITOR)
    assert page.status_code == 200
    assert [item["id"] for item in page.json()["items"]] == [first["id"]]  # edited last
    cursor = page.json()["next_cursor"]
    rest = await svc.client.get(
        "/articles", params={"status": "draft", "limit": 1, "cursor": cursor}, headers=EDITOR
    )
    assert [item["id"] for item in rest.json()["items"]] == [second["id"]]
    assert rest.json()["next_cursor"] is None
    public = (await svc.client.get("/articles")).json()["items"]
    assert [item["id"] for item in public] == [published["id"]]


async def test_the_worklist_is_not_public_and_takes_no_published_only_filters(svc: Svc):
    await svc.create(title="مسودة سرية")
    anonymous = await svc.client.get("/articles", params={"status": "draft"})
    assert anonymous.status_code == 401
    moderator = await svc.client.get("/articles", params={"status": "draft"}, headers=MODERATOR)
    assert moderator.status_code == 403
    filtered = await svc.client.get(
        "/articles", params={"status": "draft", "tag": "x"}, headers=EDITOR
    )
    assert filtered.status_code == 400
    assert filtered.json()["error"]["code"] == "unsupported_filter"
    unknown = await svc.client.get("/articles", params={"status": "deleted"}, headers=EDITOR)
    assert unknown.status_code == 422

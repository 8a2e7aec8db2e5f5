"""Every pipeline step over HTTP against the real servers: status, reason codes, order."""

from __future__ import annotations

from tests.conftest import MODERATOR
from tests.unit.test_comments_evasions import BANNED, CAUGHT, INNOCENT, SUSPECT


async def _stored(comments, response):
    assert response.status_code == 201, response.text
    doc = await comments.comment(response.json()["id"])
    return doc["status"], doc["reasons"]


async def _ban(comments, email, **extra):
    response = await comments.client.post(
        "/moderation/bans", json={"email": email, **extra}, headers=MODERATOR
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_1_honeypot_is_spam_even_for_a_banned_author(comments):
    await _ban(comments, "bot@example.com")
    response = await comments.submit(author_email="bot@example.com", website="x")
    assert await _stored(comments, response) == ("spam", ["honeypot"])
    assert response.json()["status"] == "pending"  # silently


async def test_2_banned_author_is_rejected_and_told_neutrally(comments):
    ban = await _ban(comments, "Troll@Example.com", reason="abuse")
    assert ban["email"] == "troll@example.com"
    response = await comments.submit(author_email="troll@example.com")
    assert await _stored(comments, response) == ("rejected", ["banned_author"])
    assert response.json()["message_ar"] == "تعذّر نشر تعليقك."
    assert [c["id"] for c in await comments.queue("rejected")] == [response.json()["id"]]


async def test_2_expired_ban_and_lifted_ban_no_longer_apply(comments):
    ban = await _ban(comments, "once@example.com")
    assert (
        await comments.client.delete(f"/moderation/bans/{ban['id']}", headers=MODERATOR)
    ).status_code == 204
    assert (
        await comments.client.delete(f"/moderation/bans/{ban['id']}", headers=MODERATOR)
    ).status_code == 404
    lifted = await comments.submit(author_email="once@example.com")
    assert await _stored(comments, lifted) == ("pending", ["default_policy"])
    past = await comments.client.post(
        "/moderation/bans",
        headers=MODERATOR,
        json={"email": "old@example.com", "expires_at": "2001-01-01T00:00:00Z"},
    )
    assert past.status_code == 422 and "expires_at" in past.json()["error"]["fields"]
    await _ban(comments, "soon@example.com", expires_at="2999-01-01T00:00:00Z")
    banned = await comments.submit(author_email="soon@example.com")
    assert await _stored(comments, banned) == ("rejected", ["banned_author"])
    # an expired ban, as time would leave it (the ban and its copy on the writer's document)
    expired = banned.json()["created_at"]
    await comments.ctx.repo.bans.update_many({}, {"$set": {"expires_at": expired}})
    await comments.ctx.repo.authors.update_many(
        {"ban": {"$exists": True}}, {"$set": {"ban.expires_at": expired}}
    )
    later = await comments.submit(author_email="soon@example.com", body="بعد انتهاء الحظر")
    assert await _stored(comments, later) == ("pending", ["default_policy"])
    listed = await comments.client.get("/moderation/bans", headers=MODERATOR)
    assert [b["email"] for b in listed.json()["items"]] == ["soon@example.com"]


async def test_3_flood_by_email_or_ip_is_429_and_stores_nothing(comments):
    await comments.policy(flood_interval_seconds=15)
    first = await comments.submit(ip="192.0.2.1")
    assert first.status_code == 201
    same_email = await comments.submit(ip="192.0.2.2", body="آخر")
    same_ip = await comments.submit(ip="192.0.2.1", author_email="other@example.com", body="ثالث")
    for response in (same_email, same_ip):
        assert response.status_code == 429
        assert response.json()["error"]["code"] == "flood"
    assert await comments.ctx.repo.comments.count_documents({}) == 1
    other = await comments.submit(ip="192.0.2.3", author_email="other@example.com", body="رابع")
    assert other.status_code == 201


async def test_3_flood_comes_before_duplicate_and_after_ban(comments):
    await comments.policy(flood_interval_seconds=15)
    assert (await comments.submit(ip="192.0.2.9")).status_code == 201
    again = await comments.submit(ip="192.0.2.9")  # also a duplicate
    assert again.status_code == 429
    await _ban(comments, "sara@example.com")
    banned = await comments.submit(ip="192.0.2.9", body="جديد")
    assert await _stored(comments, banned) == ("rejected", ["banned_author"])


async def test_3_flood_interval_change_applies_without_restart(comments):
    await comments.policy(flood_interval_seconds=3600)
    assert (await comments.submit(ip="192.0.2.7")).status_code == 201
    assert (await comments.submit(ip="192.0.2.7", body="ب")).status_code == 429
    await comments.policy(flood_interval_seconds=0)
    assert (await comments.submit(ip="192.0.2.7", body="ج")).status_code == 201


async def test_4_duplicate_same_email_same_article_is_409(comments):
    await comments.publish("a2")
    assert (await comments.submit(body="نفس   النص")).status_code == 201
    duplicate = await comments.submit(body="نفس النص", author_name="اسم آخر")
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "duplicate_comment"
    assert (await comments.submit(body="نفس النص", author_email="b@example.com")).status_code == 201
    assert (await comments.submit("a2", body="نفس النص")).status_code == 201
    assert await comments.ctx.repo.comments.count_documents({}) == 3


async def test_5_banned_words_spam_and_suspect_words_hold(comments):
    await comments.policy(banned_words=BANNED, suspect_words=SUSPECT)
    spam = await comments.submit(body="أنت غَبِيٌّ جداً")
    assert await _stored(comments, spam) == ("spam", ["banned_word"])
    assert spam.json()["status"] == "pending"
    held = await comments.submit(body="الكاتب كذاب", author_email="b@example.com")
    assert await _stored(comments, held) == ("pending", ["suspect_word"])
    item = next(c for c in await comments.queue() if c["id"] == held.json()["id"])
    assert item["details"] == {
        "suspect_words": ["كذاب"],
        "matches": [{"word": "كذاب", "form": "كذاب", "rules": ["exact"], "action": "hold"}],
    }


async def test_5_arabic_evasion_table_over_http(comments):
    await comments.policy(banned_words=BANNED, suspect_words=SUSPECT, default_status="approved")
    for index, (how, text, word) in enumerate(CAUGHT):
        response = await comments.submit(body=text, author_email=f"e{index}@example.com")
        status, reasons = await _stored(comments, response)
        expected = ("pending", ["suspect_word"]) if word in SUSPECT else ("spam", ["banned_word"])
        assert (status, reasons) == expected, how
    for index, (why, text) in enumerate(INNOCENT):
        response = await comments.submit(body=text, author_email=f"i{index}@example.com")
        assert await _stored(comments, response) == ("approved", ["default_policy"]), why


async def test_6_links_at_the_limit_hold(comments):
    one = await comments.submit(body="المصدر: https://example.org/a")
    assert await _stored(comments, one) == ("pending", ["default_policy"])
    two = await comments.submit(
        body="https://a.example.org و www.b.example.org", author_email="l@example.com"
    )
    assert await _stored(comments, two) == ("pending", ["too_many_links"])
    await comments.policy(link_limit=3, default_status="approved")
    now_fine = await comments.submit(
        body="https://c.example.org و www.d.example.org", author_email="m@example.com"
    )
    assert await _stored(comments, now_fine) == ("approved", ["default_policy"])


async def test_7_premoderation_site_wide_and_per_article(comments):
    await comments.publish("a2")
    await comments.policy(default_status="approved")
    assert await _stored(comments, await comments.submit()) == ("approved", ["default_policy"])
    response = await comments.client.put(
        "/moderation/articles/a2/premoderation", json={"enabled": True}, headers=MODERATOR
    )
    assert response.json() == {"article_id": "a2", "premoderation": True}
    held = await comments.submit("a2", body="على المقال الثاني")
    assert await _stored(comments, held) == ("pending", ["article_premoderation"])
    await comments.publish("a2")  # a later article event keeps the per-article setting
    held = await comments.submit("a2", body="مرة أخرى")
    assert await _stored(comments, held) == ("pending", ["article_premoderation"])
    await comments.policy(premoderation=True)
    site = await comments.submit(body="والآن كل شيء ينتظر")
    assert await _stored(comments, site) == ("pending", ["premoderation"])


async def test_8_trusted_author_is_approved_unless_disabled(comments):
    first = await comments.submit(body="أول تعليق")
    assert await _stored(comments, first) == ("pending", ["default_policy"])
    await comments.act(first.json()["id"], "approve")
    second = await comments.submit(body="ثاني تعليق")
    assert await _stored(comments, second) == ("approved", ["trusted_author"])
    assert second.json()["message_ar"] == "نُشر تعليقك."
    held = await comments.submit(body="ثالث مع https://a.example و https://b.example")
    assert await _stored(comments, held) == ("pending", ["too_many_links"])
    await comments.policy(trusted_author_autoapprove=False)
    third = await comments.submit(body="رابع تعليق")
    assert await _stored(comments, third) == ("pending", ["default_policy"])


async def test_settings_defaults_partial_put_and_validation(comments, infra, isolation):
    from services.comments.main import create_app
    from tests.conftest import ADMIN
    from tests.helpers import app_client
    from tests.integration.comments.conftest import make_settings

    fresh = create_app(make_settings(infra, isolation, mongo_db=f"fresh_{isolation}"))
    async with app_client(fresh) as client:
        defaults = (await client.get("/moderation/settings", headers=ADMIN)).json()
    assert defaults == {
        "premoderation": False,
        "default_status": "pending",
        "trusted_author_autoapprove": True,
        "link_limit": 2,
        "banned_words": [],
        "suspect_words": [],
        "words": [],
        "allowed_phrases": [],
        "news_sites": [],
        "flood_interval_seconds": 15,
        "report_threshold": 3,
    }
    changed = await comments.policy(link_limit=5)
    assert (changed["link_limit"], changed["flood_interval_seconds"]) == (5, 0)
    bad = await comments.client.put(
        "/moderation/settings",
        headers=ADMIN,
        json={"link_limit": -1, "default_status": "spam", "x": 1},
    )
    assert bad.status_code == 422
    assert set(bad.json()["error"]["fields"]) == {"link_limit", "default_status", "x"}


async def test_8_trust_ends_with_the_last_approved_comment_and_comes_back(comments):
    """Trust is "has an approved comment" at every moment, whatever moved the statuses."""
    first = await comments.submit(body="أول تعليق")
    second = await comments.submit(body="ثاني تعليق")
    for response in (first, second):
        assert (await comments.act(response.json()["id"], "approve")).status_code == 200
    auto = await comments.submit(body="ثالث تعليق")
    assert await _stored(comments, auto) == ("approved", ["trusted_author"])
    for response in (first, second, auto):  # every approved comment of theirs leaves
        verdict = await comments.act(response.json()["id"], "reject", reason="off_topic")
        assert verdict.status_code == 200, verdict.text
    held = await comments.submit(body="رابع تعليق")
    assert await _stored(comments, held) == ("pending", ["default_policy"])
    assert (await comments.act(first.json()["id"], "restore")).status_code == 200
    assert (await comments.comment(first.json()["id"]))["status"] == "approved"
    again = await comments.submit(body="خامس تعليق")
    assert await _stored(comments, again) == ("approved", ["trusted_author"])


async def test_writers_documents_are_built_once_from_a_database_written_before_them(
    comments, infra, isolation
):
    """A database whose comments and bans predate the writers' documents: the service's
    start writes them from the comments and bans, once."""
    from services.comments.main import create_app
    from tests.helpers import app_client
    from tests.integration.comments.conftest import make_settings

    trusted = await comments.submit(author_email="old@example.com", body="تعليق قديم")
    await comments.act(trusted.json()["id"], "approve")
    await _ban(comments, "troll@example.com")
    repo = comments.ctx.repo
    await repo.authors.delete_many({})  # as an older version left the database
    await repo.settings.delete_one({"_id": "authors"})
    again = create_app(make_settings(infra, isolation))
    async with app_client(again) as client:
        payload = {"author_name": "قارئ", "body": "تعليق جديد"}
        url = "/articles/a1/comments"
        old = await client.post(url, json={**payload, "author_email": "old@example.com"})
        troll = await client.post(url, json={**payload, "author_email": "troll@example.com"})
    assert await _stored(comments, old) == ("approved", ["trusted_author"])
    assert await _stored(comments, troll) == ("rejected", ["banned_author"])
    assert await repo.authors.count_documents({}) == 2
    assert await repo.writers.reconcile(repo.db.client, repo.comments, repo.bans) == 0  # once

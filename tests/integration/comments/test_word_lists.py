"""Listed words over HTTP: per-word action and forms, allowed phrases, explained matches in the
queue, validation of the new policy fields, the forms suggestion, and stored old policies."""

from __future__ import annotations

from tests.conftest import ADMIN, MODERATOR

WORDS = [
    {"word": "خنزير", "action": "spam", "forms": ["خنازير"]},
    {"word": "حمار", "action": "hold", "forms": ["حمير"]},
]


async def _stored(comments, response):
    assert response.status_code == 201, response.text
    doc = await comments.comment(response.json()["id"])
    return doc["status"], doc["reasons"], doc.get("details", {})


async def test_words_act_per_word_and_explain_the_match(comments):
    await comments.policy(words=WORDS, default_status="approved")
    status, reasons, details = await _stored(comments, await comments.submit(body="يا 7mar"))
    assert (status, reasons) == ("pending", ["suspect_word"])
    assert details["matches"] == [
        {"word": "حمار", "form": "7mar", "rules": ["arabizi"], "action": "hold"}
    ]
    spam = await comments.submit(body="أنتم خ.ن.ا.ز.ي.ر", author_email="b@example.com")
    status, reasons, details = await _stored(comments, spam)
    assert (status, reasons, details["banned_words"]) == ("spam", ["banned_word"], ["خنزير"])
    assert details["matches"][0]["rules"] == ["separators", "broken_plural"]
    item = next(c for c in await comments.queue("spam") if c["id"] == spam.json()["id"])
    assert item["details"]["matches"][0]["form"] == "خ.ن.ا.ز.ي.ر"


async def test_allowed_phrase_is_not_a_match_but_the_word_elsewhere_is(comments):
    await comments.policy(
        words=WORDS, allowed_phrases=["انفلونزا الخنازير"], default_status="approved"
    )
    news = await comments.submit(body="عادت إنفلونزا الخنازير إلى تونس")
    assert (await _stored(comments, news))[:2] == ("approved", ["default_policy"])
    both = await comments.submit(
        body="انفلونزا الخنازير؟ أنتم الخنازير", author_email="c@example.com"
    )
    status, _, details = await _stored(comments, both)
    assert status == "spam"
    assert [m["form"] for m in details["matches"]] == ["الخنازير"]


async def test_old_lists_and_new_entries_work_together(comments):
    await comments.ctx.repo.save_policy({"banned_words": ["غبي"], "suspect_words": ["كذاب"]})
    settings = (await comments.client.get("/moderation/settings", headers=ADMIN)).json()
    assert (settings["words"], settings["allowed_phrases"]) == ([], [])
    await comments.policy(words=[{"word": "غبي", "action": "hold"}], default_status="approved")
    status, reasons, _ = await _stored(comments, await comments.submit(body="الغبيون"))
    assert (status, reasons) == ("pending", ["suspect_word"])  # the `words` entry wins


async def test_new_policy_fields_are_validated_and_change_nothing(comments):
    before = (await comments.client.get("/moderation/settings", headers=ADMIN)).json()
    bad = await comments.client.put(
        "/moderation/settings",
        headers=ADMIN,
        json={
            "words": [
                {"word": "!!!"},
                {"word": "كلب", "action": "delete"},
                {"word": "قرد", "forms": ["x"] * 21},
                {"word": "تيس", "extra": 1},
            ],
            "allowed_phrases": ["🙂", "a" * 201],
        },
    )
    assert bad.status_code == 422
    fields = set(bad.json()["error"]["fields"])
    assert {"words.0.word", "words.1.action", "words.2.forms", "words.3.extra"} <= fields
    assert {"allowed_phrases.0", "allowed_phrases.1"} <= fields
    after = (await comments.client.get("/moderation/settings", headers=ADMIN)).json()
    assert after == before


async def test_forms_suggestion(comments):
    response = await comments.client.get(
        "/moderation/words/suggest", params={"word": "كلب"}, headers=MODERATOR
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "كلاب" in body["broken_plural_candidates"]
    assert {"كلبان", "كلبين", "كلبون", "كلبات"} <= set(body["automatic"])
    empty = await comments.client.get(
        "/moderation/words/suggest", params={"word": "🙂"}, headers=MODERATOR
    )
    assert empty.status_code == 422 and "word" in empty.json()["error"]["fields"]
    anonymous = await comments.client.get("/moderation/words/suggest", params={"word": "كلب"})
    assert anonymous.status_code == 401


async def test_an_ambiguous_word_counts_only_in_an_insult_frame(comments):
    """A listed word flagged `ambiguous` (an animal that is also an insult) is not held in a
    news sentence, and is held when addressed to someone, with the frame in the explanation."""
    words = [{"word": "حمار", "action": "hold", "forms": ["حمير"], "ambiguous": True}]
    await comments.policy(words=words, default_status="approved")
    news = await comments.submit(body="سباق الحمير في مهرجان القرية هذا الصيف")
    assert (await _stored(comments, news))[:2] == ("approved", ["default_policy"])
    insult = await comments.submit(body="يا حمار", author_email="d@example.com")
    status, reasons, details = await _stored(comments, insult)
    assert (status, reasons) == ("pending", ["suspect_word"])
    assert "addressed" in details["matches"][0]["rules"]
    stored = (await comments.client.get("/moderation/settings", headers=ADMIN)).json()
    assert stored["words"][0]["ambiguous"] is True


async def test_an_advert_word_counts_only_in_an_advert(comments):
    """A spam word flagged `advert` (also news: a casino) passes in a news sentence and goes to
    spam in an advert, the advert's sign in the explanation; the flag is stored."""
    words = [{"word": "كازينو", "action": "spam", "advert": True}]
    await comments.policy(words=words, default_status="approved")
    news = await comments.submit(body="أرباح الكازينو الوحيد في المدينة تراجعت هذا العام")
    assert (await _stored(comments, news))[:2] == ("approved", ["default_policy"])
    advert = await comments.submit(body="كازينو جديد سجل الان واربح", author_email="e@example.com")
    status, reasons, details = await _stored(comments, advert)
    assert (status, reasons) == ("spam", ["banned_word"])
    assert "advert_call" in details["matches"][0]["rules"]
    stored = (await comments.client.get("/moderation/settings", headers=ADMIN)).json()
    assert stored["words"][0]["advert"] is True


async def test_without_the_flag_the_same_news_sentence_is_held(comments):
    await comments.policy(words=WORDS, default_status="approved")
    news = await comments.submit(body="سباق الحمير في مهرجان القرية هذا الصيف")
    assert (await _stored(comments, news))[:2] == ("pending", ["suspect_word"])


async def test_a_site_adds_its_own_news_sites_and_bad_ones_change_nothing(comments):
    """`news_sites`: a link to a listed paper cites a source, not an advert's link. Pasted
    addresses are kept as their host; anything that is not a host name is a 422 naming it."""
    words = [{"word": "كازينو", "action": "spam", "advert": True}]
    await comments.policy(words=words, default_status="approved")
    cited = "نقلا عن hespress.com: الحكومة تغلق الكازينو الوحيد في المدينة"
    before = await comments.submit(body=cited)
    status, _, details = await _stored(comments, before)
    assert status == "spam" and "advert_link" in details["matches"][0]["rules"]
    saved = await comments.client.put(
        "/moderation/settings",
        headers=ADMIN,
        json={"news_sites": ["https://www.Hespress.com/politique", " alwasat.ly "]},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["news_sites"] == ["hespress.com", "alwasat.ly"]
    after = await comments.submit(body=cited + " حقا", author_email="f@example.com")
    assert (await _stored(comments, after))[:2] == ("approved", ["default_policy"])
    advert = await comments.submit(
        body="كازينو اونلاين hespress.com.lucky-spins.xyz", author_email="g@example.com"
    )
    assert (await _stored(comments, advert))[0] == "spam"
    stored = (await comments.client.get("/moderation/settings", headers=ADMIN)).json()
    bad = await comments.client.put(
        "/moderation/settings",
        headers=ADMIN,
        json={"news_sites": ["hespress", "bad site.com", "x" * 300 + ".com", "جريدة.com"]},
    )
    assert bad.status_code == 422
    assert {f"news_sites.{i}" for i in range(4)} <= set(bad.json()["error"]["fields"])
    assert (await comments.client.get("/moderation/settings", headers=ADMIN)).json() == stored

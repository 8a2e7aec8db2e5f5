"""GET /search: Arabic-aware, ranked (BM25, title boosted), paged, snippets, follows events."""

from __future__ import annotations

import math
from collections import Counter

from services.related import search
from shared.arabic import analyze, stem, tokenize
from tests.integration.related.support import ant_articles, event

ECONOMY_TITLE = {
    "id": "eco-title", "slug": "اقتصاد-تونس", "title": "نمو اقتصاد تونس في الربع الأول",
    "summary": "", "paragraphs": ["أرقام جديدة عن النمو والتشغيل في البلاد."],
    "category": None, "tags": [],
}  # fmt: skip
ECONOMY_BODY = {
    "id": "eco-body", "slug": "مقال-عن-السياحة", "title": "موسم سياحي واعد",
    "summary": "", "paragraphs": ["قال الوزير إن السياحة تدعم الاقتصاد الوطني بقوة هذا العام."],
    "category": None, "tags": [],
}  # fmt: skip


def brute_force(articles: list[dict], q: str) -> list[str]:  # type: ignore[type-arg]
    """BM25 computed directly from every article's text, as the index must rank."""
    terms = search.query_terms(q)
    bags = {}
    for a in articles:
        text = "\n".join([a.get("summary") or "", *a["paragraphs"], " ".join(a.get("tags", []))])
        bags[a["id"]] = search.doc_terms(a["title"], text.strip())
    avg = sum(length for _, length in bags.values()) / len(bags)
    df = Counter(t for tf, _ in bags.values() for t in tf if t in terms)
    scores = {}
    for aid, (tf, length) in bags.items():
        score = 0.0
        for t in terms:
            if t in tf:
                f = search.TITLE_BOOST * tf[t][0] + tf[t][1]
                norm = search.K1 * (1 - search.B + search.B * length / avg)
                score += search.idf(len(bags), df[t]) * f * (search.K1 + 1) / (f + norm)
        if score:
            scores[aid] = round(score, 6)
    return [a for a, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))]


async def test_search_finds_inflected_forms_ranks_pages_and_highlights(start_related):
    articles = [*ant_articles(30), ECONOMY_TITLE, ECONOMY_BODY]
    async with start_related() as related:
        client = related.client
        await related.send(*(event("published", a, 1) for a in articles))
        await related.processed(len(articles))

        found = (await client.get("/search", params={"q": "والاقتصاد"})).json()
        ids = [i["id"] for i in found["items"]]
        assert ids[0] == "eco-title"  # matched in its (short) title: boosted above body matches
        assert ids == brute_force(articles, "والاقتصاد")[:10]
        body_hit = found["items"][ids.index("eco-body")]
        assert body_hit["slug"] == "مقال-عن-السياحة" and body_hit["summary"]
        assert body_hit["highlights"]
        for start, end in body_hit["highlights"]:
            word = body_hit["snippet"][start:end]
            assert {stem(t) for t in tokenize(word)} & set(analyze("اقتصاد")), word
        assert "\n" not in body_hit["snippet"] and "<" not in body_hit["snippet"]

        for q in ("تونس", "كرة القدم الترجي", "الحكومة"):
            expected = brute_force(articles, q)
            seen, cursor = [], None
            while True:
                params = {"q": q, "limit": 3, **({"cursor": cursor} if cursor else {})}
                page = (await client.get("/search", params=params)).json()
                seen += [i["id"] for i in page["items"]]
                cursor = page["next_cursor"]
                if not cursor:
                    break
            assert seen == expected, q
            assert len(seen) == len(set(seen))

        await related.send(event("unpublished", ECONOMY_TITLE, 2))
        changed = {**ECONOMY_BODY, "paragraphs": ["لم يعد النص يذكر ذلك الموضوع."]}
        await related.send(event("updated", changed, 2))
        await related.processed(len(articles) + 2)
        after = (await client.get("/search", params={"q": "اقتصاد"})).json()
        assert {"eco-title", "eco-body"}.isdisjoint(i["id"] for i in after["items"])
        again = (await client.get("/search", params={"q": "الموضوع"})).json()
        assert "eco-body" in [i["id"] for i in again["items"]]


async def test_search_bad_input(start_related):
    async with start_related() as related:
        client = related.client
        for params in ({}, {"q": ""}, {"q": "   "}, {"q": "ا" * 201}):
            response = await client.get("/search", params=params)
            assert response.status_code == 422, params
            assert "q" in response.json()["error"]["fields"]
        stop_only = await client.get("/search", params={"q": "في من على"})
        assert stop_only.status_code == 200 and stop_only.json()["items"] == []
        for cursor in ("nope", "WzEsMiwzXQ"):
            bad = await client.get("/search", params={"q": "تونس", "cursor": cursor})
            assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_cursor"
        assert (await client.get("/search", params={"q": "تونس", "limit": 0})).status_code == 422


def test_snippet_window_and_offsets():
    text = " ".join(["كلمة"] * 50 + ["والاقتصاد", "الوطني"] + ["نص"] * 50)
    snippet, highlights = search.snippet(text, search.query_terms("اقتصاد"))
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert [snippet[s:e] for s, e in highlights] == ["والاقتصاد"]
    assert len(snippet.split()) <= search.SNIPPET_WORDS + 2
    assert math.isclose(search.idf(10, 10), math.log(1 + 0.5 / 10.5))


def test_snippet_highlights_a_word_with_an_invisible_character_whole():
    """A word joiner or zero-width space inside a word (pasted text) does not cut it in two:
    the snippet uses the one character table of shared.arabic."""
    for invisible in ("\u2060", "\u200b", "\ufeff", "\u061c"):
        word = f"المؤ{invisible}تمر"
        snippet, highlights = search.snippet(f"افتتح {word} اليوم", search.query_terms("مؤتمر"))
        assert [snippet[s:e] for s, e in highlights] == [word], repr(invisible)

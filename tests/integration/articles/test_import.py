"""The ANT import command and the seed article parser."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from scripts.import_ant import import_records, main, read_records
from scripts.seed import parse_seed, seed_article, split_breadcrumb
from shared.events import ARTICLES_STREAM
from tests.helpers import eventually
from tests.integration.articles.conftest import Svc

SEED = Path("/work/shared/samples/seed-article-ar.txt")


def _record(docno: str, category: str = "sport", **fields: str) -> dict[str, str]:
    return {
        "docno": docno,
        "url": "http://x",
        "source": "Jawhara FM",
        "category": category,
        "title": f"عنوان {docno}",
        "time": "2017-01-20T21:43:00+01:00",
        "abstract": "",
        "text": "الفقرة الأولى.\nالفقرة الثانية.  \n\n",
        **fields,
    }


RECORDS = [
    _record("JA-sport-1"),
    _record("JA-sport-2", abstract="ملخص"),
    _record("JA-culture-1", category="culture"),
    _record("JA-bad-1", title=""),  # the corpus has 27 of these: skipped as invalid
    _record("JA-bad-2", text=""),
]


def _write(path: Path, records: list[dict[str, str]]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


async def test_import_publishes_with_categories_and_events_and_does_not_duplicate(
    svc: Svc, tmp_path
):
    path = _write(tmp_path / "articles.jsonl.gz", RECORDS)
    summary = await import_records(svc.runtime, read_records(path), progress=False)
    assert (summary.imported, summary.existing, summary.invalid) == (3, 0, 2)
    again = await import_records(svc.runtime, read_records(path), progress=False)
    assert (again.imported, again.existing, again.invalid) == (0, 3, 2)
    assert await svc.article_count() == 3
    items = (await svc.client.get("/articles", params={"category": "رياضة"})).json()["items"]
    assert sorted(i["title"] for i in items) == ["عنوان JA-sport-1", "عنوان JA-sport-2"]
    article = (await svc.client.get(f"/articles/{items[0]['id']}")).json()
    assert article["body"] == [
        {"type": "paragraph", "text": "الفقرة الأولى."},
        {"type": "paragraph", "text": "الفقرة الثانية."},
    ]
    assert article["published_at"].startswith("2017-01-20T20:43:00")
    assert article["author"]["name"] == "Jawhara FM" and article["breadcrumb"][0]["name"] == "رياضة"
    names = {c["name"] for c in (await svc.client.get("/categories")).json()["items"]}
    assert names == {"رياضة", "ثقافة"}
    events = await svc.events()
    assert [e["type"] for e in events] == ["article.published"] * 3
    stream = svc.runtime.settings.stream(ARTICLES_STREAM)

    async def relayed() -> bool:
        return await svc.runtime.redis.xlen(stream) == 3

    await eventually(relayed)


async def test_an_interrupted_import_publishes_the_draft_it_left(svc: Svc, tmp_path):
    path = _write(tmp_path / "a.jsonl.gz", RECORDS[:1])
    await import_records(svc.runtime, read_records(path), progress=False)
    await svc.runtime.db.articles.update_many({}, {"$set": {"status": "draft"}})
    summary = await import_records(svc.runtime, read_records(path), progress=False)
    assert summary.imported == 1 and await svc.article_count() == 1
    assert len((await svc.client.get("/articles")).json()["items"]) == 1


def test_command_line_runs_against_the_configured_database(settings, tmp_path, monkeypatch, capsys):
    path = _write(tmp_path / "a.jsonl.gz", RECORDS)
    monkeypatch.setenv("MONGO_URL", settings.mongo_url.get_secret_value())
    monkeypatch.setenv("REDIS_URL", settings.redis_url.get_secret_value())
    monkeypatch.setenv("ARTICLES_MONGO_DB", settings.mongo_db)
    monkeypatch.setenv("ARTICLES_STREAM_PREFIX", settings.stream_prefix)
    assert main([str(path), "--limit", "2"]) == 0
    assert "imported 2, already there 0, skipped as invalid 0" in capsys.readouterr().out


def test_breadcrumb_without_separator_splits_on_known_category_names():
    assert split_breadcrumb("أخبار العالمالشرق الأوسط") == ["أخبار العالم", "الشرق الأوسط"]
    assert split_breadcrumb("أخبار العالم › الشرق الأوسط") == ["أخبار العالم", "الشرق الأوسط"]
    assert split_breadcrumb("رياضة") == ["رياضة"]


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed article is not on this machine")
def test_seed_page_parses_into_breadcrumb_title_headings_and_paragraphs():
    seed = parse_seed(SEED.read_text(encoding="utf-8"))
    assert seed.breadcrumb == ["أخبار العالم", "الشرق الأوسط"]
    assert seed.title.startswith("الأردن وسوريا يتعهدان بتعزيز التعاون الأمني")
    headings = [b["text"] for b in seed.blocks if b["type"] == "heading"]
    assert headings == [
        "التعاون الأمني المشترك",
        "أهمية التنسيق بين الأردن وسوريا",
        "المستقبل الأمني في المنطقة",
    ]
    assert [b["type"] for b in seed.blocks].count("paragraph") == 6
    assert not any(
        b["text"].startswith(("اظهر", "مقالات", "اترك", "لن يتم", "إغلاق")) for b in seed.blocks
    )


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed article is not on this machine")
async def test_seed_article_is_published_once_under_its_breadcrumb(svc: Svc):
    first = await seed_article(svc.runtime, SEED)
    again = await seed_article(svc.runtime, SEED)
    assert first["_id"] == again["_id"] and await svc.article_count() == 1
    article = (await svc.client.get(f"/articles/{first['slug']}")).json()
    assert [c["name"] for c in article["breadcrumb"]] == ["أخبار العالم", "الشرق الأوسط"]
    assert article["summary"].startswith("تعهدت الأردن وسوريا")
    assert [e["type"] for e in await svc.events()] == ["article.published"]


async def test_real_date_formats_are_parsed_and_undated_records_are_refused(svc: Svc, tmp_path):
    records = [
        _record("JA-d-1", time="19/06/2016"),  # 27 corpus records look like this
        _record("JA-d-2", time="2017-01-22T185600"),  # local time of the Tunis station
        _record("JA-d-3", time="2016-03-05"),
        _record("JA-d-4", time="hier"),
        _record("JA-d-5", time=""),
        _record("JA-d-6", time="31/02/2016"),
    ]
    path = _write(tmp_path / "dates.jsonl.gz", records)
    summary = await import_records(svc.runtime, read_records(path), progress=False)
    assert (summary.imported, summary.undated) == (3, 3)
    assert "without a usable date 3" in str(summary)
    dates = {
        a["title"]: a["published_at"] for a in (await svc.client.get("/articles")).json()["items"]
    }
    assert dates == {
        "عنوان JA-d-2": "2017-01-22T17:56:00Z",
        "عنوان JA-d-1": "2016-06-19T11:00:00Z",
        "عنوان JA-d-3": "2016-03-05T11:00:00Z",
    }
    newest = (await svc.client.get("/articles")).json()["items"][0]
    assert newest["title"] == "عنوان JA-d-2"  # newest first: old news never tops the list


async def test_reimport_corrects_a_date_an_older_import_set_to_its_own_day(svc: Svc, tmp_path):
    path = _write(tmp_path / "d.jsonl.gz", [_record("JA-x-1", time="19/06/2016")])
    await import_records(svc.runtime, read_records(path), progress=False)
    doc = await svc.runtime.db.articles.find_one({})
    from datetime import UTC, datetime

    await svc.runtime.db.articles.update_one(
        {"_id": doc["_id"]}, {"$set": {"published_at": datetime.now(UTC)}}
    )
    summary = await import_records(svc.runtime, read_records(path), progress=False)
    assert (summary.imported, summary.existing, summary.redated) == (0, 1, 1)
    article = (await svc.client.get(f"/articles/{doc['_id']}")).json()
    assert article["published_at"] == "2016-06-19T11:00:00Z"
    assert [e["type"] for e in await svc.events()][-1] == "article.updated"

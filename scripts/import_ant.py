"""Import the ANT corpus (JSONL, gzipped or not) as published articles, through the service code.

    python -m scripts.import_ant [PATH] [--limit N]

Categories come from the corpus labels (named in Arabic); every article is created and
published by the articles service's own use cases, so its events go through the outbox.
Re-running skips what is already there (keyed on the corpus `docno`).

Dates: the corpus writes them as ISO 8601 with an offset, as local ISO time without one
(`2017-01-22T185600`) or as a bare day (`19/06/2016`). Times without an offset are the
station's local time (Jawhara FM, Africa/Tunis); a bare day is taken at local noon. A record
whose date cannot be read is refused and counted (never published with today's date), and a
re-run corrects the date of an article an older import published with the wrong one.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from tqdm import tqdm

from services.articles import catalog, service
from services.articles.config import Settings
from services.articles.domain import Limits
from services.articles.repository import ArticleRepository
from services.articles.schemas import ArticleCreate
from shared.runtime import Runtime, running

DEFAULT_PATH = Path("data/ant-subset/articles.jsonl.gz")
SOURCE_TZ = ZoneInfo("Africa/Tunis")  # Jawhara FM, the corpus' one source
_DAY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SAME_TIME = timedelta(minutes=1)
CATEGORY_NAMES = {
    "culture": "ثقافة",
    "diverse": "منوعات",
    "economy": "اقتصاد",
    "internationalNews": "أخبار العالم",
    "localNews": "أخبار محلية",
    "politic": "سياسة",
    "society": "مجتمع",
    "sport": "رياضة",
    "technology": "تكنولوجيا",
}


@dataclass
class Summary:
    imported: int = 0
    existing: int = 0
    invalid: int = 0
    undated: int = 0
    redated: int = 0

    def __str__(self) -> str:
        return (
            f"imported {self.imported}, already there {self.existing}, "
            f"skipped as invalid {self.invalid}, without a usable date {self.undated}, "
            f"dates corrected {self.redated}"
        )


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSONL file (gzipped when it ends in .gz)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:  # type: ignore[operator]
        for line in lines:
            if line.strip():
                yield json.loads(line)


def to_article(record: dict[str, Any], category: str | None) -> ArticleCreate:
    """The create request of one corpus record; ValidationError when it lacks title or text."""
    paragraphs = [p.strip() for p in str(record.get("text") or "").split("\n") if p.strip()]
    return ArticleCreate(
        title=str(record.get("title") or ""),
        body=[{"type": "paragraph", "text": p} for p in paragraphs],  # type: ignore[misc]
        summary=str(record.get("abstract") or "")[:2000],
        category=category,
        author=record.get("source") or None,
    )


def published_time(record: dict[str, Any]) -> datetime | None:
    """When the record was published (UTC), or None when its date cannot be read."""
    value = str(record.get("time") or "").strip()
    day = _DAY.match(value)
    try:
        if day:
            d, m, y = (int(g) for g in day.groups())
            moment = datetime.combine(datetime(y, m, d).date(), time(12), SOURCE_TZ)
        elif _ISO_DAY.match(value):
            moment = datetime.combine(datetime.fromisoformat(value).date(), time(12), SOURCE_TZ)
        else:
            moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SOURCE_TZ)
    moment = moment.astimezone(UTC)
    if not datetime(1990, 1, 1, tzinfo=UTC) <= moment <= datetime.now(UTC) + timedelta(days=1):
        return None
    return moment


def _limits(runtime: Runtime) -> Limits:
    """The size limits of the articles service's settings (the defaults for other settings)."""
    settings = runtime.settings
    return settings.limits() if isinstance(settings, Settings) else Limits()


async def import_one(
    runtime: Runtime,
    *,
    source_ref: str,
    categories: list[str],
    record: dict[str, Any],
    build: Any = to_article,
    published_at: datetime | None = None,
) -> bool:
    """Create and publish one article unless `source_ref` is already published; True if new."""
    repo = ArticleRepository(runtime.db)
    existing = await repo.get_by_source(source_ref)
    if existing is not None and existing["status"] != "draft":
        return False
    if existing is None:
        leaf = await catalog.ensure_path(repo, categories) if categories else None
        data = build(record, leaf["_id"] if leaf else None)
        existing = await service.create_article(
            repo=repo, uow=runtime, data=data, limits=_limits(runtime), source_ref=source_ref
        )
    await service.transition(  # a draft left by an interrupted run is published now
        repo=repo,
        uow=runtime,
        article_id=existing["_id"],
        action="publish",
        expected=None,
        published_at=published_at,
    )
    return True


async def redate(runtime: Runtime, source_ref: str, published_at: datetime) -> bool:
    """Correct the date of an article an older import published with another; True if done."""
    repo = ArticleRepository(runtime.db)
    existing = await repo.get_by_source(source_ref)
    if existing is None or existing["status"] != "published":
        return False
    held = existing.get("published_at")
    if held is not None and abs(held - published_at) < _SAME_TIME:
        return False
    await service.set_published_at(
        repo=repo, uow=runtime, article_id=existing["_id"], published_at=published_at
    )
    return True


async def import_records(
    runtime: Runtime,
    records: Iterable[dict[str, Any]],
    *,
    total: int | None = None,
    progress: bool = True,
) -> Summary:
    """Import corpus records as published articles; safe to run again."""
    await ArticleRepository(runtime.db).ensure_indexes()
    summary = Summary()
    # disable=None: a bar on a terminal only, never \r lines in a log file
    bars = tqdm(records, total=total, unit="article", disable=None if progress else True)
    for record in bars:
        label = str(record.get("category") or "")
        names = [CATEGORY_NAMES.get(label, label)] if label else []
        try:
            to_article(record, None)  # validate before creating any category
            published_at = published_time(record)
            if published_at is None:
                summary.undated += 1
                continue
            if await redate(runtime, f"ant:{record['docno']}", published_at):
                summary.existing += 1
                summary.redated += 1
                continue
            new = await import_one(
                runtime,
                source_ref=f"ant:{record['docno']}",
                categories=names,
                record=record,
                published_at=published_at,
            )
        except (ValidationError, KeyError):
            summary.invalid += 1
            continue
        if new:
            summary.imported += 1
        else:
            summary.existing += 1
    return summary


def _limited(records: Iterator[dict[str, Any]], limit: int | None) -> Iterator[dict[str, Any]]:
    for index, record in enumerate(records):
        if limit is not None and index >= limit:
            return
        yield record


async def run(path: Path, *, limit: int | None = None, settings: Settings | None = None) -> Summary:
    """Open the service's database and broker (for the outbox relay) and import `path`."""
    runtime = Runtime(settings or Settings())
    async with running(runtime):
        return await import_records(runtime, _limited(read_records(path), limit), total=limit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--limit", type=int, default=None, help="import at most N records")
    args = parser.parse_args(argv)
    summary = asyncio.run(run(args.path, limit=args.limit))
    print(f"ANT import: {summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

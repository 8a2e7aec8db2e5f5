"""The seed article: a real article page (plain text) parsed into breadcrumb, title and blocks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.import_ant import CATEGORY_NAMES, import_one
from services.articles.repository import ArticleRepository
from services.articles.schemas import ArticleCreate
from shared.runtime import Runtime

# Page furniture after the article text: "load more", related, the comment form, buttons.
CHROME = (
    "اظهر المزيد",
    "مقالات ذات صلة",
    "اترك تعليقاً",
    "اترك تعليقا",
    "لن يتم نشر",
    "زر الذهاب إلى الأعلى",
    "إغلاق",
)
_SEPARATORS = ("›", "»", ">", "/", "|")
_FINAL_PUNCTUATION = tuple('.!?؟:؛…"”»)')
HEADING_MAX = 80


@dataclass
class SeedArticle:
    breadcrumb: list[str]
    title: str
    blocks: list[dict[str, str]] = field(default_factory=list)


def split_breadcrumb(line: str, known: set[str] | None = None) -> list[str]:
    """Breadcrumb parts, by separator or, when the page lost them, by known category names."""
    for separator in _SEPARATORS:
        if separator in line:
            return [part.strip() for part in line.split(separator) if part.strip()]
    for name in sorted(known or set(CATEGORY_NAMES.values()), key=len, reverse=True):
        rest = line[len(name) :].strip()
        if line.startswith(name) and rest:
            return [name, *split_breadcrumb(rest, known)]
    return [line.strip()]


def _is_heading(line: str, following: str | None) -> bool:
    short = len(line) <= HEADING_MAX and not line.endswith(_FINAL_PUNCTUATION)
    return short and following is not None and len(following) > len(line)


def parse_seed(text: str) -> SeedArticle:
    """First line the breadcrumb, then the title, then headings and paragraphs up to the chrome."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    body: list[str] = []
    for line in lines[2:]:
        if line.startswith(CHROME):
            break
        body.append(line)
    blocks = [
        {"type": "heading" if _is_heading(line, nxt) else "paragraph", "text": line}
        for line, nxt in zip(body, [*body[1:], None], strict=True)
    ]
    return SeedArticle(breadcrumb=split_breadcrumb(lines[0]), title=lines[1], blocks=blocks)


async def seed_article(runtime: Runtime, path: Path) -> dict[str, Any]:
    """Create and publish the seed article (once) under its breadcrumb categories."""
    seed = parse_seed(path.read_text(encoding="utf-8"))
    source_ref = "seed:" + hashlib.sha1(seed.title.encode()).hexdigest()[:12]
    repo = ArticleRepository(runtime.db)
    await repo.ensure_indexes()
    first = next((b["text"] for b in seed.blocks if b["type"] == "paragraph"), "")

    def build(_record: dict[str, Any], category: str | None) -> ArticleCreate:
        return ArticleCreate.model_validate(
            {"title": seed.title, "body": seed.blocks, "summary": first, "category": category}
        )

    await import_one(
        runtime, source_ref=source_ref, categories=seed.breadcrumb, record={}, build=build
    )
    doc = await repo.get_by_source(source_ref)
    assert doc is not None
    return doc

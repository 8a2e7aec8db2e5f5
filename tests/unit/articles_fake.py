"""An in-memory `ArticleRepository` for the articles use-case tests (no server).

It keeps what the MongoDB one keeps and answers the same way where use cases rely on it: a
slug taken by another article raises DuplicateKeyError, compare-and-set misses a moved
version, reads return copies (never the stored dict).
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any

from services.articles import tags
from services.articles.domain import Doc
from services.articles.repository import LIVE, ArticleRepository, Keyset, Session
from shared import mongo


def _copy(doc: Doc | None) -> Doc | None:
    return copy.deepcopy(doc)


class FakeArticleRepository(ArticleRepository):
    def __init__(self) -> None:
        super().__init__(db=None)  # type: ignore[arg-type]  # every method used is overridden
        self.articles: dict[str, Doc] = {}
        self.slugs: dict[str, str] = {}  # slug -> article id
        self.categories: dict[str, Doc] = {}
        self.tag_counts: dict[str, int] = {}
        self.comment_states: dict[str, Doc] = {}
        self.taken_meanwhile: dict[str, str] = {}  # slug -> the article a racing writer holds

    # --- articles ---

    async def get(self, article_id: str, session: Session = None) -> Doc | None:
        return _copy(self.articles.get(article_id))

    async def get_by_slug(self, slug: str, session: Session = None) -> Doc | None:
        found = next((d for d in self.articles.values() if d.get("slug") == slug), None)
        return _copy(found)

    async def get_by_source(self, source_ref: str, session: Session = None) -> Doc | None:
        found = (d for d in self.articles.values() if d.get("source_ref") == source_ref)
        return _copy(next(found, None))

    async def bodies(self, ids: list[str], session: Session = None) -> dict[str, list[Doc]]:
        return {i: copy.deepcopy(self.articles[i].get("body") or []) for i in ids}

    async def insert(self, doc: Doc, session: Session = None) -> None:
        if doc["_id"] in self.articles or await self.get_by_slug(doc["slug"]):
            raise mongo.DuplicateKeyError("duplicate key", code=11000)
        self.articles[doc["_id"]] = copy.deepcopy(doc)

    async def compare_and_set(
        self, article_id: str, version: int, changes: Doc, session: Session = None
    ) -> Doc | None:
        doc = self.articles.get(article_id)
        if doc is None or doc["version"] != version:
            return None
        doc.update(copy.deepcopy(changes))
        doc["version"] += 1
        return _copy(doc)

    async def claim_due(self, now: datetime, session: Session = None) -> Doc | None:
        for doc in sorted(self.articles.values(), key=lambda d: d["_id"]):
            if doc["status"] == "scheduled" and doc["publish_at"] <= now:
                doc.update(status="published", published_at=now, updated_at=now)
                doc.pop("publish_at", None)
                doc["version"] += 1
                return _copy(doc)
        return None

    async def list_published(
        self, *, category: str | None, tag: str | None, after: Keyset | None, limit: int
    ) -> list[Doc]:
        docs = [
            d
            for d in self.articles.values()
            if d["status"] == "published"
            and (category is None or category in d.get("category_path", []))
            and (tag is None or tag in d.get("tags", []))
        ]
        return self._keyset(docs, "published_at", after, limit)

    async def list_by_status(self, *, status: str, after: Keyset | None, limit: int) -> list[Doc]:
        docs = [d for d in self.articles.values() if d["status"] == status]
        return self._keyset(docs, "updated_at", after, limit)

    @staticmethod
    def _keyset(docs: list[Doc], field: str, after: Keyset | None, limit: int) -> list[Doc]:
        ordered = sorted(docs, key=lambda d: (d[field], d["_id"]), reverse=True)
        if after is not None:
            ordered = [d for d in ordered if (d[field], d["_id"]) < after]
        return [{k: v for k, v in copy.deepcopy(d).items() if k != "body"} for d in ordered][:limit]

    async def count_in_category(self, slug: str, session: Session = None) -> int:
        return sum(
            1
            for d in self.articles.values()
            if slug in d.get("category_path", []) and d["status"] in LIVE
        )

    async def changed(self, *, since: datetime | None, ids: list[str] | None) -> AsyncIterator[Doc]:
        for doc in sorted(self.articles.values(), key=lambda d: d["_id"]):
            if (doc["_id"] in ids) if ids else doc["updated_at"] >= since:
                yield copy.deepcopy(doc)

    # --- slugs ---

    async def slug_owner(self, slug: str, session: Session = None) -> str | None:
        return self.slugs.get(slug)

    async def reserve_slug(self, slug: str, article_id: str, session: Session = None) -> None:
        if slug in self.taken_meanwhile:  # another writer committed it after we chose it
            self.slugs[slug] = self.taken_meanwhile.pop(slug)
        if self.slugs.setdefault(slug, article_id) != article_id:
            raise mongo.DuplicateKeyError("duplicate key", code=11000)

    # --- categories ---

    async def get_category(self, slug: str, session: Session = None) -> Doc | None:
        return _copy(self.categories.get(slug))

    async def find_category(
        self, *, name: str, parent: str | None, session: Session = None
    ) -> Doc | None:
        found = (c for c in self.categories.values() if (c["name"], c["parent"]) == (name, parent))
        return _copy(next(found, None))

    async def insert_category(self, doc: Doc, session: Session = None) -> None:
        if doc["_id"] in self.categories or await self.find_category(
            name=doc["name"], parent=doc["parent"]
        ):
            raise mongo.DuplicateKeyError("duplicate key", code=11000)
        self.categories[doc["_id"]] = copy.deepcopy(doc)

    async def list_categories(self, session: Session = None) -> list[Doc]:
        return [copy.deepcopy(c) for c in sorted(self.categories.values(), key=lambda c: c["path"])]

    async def has_children(self, slug: str, session: Session = None) -> bool:
        return any(c["parent"] == slug for c in self.categories.values())

    async def delete_category(self, slug: str, session: Session = None) -> bool:
        return self.categories.pop(slug, None) is not None

    # --- tag counts ---

    async def move_tag_counts(
        self, before: Mapping[str, Any] | None, after: Mapping[str, Any], session: Session = None
    ) -> None:
        for tag, delta in tags.count_deltas(before, after).items():
            self.tag_counts[tag] = self.tag_counts.get(tag, 0) + delta

    # --- comment counts ---

    async def comment_state(self, comment_id: str, session: Session = None) -> Doc | None:
        return _copy(self.comment_states.get(comment_id))

    async def save_comment_state(self, state: Doc, session: Session = None) -> None:
        self.comment_states[state["_id"]] = copy.deepcopy(state)

    async def add_comments(self, article_id: str, delta: int, session: Session = None) -> None:
        doc = self.articles.get(article_id)
        if doc is not None and doc["comment_count"] + delta >= 0:
            doc["comment_count"] += delta

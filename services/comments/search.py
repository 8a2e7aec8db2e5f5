"""Moderators' search, pure: the index keys a comment carries and the keys a search asks for.

A comment stores one multikey field, `keys`, indexed with its status and creation time:
- `w:<form>`  each body word and its clitic/pronoun-stripped forms (Arabic-normalized),
- `n:<form>`  the same for the author's name,
- `e:<hash>`  the HMAC hash of the author's email (the address itself is never a key),
- `a:<id>`    the article,
- `r:<code>`  the pipeline's reason codes and the moderator's last reason.
A search picks its most selective key for the index and checks the others on the fetched
documents, so every search is one index-served range however many filters it combines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.arabic import moderation_forms, moderation_key, tokenize

MAX_WORD_KEYS = 600  # a long comment's later words are not searchable; bounds the index cost
# Most selective first: one author, one article, then words (longer ones rarer), reasons last.
_PRIORITY = {"e": 0, "a": 1, "n": 2, "w": 3, "r": 4}


def _word_keys(prefix: str, text: str, cap: int) -> list[str]:
    keys: dict[str, None] = {}
    for token in tokenize(text):
        for form in moderation_forms(token):
            keys[f"{prefix}:{form}"] = None
        if len(keys) >= cap:
            break
    return list(keys)[:cap]


def comment_keys(doc: dict[str, Any]) -> list[str]:
    """Every search key of a stored comment (recomputed whenever its reasons change)."""
    codes = [*doc.get("reasons", []), doc.get("moderation_reason")]
    return [
        f"e:{doc['email_hash']}",
        f"a:{doc['article_id']}",
        *(f"r:{code}" for code in dict.fromkeys(codes) if code),
        *_word_keys("n", doc.get("author_name", ""), 50),
        *_word_keys("w", doc.get("body", ""), MAX_WORD_KEYS),
    ]


def _query_words(prefix: str, text: str | None) -> list[str]:
    return [f"{prefix}:{moderation_key(t)}" for t in tokenize(text or "") if moderation_key(t)]


@dataclass(frozen=True)
class Filters:
    """What a moderator searches for inside one status; every part optional."""

    text: str | None = None
    author: str | None = None
    email_hash: str | None = None
    article_id: str | None = None
    reason: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def keys(self) -> list[str]:
        """The keys a matching comment must all carry, most selective first."""
        keys = [
            *([f"e:{self.email_hash}"] if self.email_hash else []),
            *([f"a:{self.article_id}"] if self.article_id else []),
            *([f"r:{self.reason}"] if self.reason else []),
            *_query_words("n", self.author),
            *_query_words("w", self.text),
        ]
        unique = list(dict.fromkeys(keys))
        return sorted(unique, key=lambda k: (_PRIORITY[k[0]], -len(k)))

    @property
    def empty_words(self) -> bool:
        """Text or author given but nothing searchable in it (only punctuation, say)."""
        return bool(
            (self.text and not _query_words("w", self.text))
            or (self.author and not _query_words("n", self.author))
        )


def matches(doc: dict[str, Any], keys: list[str], filters: Filters) -> bool:
    """Whether a fetched comment satisfies every filter (the index served the first key)."""
    held = set(doc.get("keys") or comment_keys(doc))
    if not all(k in held for k in keys):
        return False
    created = doc["created_at"]
    if filters.since and created < filters.since:
        return False
    return not (filters.until and created >= filters.until)

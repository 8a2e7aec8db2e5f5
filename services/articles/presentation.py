"""What a page shows besides the stored fields: excerpt, reading time, author, image sources.

Pure functions. The excerpt and reading time are computed when the body is written and stored
with the article, so lists (which do not read bodies) carry them too.
"""

# Arabic letters in strings and comments are intended.

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

EXCERPT_CHARS = 200
WORDS_PER_MINUTE = 200  # adult silent reading of Arabic prose, rounded (commonly 180-200)
_WORD = re.compile(r"[^\W_]+")
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f\\<>\"']")

Fields = Mapping[str, Any]  # a body block or an article document, read only


def block_words(block: Fields) -> str:
    """The readable text of a stored block (an image's caption)."""
    if block.get("type") == "image":
        return str(block.get("caption") or "")
    return str(block.get("text") or "")


def excerpt(body: Sequence[Fields], *, limit: int = EXCERPT_CHARS) -> str:
    """The first paragraph (else the first text at all), cut at a word boundary with '…'."""
    texts = [str(b.get("text") or "").strip() for b in body if b.get("type") == "paragraph"]
    texts += [block_words(b).strip() for b in body]
    first = next((t for t in texts if t), "")
    first = " ".join(first.split())
    if len(first) <= limit:
        return first
    cut = first[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ،,.;؛:-") + "…"


def reading_time_minutes(body: Sequence[Fields]) -> int:
    """Whole minutes to read the body at WORDS_PER_MINUTE, at least 1."""
    words = sum(len(_WORD.findall(block_words(b))) for b in body)
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def body_fields(body: Sequence[Fields]) -> dict[str, Any]:
    """The stored fields derived from a body."""
    return {"excerpt": excerpt(body), "reading_time_minutes": reading_time_minutes(body)}


def display_summary(doc: Fields) -> tuple[str, bool]:
    """(summary, is_excerpt): the editor's summary, else the excerpt, else the title."""
    summary = str(doc.get("summary") or "").strip()
    if summary:
        return summary, False
    fallback = doc.get("excerpt")
    if fallback is None and "body" in doc:
        fallback = excerpt(doc["body"])
    return (str(fallback or "").strip() or str(doc.get("title") or "")), True


def is_image_src(src: str) -> bool:
    """An http(s) URL with a host, or a site-relative path ('/media/a.jpg', not '//host')."""
    if not src or len(src) > 2000 or _UNSAFE.search(src):
        return False
    if src.startswith("/"):
        return not src.startswith("//")
    try:
        parts = urlsplit(src)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)

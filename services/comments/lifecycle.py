"""Pure rules after submission: status transitions, the article read model, cursors, threads."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from shared import pagination

Action = Literal["approve", "reject", "spam", "restore"]
ACTIONS: tuple[str, ...] = get_args(Action)
_TARGET = {"approve": "approved", "reject": "rejected", "spam": "spam"}
RejectReason = Literal[
    "abusive", "off_topic", "spam_like", "personal_data", "illegal", "duplicate", "other"
]
REJECT_REASONS: tuple[str, ...] = get_args(RejectReason)
PUBLIC = "approved"


class InvalidTransition(ValueError):
    """The action does not apply to the comment's current status."""


def target_status(action: str, current: str, previous: str | None) -> str:
    """The status an action leads to; restore goes back to the status before the last change."""
    if action == "restore":
        if not previous or previous == current:
            raise InvalidTransition(f"nothing to restore from {current}")
        return previous
    target = _TARGET[action]
    if target == current:
        raise InvalidTransition(f"already {current}")
    return target


def valid_actions(current: str, previous: str | None) -> list[str]:
    """The actions that apply to a comment in `current` status (the queue offers only these)."""
    valid = []
    for action in ACTIONS:
        try:
            target_status(action, current, previous)
        except InvalidTransition:
            continue  # not offered: the answer to "which apply", not an error
        valid.append(action)
    return valid


def reaches_threshold(reports: int, threshold: int, status: str) -> bool:
    """Reader reports send an approved comment back to the queue at the threshold."""
    return status == PUBLIC and reports >= threshold


# --- article read model (from article events) ---------------------------------------------

_STATUS_OF_EVENT = {
    "article.published": "published",
    "article.updated": None,  # keep the snapshot's status
    "article.unpublished": "unpublished",
    "article.deleted": "deleted",
}


def read_model_fields(
    held: dict[str, Any] | None,
    *,
    event_type: str,
    version: int,
    snapshot_status: str,
    comments_open: bool,
    title: str = "",
    slug: str = "",
) -> dict[str, Any] | None:
    """The new read-model fields, or None when the event is stale or the article is deleted.

    The title and slug are kept for the moderators' page, current as of the newest event.
    """
    if held and (held.get("deleted") or version <= int(held.get("version", 0))):
        return None
    status = _STATUS_OF_EVENT.get(event_type) or snapshot_status
    return {
        "status": status,
        "comments_open": comments_open,
        "version": version,
        "deleted": status == "deleted",
        "title": title,
        "slug": slug,
    }


def accepts_comments(article: dict[str, Any] | None) -> Literal["ok", "unknown", "closed"]:
    """Whether an article takes comments: published and open."""
    if not article or article.get("deleted") or article.get("status") != "published":
        return "unknown"
    return "ok" if article.get("comments_open", True) else "closed"


# --- cursors and threads ------------------------------------------------------------------


def page_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    """The sort key of a list cursor; 400 when the client made it up."""
    return pagination.keyset_or_400(cursor)


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The (created_at, id) sort key inside a cursor; ValueError when it is not one."""
    return pagination.decode_keyset(cursor)


def split_page(docs: list[dict[str, Any]], limit: int) -> tuple[list[dict[str, Any]], str | None]:
    """Trim a limit+1 fetch to the page and make the cursor of the next one."""
    if len(docs) <= limit:
        return docs, None
    page = docs[:limit]
    return page, pagination.encode_cursor([page[-1]["created_at"].isoformat(), page[-1]["_id"]])


def thread(roots: list[dict[str, Any]], replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Nest replies (oldest first) under their nearest visible ancestor among the page's roots."""
    nodes = {c["id"]: {**c, "replies": []} for c in [*roots, *replies]}
    for reply in sorted(replies, key=lambda c: (c["created_at"], c["id"])):
        ancestors = reply.get("ancestors") or []
        home = next((nodes[a] for a in reversed(ancestors) if a in nodes), None)
        if home is not None:
            home["replies"].append(nodes[reply["id"]])
    for node in nodes.values():
        node.pop("ancestors", None)
    return [nodes[r["id"]] for r in roots]

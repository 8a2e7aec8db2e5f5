"""The comments service's own error answers (the shared ones are in shared.errors)."""

from __future__ import annotations

import math

from shared.errors import ApiError, not_found

_REFUSALS = {
    "flood": (
        "flood",
        "You are commenting too fast; wait a few seconds.",
        "أنت تعلّق بسرعة كبيرة؛ انتظر بضع ثوانٍ.",
    ),
    "duplicate": (
        "duplicate_comment",
        "You already posted this comment.",
        "سبق أن نشرت هذا التعليق.",
    ),
}


def refused(reason: str, status: int, retry_after_s: float | None = None) -> ApiError:
    """A submission nothing was stored for: too fast (429, Retry-After) or a repeat (409)."""
    code, message, message_ar = _REFUSALS[reason]
    headers = (
        None if retry_after_s is None else {"Retry-After": str(max(1, math.ceil(retry_after_s)))}
    )
    return ApiError(status, code, message, message_ar, headers=headers)


def comments_closed() -> ApiError:
    return ApiError(
        409,
        "comments_closed",
        "Comments are closed on this article.",
        "التعليقات مغلقة على هذا المقال.",
    )


def already_reported() -> ApiError:
    return ApiError(
        409,
        "already_reported",
        "You already reported this comment.",
        "سبق أن أبلغت عن هذا التعليق.",
    )


def comment_not_found() -> ApiError:
    return not_found("Comment", "التعليق")


def invalid_transition(message: str) -> ApiError:
    return ApiError(
        409, "invalid_transition", message, "لا يمكن تطبيق هذا الإجراء على حالة التعليق."
    )


def concurrent_change() -> ApiError:
    return ApiError(
        409,
        "concurrent_change",
        "The comment changed meanwhile; reload.",
        "تغيّر التعليق في الأثناء؛ أعد التحميل.",
    )

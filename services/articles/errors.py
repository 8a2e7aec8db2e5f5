"""The articles service's client errors, in the shared error shape."""

from __future__ import annotations

from shared import errors
from shared.errors import ApiError


def not_found() -> ApiError:
    return errors.not_found("Article", "المقال")


def stale(current: int) -> ApiError:
    return ApiError(
        412,
        "version_conflict",
        "The article was changed by someone else; reload it and try again.",
        "عدّل شخص آخر المقال؛ أعد تحميله وحاول مجدداً.",
        {"If-Match": f"current version is {current}"},
    )


def bad_if_match() -> ApiError:
    return ApiError(
        400,
        "invalid_if_match",
        'If-Match must look like "3".',
        'يجب أن تكون قيمة If-Match مثل "3".',
        {"If-Match": "malformed"},
    )


def unsupported_filter(field: str) -> ApiError:
    return ApiError(
        400,
        "unsupported_filter",
        "category and tag filter published articles only.",
        "التصفية حسب التصنيف أو الوسم للمقالات المنشورة فقط.",
        {field: "published only"},
    )


def invalid_transition(action: str, status: str) -> ApiError:
    return ApiError(
        409,
        "invalid_transition",
        f"Cannot {action} an article that is {status}.",
        "لا يمكن تنفيذ هذا الإجراء على المقال في حالته الحالية.",
        {"status": status},
    )


def body_too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        "body_too_large",
        f"The article body exceeds {limit // 1024} KB.",
        f"نص المقال أكبر من {limit // 1024} كيلوبايت.",
        {"body": "too large"},
    )


def slug_taken(slug: str) -> ApiError:
    return ApiError(
        409,
        "slug_taken",
        "This slug is already used by another article.",
        "هذا المعرّف مستخدم لمقال آخر.",
        {"slug": slug},
    )


def invalid_slug() -> ApiError:
    return errors.validation_failed(
        {"slug": "no letters or digits"},
        "The slug has no letters or digits.",
        "المعرّف لا يحتوي على حروف أو أرقام.",
    )


def publish_at_not_future() -> ApiError:
    return errors.validation_failed(
        {"publish_at": "must be in the future"},
        "publish_at must be in the future.",
        "يجب أن يكون موعد النشر في المستقبل.",
    )


def unknown_category(slug: str) -> ApiError:
    return ApiError(
        422,
        "unknown_category",
        f"No category with slug {slug!r}.",
        "التصنيف غير موجود.",
        {"category": "unknown category"},
    )

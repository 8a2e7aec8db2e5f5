"""The one error shape: {"error": {"code", "message", "message_ar", "fields"}}."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from shared import mongo

log = logging.getLogger("akhbar.http")


class ErrorDetail(BaseModel):
    code: str
    message: str
    message_ar: str
    fields: dict[str, str]


class ErrorBody(BaseModel):
    """Every error response of every service (documented in OpenAPI)."""

    error: ErrorDetail


class ApiError(Exception):
    """An error a client can act on; raised by services, rendered by the handler below."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        message_ar: str,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code = status, code
        self.message, self.message_ar = message, message_ar
        self.fields = fields or {}
        self.headers = headers


def error_body(
    code: str, message: str, message_ar: str, fields: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "message_ar": message_ar,
            "fields": fields or {},
        }
    }


def error_response(err: ApiError) -> JSONResponse:
    return JSONResponse(
        error_body(err.code, err.message, err.message_ar, err.fields),
        status_code=err.status,
        headers=err.headers,
    )


# --- the builders every service uses for the errors they share -----------------------------


def not_found(what: str = "resource", what_ar: str = "المورد") -> ApiError:
    """404 not_found naming what is missing, e.g. `not_found("Article", "المقال")`."""
    return ApiError(404, "not_found", f"{what} not found.", f"{what_ar} غير موجود.")


def invalid_cursor() -> ApiError:
    """400 invalid_cursor: a list's cursor that was not made by the service (or was altered)."""
    return ApiError(
        400,
        "invalid_cursor",
        "The cursor is not valid; start again from the first page.",
        "مؤشر الصفحة غير صالح؛ ابدأ من الصفحة الأولى.",
        {"cursor": "invalid"},
    )


def peer_unavailable(peer: str | None = None, peer_ar: str | None = None) -> ApiError:
    """503 peer_unavailable: another service this operation reads did not answer (not our bug,
    nor the client's: retry shortly). `peer` names it when the caller knows which."""
    if peer is None or peer_ar is None:
        message = "A service this operation needs did not answer; try again shortly."
        message_ar = "خدمة يحتاجها هذا الطلب لم تستجب؛ حاول مجدداً بعد قليل."
    else:
        message = f"The {peer} service could not be read; try again shortly."
        message_ar = f"تعذرت القراءة من خدمة {peer_ar}؛ حاول مجدداً بعد قليل."
    return ApiError(503, "peer_unavailable", message, message_ar, headers={"Retry-After": "5"})


def invalid_json() -> ApiError:
    """400 invalid_json: a body the JSON parser refused."""
    return ApiError(
        400, "invalid_json", "The request body is not valid JSON.", "جسم الطلب ليس JSON صالحاً."
    )


VALIDATION_FAILED = ("Some fields are missing or invalid.", "بعض الحقول ناقصة أو غير صالحة.")


def validation_failed(
    fields: dict[str, str], message: str | None = None, message_ar: str | None = None
) -> ApiError:
    """422 validation_failed naming each field at fault (the one builder of this error).

    The message is the generic one unless the caller has a more precise sentence for it.
    """
    generic, generic_ar = VALIDATION_FAILED
    return ApiError(422, "validation_failed", message or generic, message_ar or generic_ar, fields)


# pydantic error type -> (English, Arabic) message for the field.
_FIELD_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("This field is required.", "هذا الحقل مطلوب."),
    "extra_forbidden": ("Unknown field.", "حقل غير معروف."),
    "string_too_short": (
        "Must not be empty or is too short.",
        "لا يمكن أن يكون فارغاً أو أنه قصير جداً.",
    ),
    "string_too_long": ("Too long.", "النص أطول من المسموح."),
    "too_short": ("Must not be empty.", "لا يمكن أن يكون فارغاً."),
    "too_long": ("Too many items.", "عدد العناصر أكثر من المسموح."),
    "value_error": ("Invalid value.", "قيمة غير صالحة."),
    "literal_error": ("Not one of the allowed values.", "ليست من القيم المسموحة."),
    "enum": ("Not one of the allowed values.", "ليست من القيم المسموحة."),
    "string_type": ("Must be text.", "يجب أن يكون نصاً."),
    "int_parsing": ("Must be a whole number.", "يجب أن يكون عدداً صحيحاً."),
    "bool_parsing": ("Must be true or false.", "يجب أن يكون true أو false."),
    "bool_type": ("Must be true or false.", "يجب أن يكون true أو false."),
    "datetime_parsing": (
        "Must be an ISO-8601 date and time.",
        "يجب أن يكون تاريخاً ووقتاً بصيغة ISO-8601.",
    ),
    "datetime_from_date_parsing": (
        "Must be an ISO-8601 date and time.",
        "يجب أن يكون تاريخاً ووقتاً بصيغة ISO-8601.",
    ),
    "datetime_out_of_range": (
        "Must be a date between 1970 and 3000.",
        "يجب أن يكون تاريخاً بين 1970 و3000.",
    ),
    "timezone_aware": (
        "Must include a time zone offset (e.g. +03:00 or Z).",
        "يجب أن يتضمن فرق التوقيت (مثل +03:00 أو Z).",
    ),
    "greater_than_equal": ("Too small.", "القيمة أصغر من المسموح."),
    "less_than_equal": ("Too large.", "القيمة أكبر من المسموح."),
    "model_attributes_type": ("Must be an object.", "يجب أن يكون كائناً."),
    "dict_type": ("Must be an object.", "يجب أن يكون كائناً."),
    "list_type": ("Must be a list.", "يجب أن يكون قائمة."),
}
_EMAIL = ("Not a valid email address.", "عنوان البريد الإلكتروني غير صالح.")


def invalid_field(field: str, message: str, message_ar: str, arabic: bool) -> ApiError:
    """422 validation_failed naming one field, in the caller's language."""
    return validation_failed({field: message_ar if arabic else message})


def prefers_arabic(request: Request) -> bool:
    """True when Accept-Language ranks Arabic first (the site's language is the default)."""
    header = request.headers.get("accept-language", "")
    if not header.strip():
        return True
    first = header.split(",")[0].split(";")[0].strip().lower()
    return first.startswith("ar")


def _field_name(loc: tuple[Any, ...]) -> str:
    # Drop only the location prefix: a field may itself be called "body" (article blocks).
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def _field_message(error: dict[str, Any], arabic: bool) -> str:
    kind = error.get("type", "")
    if kind == "value_error" and "email" in str(error.get("msg", "")).lower():
        english, ar = _EMAIL
    elif kind in _FIELD_MESSAGES:
        english, ar = _FIELD_MESSAGES[kind]
    else:
        english, ar = str(error.get("msg", "Invalid value.")), "قيمة غير صالحة."
    return ar if arabic else english


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(invalid_json())
    arabic = prefers_arabic(request)
    fields: dict[str, str] = {}
    for error in errors:
        fields.setdefault(_field_name(tuple(error.get("loc", ()))), _field_message(error, arabic))
    return error_response(validation_failed(fields))


async def _api_error_handler(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc)


_HTTP_CODES: dict[int, tuple[str, str, str]] = {
    404: ("not_found", "Not found.", "غير موجود."),
    405: ("method_not_allowed", "Method not allowed.", "الطريقة غير مسموحة."),
    401: ("unauthorized", "Authentication required.", "يلزم تسجيل الدخول."),
    403: ("forbidden", "Not allowed.", "غير مسموح."),
}


def allowed_methods(request: Request) -> str:
    """Every method the app serves on this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.router.routes):
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= set(route.methods or ())
    return ", ".join(sorted(methods))


async def _http_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, message, message_ar = _HTTP_CODES.get(
        exc.status_code, ("http_error", str(exc.detail), "خطأ في الطلب.")
    )
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = allowed_methods(request) or headers.get("Allow", "")
    return JSONResponse(
        error_body(code, message, message_ar), status_code=exc.status_code, headers=headers
    )


async def _unavailable(_: Request, exc: Exception) -> JSONResponse:
    # The database is down or unreachable (ServerSelectionTimeout, AutoReconnect, ...): the
    # client may retry; this is not a bug of ours nor of theirs.
    log.warning("database unavailable: %s", type(exc).__name__)
    return JSONResponse(
        error_body(
            "unavailable",
            "The service is temporarily unavailable; try again shortly.",
            "الخدمة غير متاحة مؤقتاً؛ حاول مجدداً بعد قليل.",
        ),
        status_code=503,
        headers={"Retry-After": "5"},
    )


def internal_error_response() -> JSONResponse:
    """The 500 every unexpected failure becomes: the error shape, no internals."""
    return JSONResponse(
        error_body("internal_error", "Something went wrong on our side.", "حدث خطأ من جانبنا."),
        status_code=500,
    )


async def _peer_unavailable(_: Request, exc: Exception) -> JSONResponse:
    # Another service this one reads (a rebuild's source) did not answer: not our bug.
    log.warning("peer service unavailable: %s", type(exc).__name__)
    return error_response(peer_unavailable())


async def _unhandled(_: Request, exc: Exception) -> JSONResponse:
    """Backstop only: shared.http.RequestIdMiddleware answers (and logs) unexpected errors."""
    log.exception("unhandled error: %s", type(exc).__name__)
    return internal_error_response()


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(mongo.ConnectionFailure, _unavailable)
    app.add_exception_handler(httpx.HTTPError, _peer_unavailable)
    app.add_exception_handler(Exception, _unhandled)

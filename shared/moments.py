"""The one rule for every date a client sends: a real, timezone-aware moment in a sane window.

Python's datetime reaches year 9999, BSON and the UTC conversion do not; a client date outside
[EARLIEST, LATEST) is refused as a 422 naming the field (or a 400 cursor), never a 500.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator
from pydantic_core import PydanticCustomError

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)
OUT_OF_RANGE = "datetime_out_of_range"


def in_window(moment: datetime) -> bool:
    """True for an aware datetime inside the window (compared without converting it)."""
    return moment.tzinfo is not None and EARLIEST <= moment < LATEST


def _checked(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # a date without an offset is read as UTC
        moment = moment.replace(tzinfo=UTC)
    if not in_window(moment):
        raise PydanticCustomError(
            OUT_OF_RANGE,
            "Date must be between {earliest} and {latest}",
            {"earliest": EARLIEST.year, "latest": LATEST.year},
        )
    return moment.astimezone(UTC)


_NUMBER = re.compile(r"[+-]?\d+(\.\d*)?([eE][+-]?\d+)?")


def _iso_only(value: Any) -> Any:
    """An ISO 8601 text (or a datetime from code), never a number read as a Unix time."""
    if isinstance(value, datetime) or (
        isinstance(value, str) and not _NUMBER.fullmatch(value.strip())
    ):
        return value
    raise PydanticCustomError("datetime_type", "Input should be an ISO 8601 date-time")


# Requires an offset (publish_at): naive input fails as `timezone_aware` first.
Moment = Annotated[AwareDatetime, BeforeValidator(_iso_only), AfterValidator(_checked)]
# Accepts a naive date as UTC (ban expiry typed in a form).
UtcMoment = Annotated[datetime, BeforeValidator(_iso_only), AfterValidator(_checked)]

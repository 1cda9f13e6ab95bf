"""One timestamp format in every delivered payload: UTC, ISO 8601, ending in `Z`.

    at: Timestamp            # a datetime field of a payload model
    format_utc(datetime)     # "2026-11-22T02:43:44.123456Z"

A timestamp given in another zone is converted to UTC; a naive one (no zone) is refused,
because nobody could tell which instant it means. Seconds from the epoch (what LiveKit's
metrics carry) are read as UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

# What every timestamp in the payload matches (the JSON Schema says so too).
UTC_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$"


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_utc(value: Any) -> Any:
    """A datetime (aware), an ISO string or epoch seconds, as an aware UTC datetime."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"timestamp {value.isoformat()} has no time zone: give it in UTC "
                "(datetime.now(UTC), or a string ending in Z)"
            )
        return value.astimezone(UTC)
    return value


def format_utc(value: datetime) -> str:
    """`value` in UTC as `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`."""
    text = to_utc(value).replace(tzinfo=None).isoformat()
    return f"{text}Z"


Timestamp = Annotated[
    datetime,
    BeforeValidator(to_utc),
    PlainSerializer(format_utc, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": UTC_PATTERN}),
]
"""A datetime that is always UTC in the payload: `2026-11-22T02:43:44.123456Z`."""

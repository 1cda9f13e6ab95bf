"""Where what must survive a crash is kept, and how long the caller's identity stays."""

from __future__ import annotations

from pydantic import Field, field_validator

from config.section import Section
from store.url import parse_database_url


class StoreSettings(Section):
    database_url: str = Field(
        default="sqlite:///data/calls.db",
        description="sqlite:///path/to/file.db, or postgresql://user@host/db for fleets.",
    )
    caller_identity_retention_days: int | None = Field(
        default=90,
        ge=0,
        description="Days caller identity is kept on consent records (empty: forever).",
    )

    @field_validator("database_url")
    @classmethod
    def _parses(cls, value: str) -> str:
        parse_database_url(value)  # its ValueError says what is wrong and how to fix it
        return value

"""Where what must survive a crash is kept."""

from __future__ import annotations

from pydantic import Field, field_validator

from config.section import Section


class StoreSettings(Section):
    database_url: str = Field(
        default="sqlite:///data/calls.db",
        description="sqlite:///path/to/file.db, or postgresql://user@host/db for fleets.",
    )

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError(
                "must start with sqlite:/// (a file) or postgresql:// (a server), "
                f"got {value.split(':', 1)[0]!r}"
            )
        return value

"""What the caller hears when something goes wrong, outside the consent question."""

from __future__ import annotations

from pydantic import Field

from config.section import Section


class WordingSettings(Section):
    error_apology: str = Field(
        default="Sorry, I'm having trouble on my side. Could you say that again?",
        min_length=1,
        description="Said when a model fails mid-call and no fallback answered.",
    )

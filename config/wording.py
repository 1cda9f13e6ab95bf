"""What the caller hears when something goes wrong, outside the consent question."""

from __future__ import annotations

from pydantic import Field

from config.section import Section


class WordingSettings(Section):
    error_apology: str = Field(
        default="Sorry, I'm having trouble on my side. Could you say that again?",
        min_length=1,
        description="Said when the LLM fails mid-call and no fallback answered.",
    )
    hearing_trouble: str = Field(
        default="Sorry, I'm having trouble hearing you right now. Please bear with me.",
        min_length=1,
        description="Said when speech recognition fails mid-call and no fallback answered.",
    )
    out_of_service: str = Field(
        default=(
            "Sorry, we can't take your call right now because of a technical problem. "
            "Please call again in a few minutes. Goodbye."
        ),
        min_length=1,
        description="Said, then the call ends, when the call can't be handled safely "
        "(e.g. the store for consent records is unreachable).",
    )

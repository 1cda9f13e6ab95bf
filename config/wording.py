"""What the caller hears when something goes wrong or the call hits a limit, outside the
consent question."""

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
    silence_goodbye: str = Field(
        default=(
            "I haven't heard from you for a while, so I'll end the call now. Please call "
            "again any time. Goodbye."
        ),
        min_length=1,
        description="Said, then the call ends, after CALL_SILENCE_TIMEOUT without the caller.",
    )
    max_duration_goodbye: str = Field(
        default=(
            "I'm sorry, we've reached the time limit for this call, so I have to end it now. "
            "Please call again if you need more help. Goodbye."
        ),
        min_length=1,
        description="Said, then the call ends, when the call reaches CALL_MAX_DURATION.",
    )

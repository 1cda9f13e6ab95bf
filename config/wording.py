"""What the caller hears when something goes wrong, outside the consent question.

Unset, each line is the language file's (`call:` in consent/languages/<CONSENT_LANGUAGE>.yaml).
"""

from __future__ import annotations

from pydantic import Field

from config.section import Section


class WordingSettings(Section):
    error_apology: str | None = Field(
        default=None,
        min_length=1,
        description="Said when the LLM fails mid-call and no fallback answered.",
    )
    hearing_trouble: str | None = Field(
        default=None,
        min_length=1,
        description="Said when speech recognition fails mid-call and no fallback answered.",
    )
    out_of_service: str | None = Field(
        default=None,
        min_length=1,
        description="Said, then the call ends, when the call can't be handled safely "
        "(e.g. the store for consent records is unreachable).",
    )

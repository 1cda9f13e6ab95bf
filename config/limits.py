"""The line's limits: a caller who goes silent, and a call that runs too long.

Both end the call with fixed words (never a model's; unset, the language file's `call:`
lines) and say so in the record (`ended_reason`: `silence_timeout`, `max_duration`). An
empty value turns a limit off.
"""

from __future__ import annotations

from pydantic import Field, ValidationInfo, field_validator

from config.section import INVALID, Section

FROM_LANGUAGE = "Unset: the language file's words."


class LimitSettings(Section):
    # -- silence (LiveKit's user_away_timeout and user_state_changed) ---------------------
    silence_prompt_seconds: float | None = Field(
        default=15.0,
        gt=0,
        le=600,
        description=(
            "Seconds of silence, while the agent waits for the caller, before it asks once if "
            "they are still there (empty: never)."
        ),
    )
    silence_hangup_seconds: float = Field(
        default=15.0,
        gt=0,
        le=600,
        description="Seconds of silence after that question before the goodbye and hang-up.",
    )
    silence_prompt: str | None = Field(
        default=None,
        min_length=1,
        description="The question, verbatim. Unset: the language file's words.",
    )
    silence_goodbye: str | None = Field(
        default=None,
        min_length=1,
        description="Said before hanging up on a silent caller. Unset: the language file's words.",
    )

    # -- maximum call duration ------------------------------------------------------------
    max_call_seconds: float | None = Field(
        default=1800.0,
        gt=0,
        description="The longest a call may last, from its start (empty: no limit).",
    )
    max_call_warning_seconds: float = Field(
        default=60.0,
        ge=0,
        description="How long before that limit the caller hears the wrap-up words.",
    )
    max_call_warning: str | None = Field(
        default=None,
        min_length=1,
        description="The wrap-up words, verbatim. Unset: the language file's words.",
    )
    max_call_goodbye: str | None = Field(
        default=None,
        min_length=1,
        description="Said at the limit, before hanging up. Unset: the language file's words.",
    )

    @field_validator("max_call_warning_seconds")
    @classmethod
    def _warning_before_the_limit(cls, value: float, info: ValidationInfo) -> float:
        limit = cls.earlier(info, "max_call_seconds")
        if limit is not INVALID and limit is not None and value >= limit:
            raise ValueError(
                f"must be less than MAX_CALL_SECONDS ({limit:g}): the wrap-up comes before "
                "the limit (0: no wrap-up words)"
            )
        return value

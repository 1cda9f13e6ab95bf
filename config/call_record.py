"""What the call record carries beyond the basics: transcript, analysis, cost.

CALL_RECORD_TRANSCRIPT=true      # the transcript in the record (never words without consent)
CALL_ANALYSIS=true               # a summary of every call (one model call after it ends)
CALL_ANALYSIS_TIMEOUT=3          # seconds; the record is stored without it after
CALL_SUCCESS_QUESTION=           # e.g. "Was the caller's problem resolved?" (unset: none)
CALL_SUCCESS_SCALE=pass_fail     # or score_1_5
USAGE_PRICES=                    # JSON price table: a cost estimate in the record
USAGE_CURRENCY=USD
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from config.section import Section

SuccessScale = Literal["pass_fail", "score_1_5"]


class ModelPrice(BaseModel):
    """Prices of one model, per unit of what LiveKit reports for it (any that apply)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    per_million_prompt_tokens: Decimal | None = Field(default=None, ge=0)
    per_million_cached_prompt_tokens: Decimal | None = Field(default=None, ge=0)
    per_million_completion_tokens: Decimal | None = Field(default=None, ge=0)
    per_minute_audio: Decimal | None = Field(default=None, ge=0)
    per_million_characters: Decimal | None = Field(default=None, ge=0)


_PRICE_EXAMPLE = (
    '{"openai/gpt-4.1-mini": {"per_million_prompt_tokens": 0.4, '
    '"per_million_completion_tokens": 1.6}, "deepgram/nova-3": {"per_minute_audio": 0.0077}}'
)


class CallRecordSettings(Section):
    call_record_transcript: bool = Field(
        default=True,
        description="Put the transcript in the call record. Words are only ever kept after the "
        "caller's yes to recording, and form answers marked sensitive are masked.",
    )
    call_analysis: bool = Field(
        default=True,
        validation_alias=AliasChoices("forms_summary", "call_analysis"),
        description="Summarize every call (and evaluate it, with CALL_SUCCESS_QUESTION): one "
        "model call after the call ends. A form's `ending.summary` wins for its calls. "
        "(FORMS_SUMMARY is read too.)",
    )
    call_analysis_timeout: float = Field(
        default=3.0,
        gt=0,
        le=3.5,
        validation_alias=AliasChoices("forms_summary_timeout", "call_analysis_timeout"),
        description="Seconds to wait for the analysis before storing the record without it. At "
        "most 3.5: the job's shutdown waits about 4 s for the record (LiveKit kills a job at "
        "about 10 s). (FORMS_SUMMARY_TIMEOUT is read too.)",
    )
    call_success_question: str | None = Field(
        default=None,
        min_length=3,
        description="The success question the analysis answers, e.g. 'Was the caller's "
        "problem resolved?' (unset: no success evaluation).",
    )
    call_success_scale: SuccessScale = Field(
        default="pass_fail", description="pass_fail, or score_1_5 (1 worst, 5 best)."
    )
    usage_prices: dict[str, ModelPrice] = Field(
        default_factory=dict,
        description="JSON: model name (as the record's usage shows it) -> prices, e.g. "
        f"{_PRICE_EXAMPLE}. Unset: no cost estimate.",
    )
    usage_currency: str = Field(
        default="USD", pattern=r"^[A-Z]{3}$", description="The currency of USAGE_PRICES."
    )

    @field_validator("usage_prices", mode="before")
    @classmethod
    def _prices(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            table = json.loads(value)
        except ValueError as exc:
            raise ValueError(f"is not JSON ({exc}); write it like {_PRICE_EXAMPLE}") from None
        if not isinstance(table, dict):
            raise ValueError(f"must be a JSON object of model -> prices, like {_PRICE_EXAMPLE}")
        for model, prices in table.items():
            try:
                ModelPrice.model_validate(prices)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                known = ", ".join(ModelPrice.model_fields)
                raise ValueError(
                    f"{model!r}: {where + ': ' if where else ''}{first['msg']} (prices are "
                    f"numbers ≥ 0 named {known})"
                ) from None
        return table

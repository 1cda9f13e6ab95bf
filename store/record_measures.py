"""The measured parts of the call record: durations, latency, usage and its cost, analysis.

All durations are in seconds. Latency figures are LiveKit's own per-turn metrics
(`ChatMessage.metrics`); usage is LiveKit's session usage (`AgentSession.usage`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from store.timestamps import Timestamp


class _Block(BaseModel):
    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)


class Stats(_Block):
    count: int
    p50: float
    p95: float
    max: float


class TurnLatency(_Block):
    at: Timestamp = Field(description="When the agent's answer started.")
    agent: str | None = None
    e2e_latency: float | None = Field(
        default=None, description="The caller's end of speech to the agent's first audio."
    )
    end_of_turn_delay: float | None = Field(
        default=None, description="End of speech to the decision that the caller's turn ended."
    )
    transcription_delay: float | None = Field(
        default=None, description="End of speech to the final transcript."
    )
    llm_ttft: float | None = Field(default=None, description="LLM time to first token.")
    tts_ttfb: float | None = Field(default=None, description="TTS time to first audio byte.")


class Latency(_Block):
    turns: list[TurnLatency] = Field(
        default_factory=list, description="Every agent answer LiveKit measured, in order."
    )
    e2e_latency: Stats | None = None
    end_of_turn_delay: Stats | None = None
    transcription_delay: Stats | None = None
    llm_ttft: Stats | None = None
    tts_ttfb: Stats | None = None


class Timings(_Block):
    call_seconds: float = Field(description="started_at to ended_at.")
    to_consent_question_seconds: float | None = Field(
        default=None, description="started_at to the consent question's first audio."
    )
    consent_question_seconds: float | None = Field(
        default=None, description="How long the consent question played."
    )
    latency: Latency = Field(default_factory=Latency)


class LLMUsage(_Block):
    provider: str
    model: str
    prompt_tokens: int = 0
    prompt_cached_tokens: int = 0
    completion_tokens: int = 0


class STTUsage(_Block):
    provider: str
    model: str
    audio_seconds: float = 0.0


class TTSUsage(_Block):
    provider: str
    model: str
    characters: int = 0
    audio_seconds: float = 0.0


class CostItem(_Block):
    kind: Literal["llm", "stt", "tts"]
    model: str
    amount: str = Field(description="Decimal, in `currency`.")


class CostEstimate(_Block):
    currency: str
    total: str = Field(description="Decimal: the sum of `items`.")
    items: list[CostItem]
    unpriced: list[str] = Field(
        default_factory=list, description="Models used with no price in USAGE_PRICES."
    )


class Usage(_Block):
    llm: list[LLMUsage] = Field(default_factory=list, description="Per model, analysis included.")
    stt: list[STTUsage] = Field(default_factory=list)
    tts: list[TTSUsage] = Field(default_factory=list)
    cost: CostEstimate | None = Field(
        default=None, description="Only when USAGE_PRICES is configured: an estimate."
    )


class SuccessEvaluation(_Block):
    question: str
    scale: Literal["pass_fail", "score_1_5"]
    passed: bool | None = Field(default=None, description="pass_fail: the verdict.")
    score: int | None = Field(default=None, ge=1, le=5, description="score_1_5: the score.")
    reason: str = Field(description="One sentence: why.")


AnalysisStatus = Literal["done", "off", "timed_out", "failed"]


class Analysis(_Block):
    status: AnalysisStatus = Field(
        description="done, off (CALL_ANALYSIS=false), timed_out or failed (`error` says why): "
        "the record is delivered either way."
    )
    model: str | None = None
    seconds: float | None = Field(default=None, description="How long the analysis call took.")
    error: str | None = None
    success: SuccessEvaluation | None = Field(
        default=None, description="Only when CALL_SUCCESS_QUESTION is configured."
    )
    usage: LLMUsage | None = Field(default=None, description="Tokens of the analysis call.")

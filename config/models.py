"""Which models and voices the agents speak with (LiveKit Inference model strings)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from config.section import Section

TurnDetection = Literal["builtin", "multilingual", "vad"]


def _split_list(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class ModelSettings(Section):
    stt_model: str = Field(default="deepgram/nova-3", min_length=1)
    stt_language: str | None = Field(
        default=None, description="Speech-to-text language (unset: CONSENT_LANGUAGE)."
    )
    llm_model: str = Field(default="openai/gpt-4.1-mini", min_length=1)
    tts_model: str = Field(default="cartesia/sonic-3", min_length=1)
    tts_voice: str = Field(
        default="9626c31c-bec5-4cca-baa8-f8ba9e84c8bc", description="The front-line voice."
    )
    manager_llm_model: str | None = Field(
        default=None, description="The manager's LLM (unset: same as LLM_MODEL)."
    )
    manager_tts_voice: str = Field(
        default="6f84f4b8-58a2-430c-8c79-688dad597532",
        min_length=1,
        description="The manager speaks with a different voice.",
    )
    fallback_llm_models: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated, tried in order when the LLM fails."
    )
    fallback_stt_models: Annotated[list[str], NoDecode] = Field(default_factory=list)
    fallback_tts_models: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated provider/model or provider/model:voice, tried in order.",
    )
    manager_fallback_tts_models: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="The manager's fallback voices (unset: FALLBACK_TTS_MODELS).",
    )
    turn_detection: TurnDetection = Field(
        default="builtin",
        description=(
            "builtin: livekit.agents.inference.TurnDetector (no download); multilingual: "
            "the livekit-plugins-turn-detector model (needs `python agent.py download-files`); "
            "vad: silence only."
        ),
    )

    @field_validator(
        "fallback_llm_models",
        "fallback_stt_models",
        "fallback_tts_models",
        "manager_fallback_tts_models",
        mode="before",
    )
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return _split_list(value)

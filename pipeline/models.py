"""Build the call's models from settings: LiveKit Inference by default, with fallbacks.

Models are built here (called from the entrypoint), never in an agent's class body, so
agents can be constructed in tests and in the offline rehearsal with stand-ins.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import Any

from livekit.agents import inference, llm, stt, tts

from config.models import ModelSettings

logger = logging.getLogger("consent-agent.models")


@dataclass(frozen=True)
class ModelKit:
    """The models of one call. `None` means "the session's own" (or none, in text mode)."""

    llm: llm.LLM | None = None
    stt: stt.STT | None = None
    tts: tts.TTS | None = None
    manager_llm: llm.LLM | None = None
    manager_tts: tts.TTS | None = None
    turn_detection: Any = None  # a TurnDetectionMode; None lets the session choose


def _with_fallbacks(primary: Any, extra: list[Any], adapter: Any) -> Any:
    return adapter([primary, *extra]) if extra else primary


def build_llm(model: str, fallbacks: list[str]) -> llm.LLM:
    return _with_fallbacks(
        inference.LLM(model=model),
        [inference.LLM(model=m) for m in fallbacks],
        llm.FallbackAdapter,
    )


def _tts(entry: str, voice: str | None = None) -> tts.TTS:
    """`provider/model` or `provider/model:voice` (the form LiveKit's own strings use)."""
    model, _, own_voice = entry.partition(":")
    chosen = own_voice or voice
    return inference.TTS(model=model, voice=chosen) if chosen else inference.TTS(model=model)


def build_tts(model: str, voice: str, fallbacks: list[str]) -> tts.TTS:
    return _with_fallbacks(_tts(model, voice), [_tts(m) for m in fallbacks], tts.FallbackAdapter)


def build_stt(model: str, language: str, fallbacks: list[str]) -> stt.STT:
    return _with_fallbacks(
        inference.STT(model=model, language=language),
        [inference.STT(model=m, language=language) for m in fallbacks],
        stt.FallbackAdapter,
    )


def build_turn_detection(setting: str) -> Any:
    """builtin -> inference.TurnDetector; multilingual -> the plugin's model if its files
    were downloaded, else VAD with one warning; vad -> silence-based turns."""
    if setting == "builtin":
        return inference.TurnDetector()
    if setting == "multilingual":
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                from livekit.plugins.turn_detector.multilingual import MultilingualModel

            return MultilingualModel()
        except (RuntimeError, OSError, ImportError) as exc:
            logger.warning(
                "TURN_DETECTION=multilingual but its model files are missing (%s); "
                "using VAD turn detection. Run `python agent.py download-files` to fetch "
                "them, or set TURN_DETECTION=builtin.",
                exc,
            )
            return "vad"
    return "vad"


def build_models(settings: ModelSettings, *, language: str = "en") -> ModelKit:
    """The call's models. `language` (the consent language) is the speech-to-text language
    unless STT_LANGUAGE says otherwise."""
    main_llm = build_llm(settings.llm_model, settings.fallback_llm_models)
    manager_llm = (
        build_llm(settings.manager_llm_model, settings.fallback_llm_models)
        if settings.manager_llm_model
        else None
    )
    return ModelKit(
        llm=main_llm,
        stt=build_stt(
            settings.stt_model, settings.stt_language or language, settings.fallback_stt_models
        ),
        tts=build_tts(settings.tts_model, settings.tts_voice, settings.fallback_tts_models),
        manager_llm=manager_llm,
        manager_tts=build_tts(
            settings.tts_model,
            settings.manager_tts_voice,
            settings.manager_fallback_tts_models or settings.fallback_tts_models,
        ),
        turn_detection=build_turn_detection(settings.turn_detection),
    )

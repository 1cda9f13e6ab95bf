"""The model factory: LiveKit Inference models from settings, built outside the agents."""

from __future__ import annotations

import logging

import pytest
from livekit.agents import inference, llm, tts

from config.settings import load_settings
from pipeline.models import build_models, build_turn_detection


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    # Inference models need credentials to be constructed (no request is made here).
    monkeypatch.setenv("LIVEKIT_API_KEY", "devkey")
    monkeypatch.setenv("LIVEKIT_API_SECRET", "devsecret-devsecret-devsecret-0123")


def test_models_follow_settings_and_the_manager_has_its_own_voice(
    credentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_MODEL", "openai/gpt-4.1-mini")
    monkeypatch.setenv("MANAGER_TTS_VOICE", "manager-voice-id")
    kit = build_models(load_settings().models)

    assert isinstance(kit.llm, inference.LLM) and kit.llm.model == "openai/gpt-4.1-mini"
    assert isinstance(kit.tts, inference.TTS) and isinstance(kit.manager_tts, inference.TTS)
    assert kit.manager_tts is not kit.tts
    assert kit.manager_tts._opts.voice == "manager-voice-id"
    assert kit.tts._opts.voice != "manager-voice-id"
    assert isinstance(kit.turn_detection, inference.TurnDetector)


def test_fallback_models_are_wrapped_in_livekits_fallback_adapters(
    credentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FALLBACK_LLM_MODELS", "google/gemini-2.5-flash, openai/gpt-4o-mini")
    monkeypatch.setenv("FALLBACK_TTS_MODELS", "deepgram/aura-2:asteria")
    monkeypatch.setenv("MANAGER_FALLBACK_TTS_MODELS", "deepgram/aura-2:orion")
    kit = build_models(load_settings().models)

    assert isinstance(kit.llm, llm.FallbackAdapter)
    assert [m.model for m in kit.llm._llm_instances] == [
        "openai/gpt-4.1-mini",
        "google/gemini-2.5-flash",
        "openai/gpt-4o-mini",
    ]
    assert isinstance(kit.tts, tts.FallbackAdapter)
    # Each fallback keeps a voice, and the manager's fallback keeps a voice of its own.
    front, manager = kit.tts._tts_instances[1], kit.manager_tts._tts_instances[1]
    assert (front.model, front._opts.voice) == ("deepgram/aura-2", "asteria")
    assert (manager.model, manager._opts.voice) == ("deepgram/aura-2", "orion")


def test_missing_multilingual_model_files_fall_back_to_vad_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="consent-agent.models"):
        mode = build_turn_detection("multilingual")
    # No hub here: the plugin's files are absent, so the call uses VAD, not a crash.
    assert mode == "vad"
    warnings = [r for r in caplog.records if r.name == "consent-agent.models"]
    assert len(warnings) == 1
    assert "download-files" in warnings[0].getMessage()

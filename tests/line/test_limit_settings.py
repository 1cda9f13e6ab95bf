"""The line's limits as an operator sets them: wrong values are named with how to fix them."""

from __future__ import annotations

import pytest

from config.settings import SettingsError, load_settings


def problems(**limits: object) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        load_settings(limits=limits)
    return caught.value.problems


def test_the_wrap_up_must_come_before_the_limit() -> None:
    [problem] = problems(max_call_seconds="120", max_call_warning_seconds="120")
    assert problem.startswith("MAX_CALL_WARNING_SECONDS=")
    assert "less than MAX_CALL_SECONDS (120)" in problem


def test_a_blank_line_of_words_would_be_silence() -> None:
    [problem] = problems(silence_prompt="   ")
    assert problem.startswith("SILENCE_PROMPT=") and "blank" in problem


def test_every_wrong_limit_is_reported_at_once() -> None:
    found = problems(
        silence_prompt_seconds="-1", silence_hangup_seconds="soon", max_call_seconds="0"
    )
    assert [p.split("=")[0] for p in found] == [
        "SILENCE_PROMPT_SECONDS",
        "SILENCE_HANGUP_SECONDS",
        "MAX_CALL_SECONDS",
    ]


def test_empty_turns_the_silence_prompt_and_the_limit_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SILENCE_PROMPT_SECONDS", "")
    monkeypatch.setenv("MAX_CALL_SECONDS", "")
    limits = load_settings().limits
    assert (limits.silence_prompt_seconds, limits.max_call_seconds) == (None, None)

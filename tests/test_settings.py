"""Configuration is validated once at start, and every problem is named with its fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_need_no_configuration() -> None:
    settings = load_settings()
    assert settings.livekit.agent_name == "consent-agent"
    assert settings.consent.consent_denial_policy == "hang_up"
    assert settings.consent.record_session_before_consent is False
    assert settings.models.turn_detection == "builtin"


def test_every_problem_is_named_with_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSENT_DENIAL_POLICY", "maybe")
    monkeypatch.setenv("MANAGER_MAX_CREDIT", "-5")
    monkeypatch.setenv("DATABASE_URL", "mysql://db/calls")
    monkeypatch.setenv("TURN_DETECTION", "psychic")

    with pytest.raises(SettingsError) as caught:
        load_settings()

    message = str(caught.value)
    assert len(caught.value.problems) == 4
    assert "CONSENT_DENIAL_POLICY='maybe'" in message and "'continue_unrecorded'" in message
    assert "MANAGER_MAX_CREDIT='-5'" in message and "greater than or equal to 0" in message
    assert "DATABASE_URL='mysql://db/calls'" in message and "postgresql://" in message
    assert "TURN_DETECTION='psychic'" in message
    assert ".env.example" in message


@settings(max_examples=50, deadline=None)
@given(
    password=st.text(  # "~" is nowhere else in the message: no match by chance
        alphabet=st.characters(codec="ascii", categories=("L", "N", "P")), min_size=6
    ).map(lambda text: f"~{text}"),
    rest=st.sampled_from(["mysql://agent:{}@db/calls", "postgresql://agent:{}@db/c?schema=No"]),
)
def test_a_wrong_database_url_is_named_without_its_password(password: str, rest: str) -> None:
    url = rest.format(quote(password, safe=""))
    with mock.patch.dict(os.environ, {"DATABASE_URL": url}), pytest.raises(SettingsError) as caught:
        load_settings()

    [problem] = caught.value.problems
    assert problem.startswith("DATABASE_URL='") and "agent@db/" in problem
    assert quote(password, safe="") not in problem and password not in problem


def test_livekit_agent_name_wins_over_ours(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_NAME", "ours")
    assert load_settings().livekit.agent_name == "ours"
    monkeypatch.setenv("LIVEKIT_AGENT_NAME", "livekits")
    assert load_settings().livekit.agent_name == "livekits"


def test_the_wording_version_changes_when_the_words_do(monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_settings().consent
    monkeypatch.setenv("CONSENT_QUESTION", "May we record this call?")
    second = load_settings().consent
    a, b = first.question_text(keypad=False), second.question_text(keypad=False)
    assert first.wording_version(a) != second.wording_version(b)
    assert "Acme Corp" in a  # {company} is filled in


def _run_worker(command: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python agent.py <command>` with no LiveKit credentials and the given settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LIVEKIT_", "CONSENT_"))}
    return subprocess.run(
        [sys.executable, str(ROOT / "agent.py"), command],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_worker_refuses_to_start_with_bad_settings_and_says_why(tmp_path: Path) -> None:
    done = _run_worker(
        "console", tmp_path, CONSENT_DENIAL_POLICY="sometimes", MANAGER_MAX_REFUND="lots"
    )
    assert done.returncode == 2
    assert "2 configuration problem(s)" in done.stderr
    assert "CONSENT_DENIAL_POLICY='sometimes'" in done.stderr
    assert "MANAGER_MAX_REFUND='lots'" in done.stderr
    assert "Traceback" not in done.stderr


def test_dev_without_credentials_says_how_to_rehearse_instead(tmp_path: Path) -> None:
    done = _run_worker("dev", tmp_path)
    assert done.returncode == 2
    assert "LIVEKIT_API_KEY" in done.stderr and "python agent.py console" in done.stderr


def test_a_malformed_secret_is_reported_but_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_URL", "https://crm.example.com/hooks/calls")
    monkeypatch.setenv("WEBHOOK_SECRET", "hunter2-not-a-whsec")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "WEBHOOK_SECRET" in str(caught.value)
    assert "hunter2" not in str(caught.value)

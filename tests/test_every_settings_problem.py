"""Every configuration problem is reported at once: per-field and cross-field checks in
every section, whatever else is wrong at the same time."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[1]

Problem = tuple[dict[str, str], frozenset[str]]


def problem(expected: str, **env: str) -> Problem:
    """Settings that are wrong on their own, and the variables the report must name."""
    return env, frozenset(expected.split())


# Each group changes its own variables; one alternative of a group may be drawn at a time.
GROUPS: list[list[Problem]] = [
    [problem("AGENT_NAME", AGENT_NAME="")],
    [problem("TURN_DETECTION", TURN_DETECTION="psychic")],
    [problem("CONSENT_DENIAL_POLICY", CONSENT_DENIAL_POLICY="maybe")],
    [problem("CONSENT_MAX_UNCLEAR_ANSWERS", CONSENT_MAX_UNCLEAR_ANSWERS="0")],
    [problem("MANAGER_MAX_CREDIT", MANAGER_MAX_CREDIT="-5")],
    [problem("CURRENCY", CURRENCY="dollars")],
    [problem("DATABASE_URL", DATABASE_URL="mysql://db/calls")],
    [problem("OUT_OF_SERVICE", OUT_OF_SERVICE="   ")],  # empty: the language file's line
    [
        problem("FORMS_BY_NUMBER", FORMS_BY_NUMBER="not json"),
        problem("FORMS_BY_NUMBER", FORMS_BY_NUMBER='{"12": "no_such_form"}'),
    ],
    [problem("FORMS_DEFAULT", FORMS_DEFAULT="no_such_form")],
    [problem("FORMS_SALES_FORM", FORMS_SALES_FORM="no_such_form")],
    [problem("FORMS_SUMMARY_TIMEOUT", FORMS_SUMMARY_TIMEOUT="9")],
    # a wrong number is still a number given: a warm transfer to it needs a trunk too
    [problem("TRANSFER_NUMBER LIVEKIT_SIP_OUTBOUND_TRUNK", TRANSFER_NUMBER="12")],
    [problem("LIVEKIT_SIP_OUTBOUND_TRUNK", LIVEKIT_SIP_OUTBOUND_TRUNK="trunk-1")],
    [
        problem("RECORDING_STORAGE", RECORDING_ENABLED="true", RECORDING_STORAGE="s3"),
        problem("RECORDING_ENABLED", RECORDING_ENABLED="perhaps"),
    ],
    [problem("TRANSFER_RINGING_TIMEOUT", TRANSFER_RINGING_TIMEOUT="1")],
    [problem("TRANSFER_HOLD_AUDIO", TRANSFER_HOLD_AUDIO="/no/such/music.ogg")],
    [problem("PHONE_DEFAULT_REGION", PHONE_DEFAULT_REGION="usa")],
    # a URL given, even a wrong one, needs a secret
    [
        problem("WEBHOOK_URL WEBHOOK_SECRET", WEBHOOK_URL="http://example.com"),
        problem("WEBHOOK_URL WEBHOOK_SECRET", WEBHOOK_URL="ftp://example.com/hooks"),
        problem("WEBHOOK_URL WEBHOOK_SECRET", WEBHOOK_URL="https://user:pw@example.com/"),
    ],
    [problem("WEBHOOK_SECRET", WEBHOOK_SECRET="not-a-whsec-secret")],
    [problem("WEBHOOK_ALLOW_HTTP", WEBHOOK_ALLOW_HTTP="perhaps")],
    [problem("WEBHOOK_HEADERS", WEBHOOK_HEADERS="not json")],
    [problem("WEBHOOK_RETRY_SCHEDULE", WEBHOOK_RETRY_SCHEDULE="soon")],
    [problem("WEBHOOK_TIMEOUT_SECONDS", WEBHOOK_TIMEOUT_SECONDS="0")],
    [problem("CALLER_IDENTITY_RETENTION_DAYS", CALLER_IDENTITY_RETENTION_DAYS="-1")],
]


def named(env: dict[str, str]) -> set[str]:
    """The variables the report names, read the way an operator reads it."""
    with mock.patch.dict(os.environ, env):
        try:
            load_settings()
        except SettingsError as exc:
            return {re.match(r"[A-Z][A-Z0-9_]*", p).group() for p in exc.problems}  # type: ignore[union-attr]
    return set()


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # clean_env: same every time
)
@given(st.tuples(*(st.none() | st.sampled_from(group) for group in GROUPS)))
def test_every_problem_is_reported_whatever_else_is_wrong(drawn) -> None:
    chosen = [p for p in drawn if p is not None]
    env = {k: v for settings_, _ in chosen for k, v in settings_.items()}
    expected = set().union(*(variables for _, variables in chosen))

    assert named(env) == expected


def test_an_http_url_without_a_secret_reports_both_from_the_real_command(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LIVEKIT_", "WEBHOOK_"))}
    done = subprocess.run(
        [sys.executable, str(ROOT / "agent.py"), "console"],
        env={**clean, "WEBHOOK_URL": "http://example.com"},
        cwd=tmp_path,  # no .env.local here
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "2 configuration problem(s)" in done.stderr
    assert "WEBHOOK_URL='http://example.com': plain http:// is only allowed" in done.stderr
    assert "WEBHOOK_SECRET: is required when WEBHOOK_URL is set" in done.stderr


def test_every_bad_entry_of_forms_by_number_is_named() -> None:
    env = {"FORMS_BY_NUMBER": '{"12": "patient_intake", "+15550100": "no_such_form"}'}
    with mock.patch.dict(os.environ, env):
        try:
            load_settings()
        except SettingsError as exc:
            [message] = exc.problems
    assert "'12' is not an E.164 number" in message
    assert "no form named 'no_such_form'" in message

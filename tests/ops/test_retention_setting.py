"""`python -m ops consent retention` without --days keeps caller identity exactly as long
as the agent's settings say: one CALLER_IDENTITY_RETENTION_DAYS, read the agent's way."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.settings import SettingsError, load_settings
from ops.cli import main
from store import open_store
from tests.store.support import consent_record

REPO = Path(__file__).resolve().parents[2]

# What an operator might write: days, padded days, negative days, and things that aren't.
VALUES = st.one_of(
    st.integers(min_value=-3, max_value=400).map(str),
    st.builds(
        "{}{}{}".format,
        st.sampled_from(["", " ", "\t"]),
        st.integers(min_value=0, max_value=400),
        st.sampled_from(["", " "]),
    ),
    st.sampled_from(["", " ", "90d", "1.5", "1e3", "forever", "+7", "0x10", "1_000", "٣"]),
)


@pytest.fixture
def seeded(store_url: str) -> str:
    """A store with three consent records taken just now, identity and all."""

    async def seed() -> None:
        store = await open_store(store_url)
        try:
            for i in range(3):
                await store.append_consent(consent_record(i))
        finally:
            await store.close()

    asyncio.run(seed())
    return store_url


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=VALUES)
def test_retention_uses_the_days_the_agent_is_configured_with(
    seeded: str, value: str, capsys
) -> None:
    with mock.patch.dict(os.environ, {"CALLER_IDENTITY_RETENTION_DAYS": value}):
        configured: int | SettingsError | None
        try:
            configured = load_settings().store.caller_identity_retention_days
        except SettingsError as exc:
            configured = exc
        code = main(["consent", "retention", "--dry-run", "--database-url", seeded])

    out, err = capsys.readouterr()
    if isinstance(configured, SettingsError):  # the agent would not start: nor does this
        assert code == 2
        assert configured.problems[0] in err
    elif configured is None:
        assert code == 0 and "identity is kept forever" in out
    else:
        erasable = 3 if configured == 0 else 0
        assert code == 0
        assert f"would erase caller identity on {erasable} consent record(s)" in out
        assert f"({configured} days)" in out


def test_days_given_on_the_command_line_win(seeded: str, capsys, monkeypatch) -> None:
    monkeypatch.setenv("CALLER_IDENTITY_RETENTION_DAYS", "30")
    assert main(["consent", "retention", "--days", "0", "--dry-run", "--database-url", seeded]) == 0
    assert "would erase caller identity on 3 consent record(s)" in capsys.readouterr().out


def test_database_url_on_the_command_line_wins_over_a_wrong_one_in_the_env(
    seeded: str, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://agent@db/calls")
    monkeypatch.setenv("CALLER_IDENTITY_RETENTION_DAYS", "0")
    assert main(["consent", "retention", "--dry-run", "--database-url", seeded]) == 0
    assert "would erase caller identity on 3 consent record(s)" in capsys.readouterr().out


def test_env_local_configures_the_command_as_it_does_the_agent(tmp_path: Path, seeded: str) -> None:
    (tmp_path / ".env.local").write_text(
        f"DATABASE_URL={seeded}\nCALLER_IDENTITY_RETENTION_DAYS=0\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTHONPATH")}
    result = subprocess.run(
        [sys.executable, "-m", "ops", "consent", "retention", "--dry-run"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "would erase caller identity on 3 consent record(s)" in result.stdout
    assert "(0 days)" in result.stdout

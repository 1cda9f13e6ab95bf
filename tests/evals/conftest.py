"""Live evals: real models through LiveKit Inference, judged by a real LLM.

They run only when LIVEKIT_API_KEY and LIVEKIT_API_SECRET are set; otherwise every test
here is reported as skipped (never passed). `tests/conftest.py` clears LIVEKIT_* for every
test so the other tests never see a developer's credentials; this module reads them at
import time, before that fixture runs, and gives them back only to the eval tests.

    LIVEKIT_API_KEY=... LIVEKIT_API_SECRET=... pytest -m evals tests/evals -v
    EVAL_LLM_MODEL=openai/gpt-4.1 EVAL_JUDGE_MODEL=openai/gpt-4.1 ...   # other models
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

_PASSED_THROUGH = (
    "LIVEKIT_API_KEY",
    "LIVEKIT_API_SECRET",
    "LIVEKIT_URL",
    "LIVEKIT_INFERENCE_URL",
    "LIVEKIT_INFERENCE_API_KEY",
    "LIVEKIT_INFERENCE_API_SECRET",
)
# Captured now, at import: the autouse `clean_env` fixture removes them before each test.
CREDENTIALS = {name: os.environ[name] for name in _PASSED_THROUGH if os.environ.get(name)}
AGENT_MODEL = (
    os.environ.get("EVAL_LLM_MODEL") or os.environ.get("LLM_MODEL") or "openai/gpt-4.1-mini"
)
JUDGE_MODEL = os.environ.get("EVAL_JUDGE_MODEL") or "openai/gpt-4.1"
HAVE_CREDENTIALS = bool(
    CREDENTIALS.get("LIVEKIT_API_KEY") and CREDENTIALS.get("LIVEKIT_API_SECRET")
)
SKIP_REASON = (
    "live evals need LIVEKIT_API_KEY and LIVEKIT_API_SECRET in the environment "
    "(they call real models through LiveKit Inference); not run, not passed"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if HAVE_CREDENTIALS:
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if item.get_closest_marker("evals") is not None:
            item.add_marker(skip)


@pytest.fixture
def live_credentials(clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the captured credentials back, after `clean_env` has cleared the environment."""
    if not HAVE_CREDENTIALS:
        pytest.skip(SKIP_REASON)
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def agent_llm(live_credentials: None) -> Any:
    from livekit.agents import inference

    return inference.LLM(model=AGENT_MODEL)


@pytest.fixture
def judge(live_credentials: None) -> Any:
    from livekit.agents import inference

    return inference.LLM(model=JUDGE_MODEL)


@pytest.fixture
def live_call(agent_llm: Any, tmp_path: Path, make_settings: Callable[..., Any]):
    """`async with live_call(consent_denial_policy=..., selected_form=...) as call:` — our
    real agents and tasks on the real model, text mode, a temporary SQLite store."""
    from tests.harness import offline_call

    def unscripted(_request: Any) -> None:
        return None  # never consulted: the session's model is the real one

    @contextlib.asynccontextmanager
    async def start(selected_form: Any = None, **consent: Any) -> AsyncIterator[Any]:
        settings = make_settings(consent=consent) if consent else make_settings()
        async with offline_call(
            unscripted,
            session_llm=agent_llm,
            settings=settings,
            database_path=tmp_path / "evals.db",
            selected_form=selected_form,
        ) as call:
            await call.start()
            yield call

    return start

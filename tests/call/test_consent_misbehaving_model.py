"""A model that calls `record_consent(True)` after every caller turn, and twice at a time,
never produces consent or a recording, whatever the caller says that is not a plain yes."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from call.controls import RecordingStart, SessionOnlyControls
from offline.scripted_llm import Reply, Request, ToolCall
from tests.call.scripts import at_consent, front_desk
from tests.consent.answers import CASES, NEVER_YES
from tests.consent.test_properties import refusals_among_agreement
from tests.harness import offline_call


class SpyControls(SessionOnlyControls):
    """Session-only controls that count recording starts (an Egress request in production)."""

    started = 0

    async def start_recording(self) -> RecordingStart:
        SpyControls.started += 1
        return RecordingStart(egress_id="EG_would_record")


def _always_yes(r: Request) -> Reply:
    yes = ToolCall("record_consent", {"consent_given": True})
    return Reply(calls=(yes, yes))


def _model() -> object:
    script = front_desk()
    script.when(at_consent, _always_yes)
    return script


NOT_YES = sorted({c.answer for c in CASES if c.category in NEVER_YES and c.language == "en"})


async def _call(answers: list[str]) -> tuple[list[bool], int]:
    SpyControls.started = 0
    with tempfile.TemporaryDirectory() as folder:
        async with offline_call(
            _model(), controls=SpyControls, database_path=Path(folder) / "c.db"
        ) as call_:
            await call_.start()
            for answer in answers:
                if call_.closed.is_set() or call_.state.outcome.consent is not None:
                    break
                await call_.caller_says(answer)
            records = await call_.consent_records()
            return [r.decision for r in records], SpyControls.started


@given(
    st.lists(
        st.one_of(st.sampled_from(NOT_YES), refusals_among_agreement().map(lambda c: c[1])),
        min_size=1,
        max_size=4,
    )
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_model_that_always_records_yes_never_creates_consent(answers: list[str]) -> None:
    decisions, recordings = asyncio.run(_call(answers))
    assert True not in decisions
    assert recordings == 0


async def test_the_same_model_cannot_stop_a_plain_yes_from_counting(tmp_path: Path) -> None:
    SpyControls.started = 0
    async with offline_call(
        _model(), controls=SpyControls, database_path=tmp_path / "c.db"
    ) as call_:
        await call_.start()
        await call_.caller_says("I want to agree to being recorded")  # confirmation asked
        await call_.caller_says("yes")
        records = await call_.consent_records()
        assert [(r.decision, r.matched, r.confirmed) for r in records] == [
            (True, "affirmative:yes", True)
        ]
        assert SpyControls.started == 1

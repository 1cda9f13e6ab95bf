"""A model provider fails mid-call: the caller always hears something."""

from __future__ import annotations

from pathlib import Path

from livekit.agents import APIConnectionError, llm
from livekit.agents.voice.events import ErrorEvent

from offline.scripted_llm import Script, ScriptedLLM, fail, say
from tests.call.scripts import HOW_CAN_I_HELP, at_front_desk, front_desk
from tests.harness import offline_call, spoken

APOLOGY = "Sorry, I'm having trouble on my side. Could you say that again?"
HEARING_TROUBLE = "Sorry, I'm having trouble hearing you right now. Please bear with me."


def _broken_front_desk() -> Script:
    s = front_desk()
    s.when(lambda r: at_front_desk(r) and r.answering_user, fail(APIConnectionError("down")))
    return s


async def test_the_fallback_model_answers_when_the_primary_fails(tmp_path: Path) -> None:
    primary = ScriptedLLM(_broken_front_desk(), label="primary")
    backup = ScriptedLLM(
        front_desk().when(at_front_desk, say("Backup here: what's the account number?")),
        label="backup",
    )
    fallback = llm.FallbackAdapter([primary, backup], attempt_timeout=2, retry_interval=0.01)
    async with offline_call(None, session_llm=fallback, database_path=tmp_path / "c.db") as call_:
        await call_.start()
        await call_.caller_says("yes")
        result = await call_.caller_says("I have a question about my account")

        assert spoken(result) == ["Backup here: what's the account number?"]
        assert len(backup.requests) == 1
        assert not call_.closed.is_set()
    await fallback.aclose()


async def test_without_a_fallback_the_caller_hears_an_apology(tmp_path: Path) -> None:
    async with offline_call(_broken_front_desk(), database_path=tmp_path / "c.db") as call_:
        await call_.start()
        opened = await call_.caller_says("yes")
        assert spoken(opened) == [HOW_CAN_I_HELP]

        await call_.caller_says("I have a question about my account")

        heard = await call_.until_heard(APOLOGY)
        assert heard[-1] == APOLOGY
        errors = [e for e in call_.state.outcome.events if e["type"] == "model_error"]
        assert errors and errors[0]["source"] == "llm_error" and not errors[0]["recoverable"]
        assert not call_.closed.is_set()


async def test_a_speech_recognition_failure_is_answered_with_its_own_words(
    tmp_path: Path,
) -> None:
    from livekit.agents import stt

    async with offline_call(front_desk(), database_path=tmp_path / "c.db") as call_:
        await call_.start()
        await call_.caller_says("yes")
        failure = stt.STTError(
            type="stt_error",
            timestamp=0.0,
            label="scripted",
            error=APIConnectionError("stt down"),
            recoverable=False,
        )
        call_.session.emit("error", ErrorEvent(error=failure, source=None))

        heard = await call_.until_heard(HEARING_TROUBLE)
        assert APOLOGY not in heard
        assert any(e.get("source") == "stt_error" for e in call_.state.outcome.events)

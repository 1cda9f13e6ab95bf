"""A caller who goes silent, through the real AgentSession and LiveKit's own away timer.

SILENCE_PROMPT_SECONDS and SILENCE_HANGUP_SECONDS are scaled down to tenths of a second;
each test waits for what the caller hears, never for a length of time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from call.analysis import ANALYSIS_TOOL
from offline.scripted_llm import say
from tests.call.scripts import CONFIRM, HOW_CAN_I_HELP, QUESTION, at_front_desk, front_desk
from tests.harness import offline_call, spoken, tool_calls

PROMPT = "Are you still there?"
GOODBYE = "I haven't heard anything, so I'll end the call now. Please call again any time. Goodbye."
BILLING_REPLY = "Sorry to hear that. What looks wrong on your bill?"


def quick_silence(make_settings: Any, *, hang_up_after: float = 0.1, **consent: Any) -> Any:
    return make_settings(
        limits={"silence_prompt_seconds": 0.1, "silence_hangup_seconds": hang_up_after},
        consent=consent,
    )


def helpful_front_desk() -> Any:
    script = front_desk()
    script.when(lambda r: at_front_desk(r) and r.user_said("bill"), say(BILLING_REPLY))
    return script


async def test_a_caller_silent_through_the_consent_question_has_not_consented(
    tmp_path: Path, make_settings: Any
) -> None:
    settings = quick_silence(make_settings)
    async with offline_call(front_desk(), settings=settings, database_path=tmp_path / "c.db") as c:
        assert spoken(await c.start()) == [QUESTION]

        await c.wait_closed()

        assert c.heard() == [QUESTION, PROMPT, GOODBYE]
        [consent] = await c.consent_records()
        assert (consent.decision, consent.ending, consent.method) == (False, "silence", "none")
        assert consent.wording == QUESTION  # the prompt is not part of the question
        [record] = await c.stored_records()
        assert record["ended_reason"] == "silence_timeout"
        assert record["status"] == "timed_out"
        assert record["consent"]["decision"] is False
        assert [e["type"] for e in record["events"]] == [
            "silence_prompt",
            "silence_timeout",
            "consent",
        ]
        # Fixed words only: no model round trip (the after-call analysis aside).
        assert [r for r in c.llm.requests if ANALYSIS_TOOL not in r.tool_names] == []


async def test_silence_ends_the_call_the_same_way_when_a_no_would_continue_unrecorded(
    tmp_path: Path, make_settings: Any
) -> None:
    settings = quick_silence(make_settings, consent_denial_policy="continue_unrecorded")
    async with offline_call(front_desk(), settings=settings, database_path=tmp_path / "c.db") as c:
        await c.start()
        await c.wait_closed()

        assert c.heard() == [QUESTION, PROMPT, GOODBYE]
        [consent] = await c.consent_records()
        assert (consent.decision, consent.ending) == (False, "silence")


async def test_yes_to_the_prompt_during_the_question_is_not_consent(
    tmp_path: Path, make_settings: Any
) -> None:
    settings = quick_silence(make_settings, hang_up_after=60)
    async with offline_call(front_desk(), settings=settings, database_path=tmp_path / "c.db") as c:
        await c.start()
        await c.until_heard(PROMPT)

        still_there = await c.caller_says("yes")

        # "Yes" answered "are you still there?", not the question: asked in fixed words.
        assert spoken(still_there) == [CONFIRM]
        assert tool_calls(still_there) == []
        assert c.state.outcome.consent is None
        agreed = await c.caller_says("yes")
        assert tool_calls(agreed) == [("record_consent", {"consent_given": True})]
        [consent] = await c.consent_records()
        assert (consent.decision, consent.confirmed) == (True, True)


async def test_a_caller_silent_after_consent_is_asked_once_then_hung_up_on(
    tmp_path: Path, make_settings: Any
) -> None:
    settings = quick_silence(make_settings)
    async with offline_call(
        helpful_front_desk(), settings=settings, database_path=tmp_path / "c.db"
    ) as c:
        await c.start()
        assert spoken(await c.caller_says("yes")) == [HOW_CAN_I_HELP]

        await c.wait_closed()

        assert c.heard()[-3:] == [HOW_CAN_I_HELP, PROMPT, GOODBYE]
        [consent] = await c.consent_records()
        assert consent.decision is True
        [record] = await c.stored_records()
        assert (record["status"], record["ended_reason"]) == ("timed_out", "silence_timeout")
        assert [e["type"] for e in record["events"]][-2:] == ["silence_prompt", "silence_timeout"]


async def test_a_caller_who_answers_the_prompt_goes_on_and_is_asked_again_next_time(
    tmp_path: Path, make_settings: Any
) -> None:
    settings = quick_silence(make_settings, hang_up_after=60)
    async with offline_call(
        helpful_front_desk(), settings=settings, database_path=tmp_path / "c.db"
    ) as c:
        await c.start()
        await c.caller_says("yes")
        await c.until_heard(PROMPT)

        back = await c.caller_says("Sorry, I'm here. My bill is wrong.")

        assert spoken(back) == [BILLING_REPLY]
        # Silent again: the count starts over, with the question first, not the goodbye.
        await c.until_heard(PROMPT, after=BILLING_REPLY)
        assert c.heard()[-3:] == [PROMPT, BILLING_REPLY, PROMPT]
        assert not c.closed.is_set()
        await c.hang_up()
        [record] = await c.stored_records()
        assert record["ended_reason"] == "caller_hung_up"
        assert record["status"] == "caller_hung_up"


async def test_the_prompt_and_goodbye_are_in_the_call_s_language(
    tmp_path: Path, make_settings: Any
) -> None:
    settings = make_settings(
        limits={"silence_prompt_seconds": 0.1, "silence_hangup_seconds": 0.1},
        consent={"consent_language": "es"},
    )
    async with offline_call(front_desk(), settings=settings, database_path=tmp_path / "c.db") as c:
        await c.start()
        await c.wait_closed()
        assert c.heard()[1:] == [
            "¿Sigue ahí?",
            "No he oído nada, así que voy a terminar la llamada. Llámenos cuando quiera. Adiós.",
        ]

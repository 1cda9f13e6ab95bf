"""Every way a call ends, through the real session, with the pair its record carries.

status and ended_reason come from one table (call/ending.py); each path here asserts its
own pair, where the call was when it ended, and who ended it. A call without a yes to
recording carries no words: not in the transcript, not given to the analysis model.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from livekit.agents.voice.events import CloseReason

from call.analysis import ANALYSIS_TOOL
from config.settings import load_settings
from offline.scripted_llm import Request, Rule, call, say
from tests.call.scripts import HOW_CAN_I_HELP, at_front_desk, front_desk
from tests.call.test_consent import GOODBYE, NO_ANSWER_GOODBYE
from tests.forms.scripts import answer, form_model, the_payload
from tests.forms.test_answers import BOOKING, booking_script
from tests.forms.test_refusals import refuse_twice
from tests.harness import OfflineCall, offline_call

SUMMARY = "A short summary."
SILENCE = "I haven't heard anything, so I'll end the call now."
TIME_LIMIT = "We've reached the time limit for this call"


def ending(payload: dict[str, Any]) -> tuple[str, str, str, str]:
    return (
        payload["status"],
        payload["ended_reason"],
        payload["ended_stage"],
        payload["ended_by"],
    )


def with_analysis(script: Any, seen: list[str]) -> Any:
    """The analysis request is answered, and what it was shown is kept."""

    def analysis(r: Request) -> Any:
        seen.append("\n".join(i.text_content or "" for i in r.items if i.type == "message"))
        return call(ANALYSIS_TOOL, summary=SUMMARY)

    script.rules.insert(0, Rule(lambda r: r.offers(ANALYSIS_TOOL), analysis))
    return script


def billing(script: Any) -> Any:
    script.when(
        lambda r: at_front_desk(r) and r.user_said("bill"), call("route_to", department="billing")
    )
    script.when(lambda r: r.offers("record_billing_issue"), say("Billing here."))
    return script


async def test_a_no_under_hang_up_is_a_refusal_the_agent_ended(tmp_path: Path) -> None:
    seen: list[str] = []
    settings = load_settings(consent={"consent_denial_policy": "hang_up"})
    async with offline_call(
        with_analysis(front_desk(), seen), settings=settings, database_path=tmp_path / "c.db"
    ) as c:
        await c.start()
        await c.caller_says("No, I don't want that")
        await c.wait_closed()
        payload = await the_payload(c)

    assert ending(payload) == ("declined", "consent_refused", "consent", "agent")
    assert payload["session_close_reason"] == "user_initiated"  # LiveKit's word, kept apart
    assert payload["transcript"]["withheld_reason"] == "no_consent"
    assert payload["transcript"]["lines"] == []
    assert payload["recording"]["status"] == "not_configured"
    assert payload["summary"] == SUMMARY  # every call gets one, from what happened
    [shown] = seen
    assert "want that" not in shown
    assert "consent_refused" in shown
    assert GOODBYE not in shown  # no words of the call at all


async def test_a_no_under_continue_unrecorded_goes_on_and_keeps_no_words(tmp_path: Path) -> None:
    seen: list[str] = []
    settings = load_settings(consent={"consent_denial_policy": "continue_unrecorded"})
    script = with_analysis(billing(front_desk()), seen)
    async with offline_call(script, settings=settings, database_path=tmp_path / "c.db") as c:
        await c.start()
        await c.caller_says("no thanks")
        await c.caller_says("my bill is wrong, I was charged twice")
        await c.hang_up()
        payload = await the_payload(c)

    assert ending(payload) == ("caller_hung_up", "caller_hung_up", "conversation", "caller")
    assert payload["consent"]["decision"] is False
    assert payload["transcript"]["withheld_reason"] == "no_consent"
    [shown] = seen
    assert "charged twice" not in shown
    assert "routing: to=billing" in shown  # what was done is still summarized


async def test_no_clear_answer_under_hang_up_is_unanswered_not_declined(tmp_path: Path) -> None:
    settings = load_settings(consent={"consent_denial_policy": "hang_up"})
    async with offline_call(front_desk(), settings=settings, database_path=tmp_path / "c.db") as c:
        await c.start()
        await c.caller_says("Fill your boots, mate")
        await c.caller_says("I don't know")
        await c.wait_closed()
        assert c.heard()[-1] == NO_ANSWER_GOODBYE
        payload = await the_payload(c)

    assert ending(payload) == ("unanswered", "consent_unanswered", "consent", "agent")
    assert payload["consent"]["ending"] == "unclear"


async def test_hanging_up_during_the_consent_question(tmp_path: Path) -> None:
    async with offline_call(front_desk(), database_path=tmp_path / "c.db") as c:
        await c.start()
        await c.hang_up()
        payload = await the_payload(c)

    assert ending(payload) == ("caller_hung_up", "caller_hung_up", "consent", "caller")
    assert (payload["consent"]["decision"], payload["consent"]["ending"]) == (False, "hung_up")


async def test_hanging_up_mid_conversation(tmp_path: Path) -> None:
    async with offline_call(billing(front_desk()), database_path=tmp_path / "c.db") as c:
        await c.start()
        await c.caller_says("yes")
        await c.caller_says("my bill is wrong")
        await c.hang_up()
        payload = await the_payload(c)

    assert ending(payload) == ("caller_hung_up", "caller_hung_up", "conversation", "caller")
    assert payload["transcript"]["included"] is True


async def test_hanging_up_during_a_form(tmp_path: Path) -> None:
    async with offline_call(
        booking_script(), database_path=tmp_path / "c.db", selected_form=BOOKING
    ) as c:
        await c.start()
        await c.caller_says("yes")
        await c.caller_says("ann@example.com")
        await c.hang_up()
        payload = await the_payload(c)

    assert ending(payload) == ("caller_hung_up", "caller_hung_up", "form", "caller")
    assert payload["results"] == {"email": "ann@example.com"}


async def test_a_completed_form_is_complete(tmp_path: Path) -> None:
    script = form_model()
    answer(script, "record_detail", "blue", value="blue")
    from tests.forms.test_refusals import one_field_form

    async with offline_call(
        script, database_path=tmp_path / "c.db", selected_form=one_field_form("string")
    ) as c:
        await c.start()
        await c.caller_says("yes")
        await c.caller_says("blue")
        await c.wait_closed()
        payload = await the_payload(c)

    assert ending(payload) == ("complete", "form_completed", "form", "agent")


async def test_a_required_answer_refused_twice(tmp_path: Path) -> None:
    await refuse_twice("string", tmp_path, at_once=1, again_after_error=0)  # asserts its pair


async def test_a_session_that_closes_on_an_error(tmp_path: Path) -> None:
    async with offline_call(front_desk(), database_path=tmp_path / "c.db") as c:
        await c.start()
        await c.caller_says("yes")
        c.session._close_soon(reason=CloseReason.ERROR, drain=False)
        await c.wait_closed()
        payload = await the_payload(c)

    assert ending(payload) == ("error", "error", "conversation", "system")


async def test_the_worker_shutting_down_mid_call(tmp_path: Path) -> None:
    async with offline_call(front_desk(), database_path=tmp_path / "c.db") as c:
        await c.start()
        await c.caller_says("yes")
        c.session._close_soon(reason=CloseReason.JOB_SHUTDOWN, drain=False)
        await c.wait_closed()
        payload = await the_payload(c)

    assert ending(payload) == ("error", "worker_shutdown", "conversation", "system")


async def silent_caller(c: OfflineCall) -> None:
    await c.start()
    await c.caller_says("yes")
    assert c.heard()[-1] == HOW_CAN_I_HELP


@pytest.mark.parametrize(
    ("limit", "words", "reason"),
    [
        (
            {"silence_prompt_seconds": 0.2, "silence_hangup_seconds": 0.2},
            SILENCE,
            "silence_timeout",
        ),
        (
            {
                "silence_prompt_seconds": None,
                "max_call_seconds": 0.5,
                "max_call_warning_seconds": 0,
            },
            TIME_LIMIT,
            "max_duration",
        ),
    ],
)
async def test_a_call_limit_says_why_then_ends_the_call(
    tmp_path: Path, limit: dict[str, float | None], words: str, reason: str
) -> None:
    settings = load_settings(limits=limit)
    async with offline_call(front_desk(), settings=settings, database_path=tmp_path / "c.db") as c:
        await silent_caller(c)  # then says nothing
        await c.wait_closed()
        assert c.heard()[-1].startswith(words)
        payload = await the_payload(c)

    assert ending(payload) == ("timed_out", reason, "conversation", "agent")
    assert reason in [e["type"] for e in payload["events"]]


async def test_a_caller_who_keeps_talking_is_not_timed_out_for_silence(tmp_path: Path) -> None:
    settings = load_settings(limits={"silence_prompt_seconds": 0.4, "silence_hangup_seconds": 0.4})
    script = front_desk()
    script.when(lambda r: at_front_desk(r) and r.answering_user, say("I see."))
    async with offline_call(script, settings=settings, database_path=tmp_path / "c.db") as c:
        await silent_caller(c)
        for _ in range(4):  # each turn well inside the limit
            await asyncio.sleep(0.2)
            await c.caller_says("and another thing")
        assert not c.closed.is_set()
        await c.hang_up()
        payload = await the_payload(c)

    assert payload["ended_reason"] == "caller_hung_up"

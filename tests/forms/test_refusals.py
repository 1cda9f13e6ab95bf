"""A required answer ends the form only after the caller refused it in two separate turns.

The model may call a decline tool several times for one refusal: twice or three times in
one response, or again after the "ask once more" it got back, before the caller has said
anything new. Whatever it does, one thing the caller said is one refusal, for every kind of
field (typed fields, objects, lists and each of LiveKit's prebuilt collectors).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from livekit import rtc
from livekit.agents.testing import fake_job_context

from forms.loader import parse_form
from forms.model import Form
from offline.scripted_llm import Reply, Request, Script, ToolCall, say
from tests.forms.scripts import assert_matches_schema, form_model, heard, the_payload
from tests.harness import offline_call, tool_calls

ASK = "What is it?"
WHY = "We need it to go on. Could you share it?"
SORRY = "Sorry, we can't go on without it. Goodbye."

ITEM = [{"name": "label", "type": "string", "description": "a label"}]
# field type -> (its options, the decline tool its task offers)
KINDS: dict[str, tuple[dict[str, Any], str]] = {
    "string": ({}, "decline_detail"),
    "number": ({"integer": True}, "decline_detail"),
    "boolean": ({}, "decline_detail"),
    "choice": ({"choices": ["red", "blue"]}, "decline_detail"),
    "date": ({}, "decline_detail"),
    "object": ({"fields": ITEM}, "decline_detail"),
    "list": ({"fields": ITEM}, "decline_detail"),
    "email": ({"confirm": False}, "decline_email_capture"),
    "phone": ({"confirm": False}, "decline_phone_number_capture"),
    "address": ({"confirm": False}, "decline_address_capture"),
    "person_name": ({"confirm": False}, "decline_name_capture"),
    "date_of_birth": ({"confirm": False}, "decline_dob_capture"),
    "keypad_digits": ({"digits": 4}, "decline_keypad_entry"),
}


def one_field_form(kind: str) -> Form:
    options, _ = KINDS[kind]
    field = {"name": "detail", "type": kind, "description": "the detail", "ask": ASK}
    return parse_form(
        {
            "name": "one_detail",
            "instructions": "Take one detail from the caller.",
            "fields": [field | options],
            "ending": {"final_words": "Done.", "incomplete_words": SORRY, "summary": False},
        },
        source=f"{kind} (test)",
    )


def declines(tool: str, times: int, reason: str) -> Reply:
    return Reply(calls=tuple(ToolCall(tool, {"reason": reason}) for _ in range(times)))


def refusing_model(tool: str, *, at_once: int, again_after_error: int) -> Script:
    """On each refusal the model calls `tool` `at_once` times in one response; after the
    "ask once more" it calls it `again_after_error` more times (one per response, no new
    caller turn), then asks the caller once more."""
    s = form_model()

    def answered_error(r: Request) -> bool:
        out = r.last_tool_output
        return r.offers(tool) and out is not None and out.is_error

    s.when(answered_error, declines(tool, 1, "still no"), times=again_after_error)
    s.when(answered_error, say(WHY))
    s.when(lambda r: r.offers(tool) and r.user_said(r"\bno\b"), declines(tool, at_once, "no"))
    return s


async def refuse_twice(kind: str, tmp_path: Path, *, at_once: int, again_after_error: int):
    form = one_field_form(kind)
    tool = KINDS[kind][1]
    script = refusing_model(tool, at_once=at_once, again_after_error=again_after_error)
    async with offline_call(script, database_path=tmp_path / "c.db", selected_form=form) as c:
        await c.start()
        await c.caller_says("yes")  # consent
        assert heard(c)[-1] == ASK

        first = await c.caller_says("no, I won't say")
        calls = [name for name, _ in tool_calls(first)]
        assert calls == [tool] * (at_once + again_after_error)
        # One refusal, however many calls: the caller is asked once more, the form goes on.
        assert heard(c)[-1] == WHY
        assert SORRY not in heard(c)
        assert not c.closed.is_set()
        assert not [e for e in c.state.outcome.events if e["type"] == "form_refused"]

        await c.caller_says("no, still not")  # the second refusal, in a new turn
        await c.wait_closed()
        assert heard(c)[-1] == SORRY
        payload = await the_payload(c)
    assert (payload["status"], payload["ended_reason"]) == ("declined", "form_refused")
    assert [e["field"] for e in payload["events"] if e["type"] == "form_refused"] == ["detail"]
    assert_matches_schema(payload, form)


@pytest.mark.parametrize("kind", sorted(KINDS))
async def test_two_decline_calls_in_one_response_are_one_refusal(kind: str, tmp_path: Path) -> None:
    await refuse_twice(kind, tmp_path, at_once=2, again_after_error=0)


@pytest.mark.parametrize("kind", ["string", "list", "email", "keypad_digits"])
async def test_three_decline_calls_in_one_response_are_one_refusal(
    kind: str, tmp_path: Path
) -> None:
    await refuse_twice(kind, tmp_path, at_once=3, again_after_error=0)


@pytest.mark.parametrize("kind", sorted(KINDS))
async def test_declining_again_before_the_caller_answers_is_not_a_second_refusal(
    kind: str, tmp_path: Path
) -> None:
    await refuse_twice(kind, tmp_path, at_once=1, again_after_error=2)


async def test_a_decline_before_the_caller_said_anything_to_this_question_is_not_a_refusal(
    tmp_path: Path,
) -> None:
    """Too few keypad digits: the agent asks again from code (no caller words). A model that
    declines the field right then has heard no refusal; the caller's one refusal that
    follows is their first."""
    form = one_field_form("keypad_digits")
    tool = "decline_keypad_entry"
    retry = "Please enter all four digits, then press pound."
    script = form_model()

    def answered_error(r: Request) -> bool:
        out = r.last_tool_output
        return r.offers(tool) and out is not None and out.is_error

    s = script
    s.when(answered_error, lambda r: say(WHY if "required" in r.last_tool_output.output else retry))
    s.when(lambda r: r.offers(tool) and r.user_said(r"\bno\b"), declines(tool, 1, "no"))
    s.when(lambda r: r.offers(tool) and not r.answering_user, declines(tool, 1, "too few digits"))
    room = rtc.Room()
    with fake_job_context(room=room):
        async with offline_call(script, database_path=tmp_path / "c.db", selected_form=form) as c:
            await c.start()
            await c.caller_says("yes")  # consent
            assert heard(c)[-1] == ASK
            for digit in "4#":  # too few, then pound: the agent asks again by itself
                room.emit("sip_dtmf_received", rtc.SipDTMF(code=0, digit=digit))
            await c.until_heard(retry)

            await c.caller_says("no, I won't")  # the caller's first refusal
            assert heard(c)[-1] == WHY
            assert not c.closed.is_set()
            assert not [e for e in c.state.outcome.events if e["type"] == "form_refused"]

            await c.caller_says("no, still not")
            await c.wait_closed()
            assert heard(c)[-1] == SORRY
            payload = await the_payload(c)
    assert (payload["status"], payload["ended_reason"]) == ("declined", "form_refused")

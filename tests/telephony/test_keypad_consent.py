"""Keypad consent on a phone line: 1 agrees, 2 declines, other keys re-prompt; voice or key,
the first answer stands. Keys arrive as the room's `sip_dtmf_received` events."""

from __future__ import annotations

import asyncio
from pathlib import Path

from livekit import rtc
from livekit.agents.testing import fake_job_context

from tests.call.scripts import HOW_CAN_I_HELP, QUESTION, front_desk
from tests.harness import conversation_requests, offline_call, spoken
from tests.telephony.calls import PHONE_CALLER, ROOM, heard, until

KEYPAD_HINT = "You can also press 1 to agree, or 2 to decline."
GOODBYE = (
    "I understand. We can't continue this call without recording, so I'll end it now. "
    "Thank you for calling, goodbye."
)


def press(room: rtc.Room, digit: str) -> None:
    code = {"*": 10, "#": 11}.get(digit, int(digit) if digit.isdigit() else 0)
    room.emit("sip_dtmf_received", rtc.SipDTMF(code=code, digit=digit))


async def test_a_phone_caller_hears_the_keypad_option_and_1_agrees(tmp_path: Path) -> None:
    room = rtc.Room()
    with fake_job_context(room=room, job_id="AJ_keypad"):
        async with offline_call(
            front_desk(), database_path=tmp_path / "c.db", room=ROOM, caller=PHONE_CALLER
        ) as call_:
            opening = await call_.start()
            assert spoken(opening) == [f"{QUESTION} {KEYPAD_HINT}"]

            press(room, "1")
            await until(lambda: HOW_CAN_I_HELP in heard(call_))

            records = await call_.consent_records()
            assert [(r.decision, r.method, r.digit) for r in records] == [(True, "keypad", "1")]
            assert records[0].answer_text == "1"
            assert records[0].caller == PHONE_CALLER
            assert call_.llm.requests[-1].offers("route_to")  # only the front desk asked


async def test_2_declines_and_the_caller_hears_goodbye(tmp_path: Path, make_settings) -> None:
    settings = make_settings(consent={"consent_denial_policy": "hang_up"})
    room = rtc.Room()
    with fake_job_context(room=room):
        async with offline_call(
            front_desk(),
            settings=settings,
            database_path=tmp_path / "c.db",
            room=ROOM,
            caller=PHONE_CALLER,
        ) as call_:
            await call_.start()
            press(room, "2")
            await call_.wait_closed()

            assert heard(call_)[-1] == GOODBYE
            records = await call_.consent_records()
            assert [(r.decision, r.method, r.digit) for r in records] == [(False, "keypad", "2")]
            assert call_.state.outcome.status == "declined"
            assert call_.state.outcome.ending().reason == "consent_refused"
            assert conversation_requests(call_) == []


async def test_other_keys_get_one_short_reprompt_then_1_counts(tmp_path: Path) -> None:
    room = rtc.Room()
    with fake_job_context(room=room):
        async with offline_call(
            front_desk(), database_path=tmp_path / "c.db", room=ROOM, caller=PHONE_CALLER
        ) as call_:
            await call_.start()
            press(room, "5")
            await until(lambda: heard(call_)[-1] == KEYPAD_HINT)
            press(room, "#")
            press(room, "9")  # mashed while the re-prompt plays: no pile of re-prompts
            press(room, "1")
            await until(lambda: HOW_CAN_I_HELP in heard(call_))

            assert heard(call_).count(KEYPAD_HINT) == 2  # after "5" and "#"; "9" was dropped
            records = await call_.consent_records()
            assert [(r.decision, r.method, r.digit) for r in records] == [(True, "keypad", "1")]


async def test_voice_first_then_a_key_the_spoken_answer_stands(tmp_path: Path) -> None:
    room = rtc.Room()
    with fake_job_context(room=room):
        async with offline_call(
            front_desk(), database_path=tmp_path / "c.db", room=ROOM, caller=PHONE_CALLER
        ) as call_:
            await call_.start()
            result = await call_.caller_says("yes, go ahead")
            press(room, "2")  # too late: the question is answered

            assert spoken(result) == [HOW_CAN_I_HELP]
            records = await call_.consent_records()
            assert [(r.decision, r.method, r.digit) for r in records] == [(True, "voice", None)]
            assert not call_.closed.is_set()


async def test_key_first_then_voice_the_key_stands(tmp_path: Path) -> None:
    script = front_desk()
    script.when(lambda r: r.offers("route_to") and r.answering_user, "Sure, how can I help?")
    room = rtc.Room()
    with fake_job_context(room=room):
        async with offline_call(
            script, database_path=tmp_path / "c.db", room=ROOM, caller=PHONE_CALLER
        ) as call_:
            await call_.start()
            press(room, "1")
            await until(lambda: call_.state.outcome.consent is not None)
            await call_.caller_says("no")  # reaches the front desk, not the question

            records = await call_.consent_records()
            first = records[0]
            assert (first.decision, first.method, first.digit) == (True, "keypad", "1")
            # ... and a "no" right after a yes takes it back: the recording stops.
            assert [(r.kind, r.matched) for r in records[1:]] == [
                ("withdrawal", "withdrawal:taken_back")
            ]


async def test_a_web_caller_is_asked_without_the_keypad_option(tmp_path: Path) -> None:
    room = rtc.Room()
    with fake_job_context(room=room):
        async with offline_call(front_desk(), database_path=tmp_path / "c.db") as call_:
            opening = await call_.start()
            assert spoken(opening) == [QUESTION]
            press(room, "1")  # not a phone line: keys are not listened to
            await asyncio.sleep(0.05)
            assert call_.state.outcome.consent is None


async def test_on_a_keypad_line_saying_one_agrees_and_two_declines(
    tmp_path: Path, make_settings
) -> None:
    room = rtc.Room()
    with fake_job_context(room=room):
        async with offline_call(
            front_desk(), database_path=tmp_path / "c.db", room=ROOM, caller=PHONE_CALLER
        ) as call_:
            await call_.start()
            result = await call_.caller_says("One.")
            assert spoken(result) == [HOW_CAN_I_HELP]
            records = await call_.consent_records()
            assert [(r.decision, r.method, r.matched) for r in records] == [
                (True, "voice", "spoken_keypad:one")
            ]

    settings = make_settings(consent={"consent_denial_policy": "hang_up"})
    with fake_job_context(room=rtc.Room()):
        async with offline_call(
            front_desk(),
            settings=settings,
            database_path=tmp_path / "d.db",
            room=ROOM,
            caller=PHONE_CALLER,
        ) as call_:
            await call_.start()
            result = await call_.caller_says("two")
            assert spoken(result) == [GOODBYE]
            records = await call_.consent_records()
            assert [(r.decision, r.matched) for r in records] == [(False, "spoken_keypad:two")]


async def test_a_web_caller_saying_one_was_not_offered_the_keypad(tmp_path: Path) -> None:
    async with offline_call(front_desk(), database_path=tmp_path / "c.db") as call_:
        await call_.start()
        result = await call_.caller_says("one")
        assert spoken(result) == ["Sorry, I need a clear yes or no: may we record this call?"]
        assert await call_.consent_records() == []

"""While the question is open, the caller hears no word of the model's: it picks the topic of
a question and the settings' answer is spoken, then our fixed question."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from livekit import rtc
from livekit.agents.testing import fake_job_context

from offline.scripted_llm import Reply, Request, ToolCall, say
from tests.call.scripts import ASK_AGAIN, CONFIRM, HOW_CAN_I_HELP, at_consent, front_desk
from tests.harness import offline_call, spoken, tool_calls
from tests.telephony.calls import PHONE_CALLER, ROOM, until

CANNOT_ANSWER = "I'm sorry, I can't answer that."
INVERTED = "If you'd rather we delete it right after the call, just say yes."


async def test_a_model_inverting_what_yes_means_is_not_heard(tmp_path: Path) -> None:
    script = front_desk()
    script.when(lambda r: at_consent(r) and r.answering_user, say(INVERTED))
    async with offline_call(script, database_path=tmp_path / "c.db") as call_:
        await call_.start()
        result = await call_.caller_says("Why do you record?")
        assert spoken(result) == [f"{CANNOT_ANSWER} {ASK_AGAIN}"]
        assert INVERTED not in " ".join(call_.heard())


async def test_the_model_picks_a_topic_and_the_settings_answer_it(tmp_path: Path) -> None:
    fact = "Recordings are kept for 90 days and then deleted."
    script = front_desk()
    script.when(
        lambda r: at_consent(r) and r.answering_user,
        Reply(
            text="We never keep them! Is that okay? Press one to opt out.",
            calls=(ToolCall("answer_question", {"topic": "how_long_it_is_kept"}),),
        ),
    )
    async with offline_call(script, database_path=tmp_path / "c.db") as call_:
        await call_.start()
        result = await call_.caller_says("How long do you keep it?")
        assert spoken(result) == [f"{fact} {ASK_AGAIN}"]  # its own words are never spoken
        answered = await call_.caller_says("Yes.")
        assert tool_calls(answered) == [("record_consent", {"consent_given": True})]


def _copycat(r: Request) -> Reply:
    """Copies our confirmation line after its own inverted question, and tries a yes."""
    words = f"Say yes if you do NOT want to be recorded. {CONFIRM}"
    return Reply(text=words, calls=(ToolCall("record_consent", {"consent_given": True}),))


async def test_a_response_that_calls_a_tool_says_nothing_and_our_question_follows(
    tmp_path: Path,
) -> None:
    script = front_desk()
    script.when(lambda r: at_consent(r) and r.answering_user, _copycat)
    script.when(at_consent, say("Say yes to opt out."))
    async with offline_call(script, database_path=tmp_path / "c.db") as call_:
        await call_.start()
        await call_.caller_says("What is this about?")
        heard = call_.heard()[-1]
        assert "NOT" not in heard and "opt out" not in heard
        assert heard.endswith(ASK_AGAIN)
        assert await call_.consent_records() == []


async def test_okay_to_the_keypad_hint_alone_is_not_consent(tmp_path: Path) -> None:
    room = rtc.Room()
    with fake_job_context(room=room):
        async with offline_call(
            front_desk(), database_path=tmp_path / "c.db", room=ROOM, caller=PHONE_CALLER
        ) as call_:
            await call_.start()
            room.emit("sip_dtmf_received", rtc.SipDTMF(code=5, digit="5"))
            hint = "You can also press 1 to agree, or 2 to decline."
            await until(lambda: call_.heard()[-1] == hint)
            result = await call_.caller_says("okay")
            assert spoken(result) == [CONFIRM]
            assert await call_.consent_records() == []


async def test_another_participants_key_is_not_the_callers(tmp_path: Path) -> None:
    room = rtc.Room()
    with fake_job_context(room=room):
        async with offline_call(
            front_desk(), database_path=tmp_path / "c.db", room=ROOM, caller=PHONE_CALLER
        ) as call_:
            await call_.start()
            someone = SimpleNamespace(identity="sip_colleague")
            room.emit("sip_dtmf_received", rtc.SipDTMF(code=1, digit="1", participant=someone))
            caller = SimpleNamespace(identity=PHONE_CALLER.identity)
            room.emit("sip_dtmf_received", rtc.SipDTMF(code=2, digit="2", participant=caller))
            await call_.wait_closed()  # the caller's own 2: goodbye
            records = await call_.consent_records()
            assert [(r.decision, r.digit) for r in records] == [(False, "2")]


async def test_wait_no_right_after_a_yes_takes_it_back(tmp_path: Path) -> None:
    async with offline_call(front_desk(), database_path=tmp_path / "c.db") as call_:
        await call_.start()
        answered = await call_.caller_says("yes")
        assert spoken(answered) == [HOW_CAN_I_HELP]
        await call_.caller_says("wait, no, I meant no")
        await call_.until_heard(
            "Understood. Recording has stopped, and the rest of this call will not be recorded."
        )
        records = await call_.consent_records()
        assert [(r.kind, r.matched) for r in records] == [
            ("decision", "affirmative:yes"),
            ("withdrawal", "withdrawal:taken_back"),
        ]

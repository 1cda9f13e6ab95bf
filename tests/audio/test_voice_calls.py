"""Calls by voice: a spoken yes, and an escalation to the manager, heard through the speaker.

The caller's words reach the agents only through the session's VAD and STT; what the agents
say reaches the caller only through their voices (TTS instances) and the speaker, which
knows from the samples it played whose voice it was.
"""

from __future__ import annotations

from pathlib import Path

from agents.customer_service import CustomerServiceAgent
from agents.manager import ManagerAgent
from offline.scripted_llm import Request, Script, say
from tests.call.scripts import CONFIRM, HOW_CAN_I_HELP, QUESTION, at_front_desk, front_desk
from tests.fakes.audio_call import FRONT_DESK_VOICE, MANAGER_VOICE, audio_call

MANAGER_HELLO = (
    "Hello, I'm the duty manager. I understand you'd like someone senior to look at this, "
    "and I'm here to sort it out for you today. Tell me what happened."
)
MANAGER_ON_THE_BILL = "I see the double charge on your bill. I'll refund it right now."
FRONT_DESK_ON_THE_BILL = "Let me put you through to billing."


def _at_manager(r: Request) -> bool:
    return r.offers("issue_credit")


def escalation() -> Script:
    s = front_desk()
    s.when(lambda r: _at_manager(r) and not r.answering_user, say(MANAGER_HELLO))
    s.when(lambda r: _at_manager(r) and r.user_said(r"\bbill"), say(MANAGER_ON_THE_BILL))
    # were the front desk still in charge, it would answer differently
    s.when(lambda r: at_front_desk(r) and r.user_said(r"\bbill"), say(FRONT_DESK_ON_THE_BILL))
    return s


async def _past_consent(call) -> None:  # type: ignore[no-untyped-def]
    await call.start()
    await call.next_playback()  # the consent question
    await call.caller.says("Yes")
    await call.next_playback()  # how can I help


async def test_a_spoken_yes_goes_through_consent_to_the_front_desk(tmp_path: Path) -> None:
    async with audio_call(front_desk(), database_path=tmp_path / "c.db") as call:
        await call.start()
        question = await call.next_playback()
        assert question.text == QUESTION

        await call.caller.pauses(0.4)
        await call.caller.says("Yes, that's fine")

        reply = await call.next_playback()
        assert reply.text == HOW_CAN_I_HELP
        assert reply.voices == {FRONT_DESK_VOICE}
        assert reply.played_to_the_end
        assert call.stt.finals == ["Yes, that's fine"]  # heard through the STT, not typed
        assert isinstance(call.agent, CustomerServiceAgent)
        records = await call.consent_records()
        assert [(r.decision, r.method, r.answer_text) for r in records] == [
            (True, "voice", "Yes, that's fine")
        ]
        # the yes was read in code: the only model round trip is the front desk's line
        assert len(call.llm.requests) == 1


async def test_a_yes_heard_with_low_confidence_is_confirmed_before_it_counts(
    tmp_path: Path,
) -> None:
    async with audio_call(front_desk(), database_path=tmp_path / "c.db") as call:
        await call.start()
        await call.next_playback()  # the consent question
        call.stt.confidence["Yes"] = 0.35  # what a noisy line gives

        await call.caller.says("Yes")
        confirm = await call.next_playback()
        assert confirm.text == CONFIRM
        assert await call.consent_records() == []

        await call.caller.says("Yes, that's fine")  # heard clearly
        reply = await call.next_playback()
        assert reply.text == HOW_CAN_I_HELP
        records = await call.consent_records()
        assert [(r.decision, r.matched, r.confirmed) for r in records] == [
            (True, "affirmative:yes+thats_fine", True)
        ]
        assert records[0].stt_confidence == 1.0
        assert len(call.llm.requests) == 1  # the confirmation cost no model round trip


async def test_the_manager_speaks_with_a_different_voice(tmp_path: Path) -> None:
    async with audio_call(escalation(), database_path=tmp_path / "c.db") as call:
        await _past_consent(call)
        await call.caller.says("I want to speak to a manager")

        hello = await call.next_playback()

        assert hello.text == MANAGER_HELLO
        assert hello.voices == {MANAGER_VOICE}
        assert isinstance(call.agent, ManagerAgent)
        assert call.manager_voice is not call.front_desk_voice
        # each voice synthesizes sentence by sentence: join them back
        assert " ".join(call.manager_voice.spoken) == MANAGER_HELLO
        assert " ".join(call.front_desk_voice.spoken) == f"{QUESTION} {HOW_CAN_I_HELP}"
        front_lines = [p for p in call.speaker.playbacks if p.text in (QUESTION, HOW_CAN_I_HELP)]
        assert {v for p in front_lines for v in p.voices} == {FRONT_DESK_VOICE}


async def test_an_escalation_survives_the_caller_interrupting_the_manager(
    tmp_path: Path,
) -> None:
    async with audio_call(escalation(), database_path=tmp_path / "c.db") as call:
        await _past_consent(call)
        await call.caller.says("Get me a manager, please")

        await call.speaker.starts_playing()  # the manager's first words
        await call.caller.pauses(1.0)
        await call.caller.says("It's about my bill, you charged me twice")  # cuts in

        hello = await call.next_playback()
        assert hello.voices == {MANAGER_VOICE}
        assert hello.interrupted
        assert not hello.played_to_the_end

        answer = await call.next_playback()
        assert isinstance(call.agent, ManagerAgent)
        assert answer.text == MANAGER_ON_THE_BILL
        assert answer.voices == {MANAGER_VOICE}
        assert answer.played_to_the_end
        assert FRONT_DESK_ON_THE_BILL not in call.front_desk_voice.spoken
        # the manager's model answered, with the caller's words in its context
        assert _at_manager(call.llm.requests[-1])
        assert call.llm.requests[-1].user_said("charged me twice")
        escalations = [e for e in call.state.outcome.events if e["type"] == "escalation"]
        assert len(escalations) == 1

"""What the caller hears when they talk over the agent, at the audio level.

The session runs its real audio path on the stand-ins of `tests.fakes.audio`: the caller's
microphone feeds the session's VAD and STT, the agent's voice plays through a speaker that
reports what was actually played and whether playback was cut short.
"""

from __future__ import annotations

from pathlib import Path

from offline.scripted_llm import say
from tests.call.scripts import HOW_CAN_I_HELP, QUESTION, at_front_desk, front_desk
from tests.call.test_consent import GOODBYE
from tests.fakes.audio_call import FRONT_DESK_VOICE, audio_call

LONG_OFFER = (
    "Sure. We have three plans: the starter plan for small teams, the business plan with "
    "priority support, and the enterprise plan with a dedicated manager. Which sounds right?"
)


async def test_the_consent_question_plays_to_the_end_when_the_caller_talks_over_it(
    tmp_path: Path,
) -> None:
    async with audio_call(front_desk(), database_path=tmp_path / "c.db") as call:
        await call.start()
        await call.speaker.starts_playing()  # "Hello! Thank you for calling ..."
        await call.caller.pauses(1.0)
        await call.caller.says("Hello? Hello, who is this?")  # talks over the question

        question = await call.next_playback()

        assert call.caller_heard_speaking_during(question), "the VAD never heard the caller"
        assert question.text == QUESTION
        assert question.voices == {FRONT_DESK_VOICE}
        assert question.played_to_the_end
        assert question.heard_text == QUESTION
        assert await call.assistant_line(0) == (QUESTION, False)
        # what the caller said over the question is not an answer to it
        assert call.state.outcome.consent is None
        assert call.llm.requests == []

        await call.caller.pauses(0.5)
        await call.caller.says("Yes, that's fine")
        reply = await call.next_playback()
        assert reply.text == HOW_CAN_I_HELP
        assert (
            call.state.outcome.consent is not None and call.state.outcome.consent.decision is True
        )


async def test_the_no_consent_goodbye_plays_to_the_end_then_the_call_ends(
    tmp_path: Path, make_settings
) -> None:
    settings = make_settings(consent={"consent_denial_policy": "hang_up"})
    async with audio_call(front_desk(), settings=settings, database_path=tmp_path / "c.db") as call:
        await call.start()
        await call.next_playback()  # the question, in full
        await call.caller.pauses(0.3)
        await call.caller.says("No, I don't want that")

        await call.speaker.starts_playing()  # the goodbye begins
        await call.caller.pauses(0.5)
        await call.caller.says("Wait, hold on, what do you mean?")  # talks over it

        goodbye = await call.next_playback()
        closed = await call.wait_closed()

        assert call.caller_heard_speaking_during(goodbye), "the VAD never heard the caller"
        assert goodbye.text == GOODBYE
        assert goodbye.played_to_the_end
        assert closed.reason.value == "user_initiated"
        assert goodbye.finished_at is not None and call.closed_at >= goodbye.finished_at
        assert call.state.outcome.status == "declined"
        records = await call.consent_records()
        assert [(r.decision, r.answer_text) for r in records] == [(False, "No, I don't want that")]


async def test_an_interruptible_line_does_stop_when_the_caller_talks_over_it(
    tmp_path: Path,
) -> None:
    """The control: the same talking-over cuts an ordinary answer short."""
    script = front_desk()
    script.when(lambda r: at_front_desk(r) and r.user_said("plans"), say(LONG_OFFER))
    script.when(lambda r: at_front_desk(r) and r.user_said("business"), say("Great choice."))
    async with audio_call(script, database_path=tmp_path / "c.db") as call:
        await call.start()
        await call.next_playback()  # the question
        await call.caller.says("Yes")
        await call.next_playback()  # how can I help
        await call.caller.says("What plans do you have?")

        await call.speaker.starts_playing()  # the long offer begins
        await call.caller.pauses(1.5)
        await call.caller.says("The business one, please")

        offer = await call.next_playback()
        assert offer.interrupted
        assert not offer.played_to_the_end
        assert 0 < offer.position < offer.duration
        assert LONG_OFFER.startswith(offer.heard_text)
        answer = await call.next_playback()
        assert answer.text == "Great choice."
        assert (LONG_OFFER, True) in call.assistant_lines()  # the record says it was cut short

"""The caller asks about the recording, or never answers plainly: what they hear, what the
record shows. Questions are answered (from settings, by the model) and never count against
the caller; the total number of turns on the question is capped."""

from __future__ import annotations

from pathlib import Path

from offline.scripted_llm import Request, call
from tests.call.scripts import HOW_CAN_I_HELP, at_consent, front_desk
from tests.harness import offline_call, spoken, tool_calls

NO_ANSWER_GOODBYE = (
    "Sorry, I couldn't get a clear yes or no, and we can't continue this call without one. "
    "Thank you for calling, goodbye."
)
PURPOSE = "We record calls to check the quality of our service and to train our team."
RETENTION = "Recordings are kept for 90 days and then deleted."
ACCESS = "Only Acme Corp's quality and training team can listen to recordings."


ASK_AGAIN = "Sorry, I need a clear yes or no: may we record this call?"


def _answers_from_settings(r: Request):  # type: ignore[no-untyped-def]
    """A model that picks the topic of the caller's question (the answer is spoken for it)."""
    for words, topic in (
        ("why", "why_we_record"),
        ("how long", "how_long_it_is_kept"),
        ("who", "who_can_listen"),
    ):
        if r.user_said(words):
            return call("answer_question", topic=topic)
    return call("answer_question", topic="something_else")


async def test_three_questions_get_three_answers_and_the_caller_can_still_say_yes(
    tmp_path: Path,
) -> None:
    script = front_desk()
    script.when(lambda r: at_consent(r) and r.answering_user, _answers_from_settings)
    async with offline_call(script, database_path=tmp_path / "c.db") as call_:
        await call_.start()
        why = await call_.caller_says("Why do you record?")
        assert spoken(why) == [f"{PURPOSE} {ASK_AGAIN}"]
        how_long = await call_.caller_says("And how long do you keep it?")
        assert spoken(how_long) == [f"{RETENTION} {ASK_AGAIN}"]
        who = await call_.caller_says("Who can listen to it?")
        assert spoken(who) == [f"{ACCESS} {ASK_AGAIN}"]

        result = await call_.caller_says("Okay, yes.")
        assert tool_calls(result) == [("record_consent", {"consent_given": True})]
        assert spoken(result) == [HOW_CAN_I_HELP]
        records = await call_.consent_records()
        assert [(r.decision, r.matched) for r in records] == [(True, "affirmative:okay+yes")]


async def test_questions_are_not_unclear_answers(tmp_path: Path, make_settings) -> None:
    settings = make_settings(consent={"consent_max_unclear_answers": 1})
    script = front_desk()
    script.when(lambda r: at_consent(r) and r.answering_user, _answers_from_settings)
    async with offline_call(script, settings=settings, database_path=tmp_path / "c.db") as call_:
        await call_.start()
        await call_.caller_says("Why do you record?")
        await call_.caller_says("What do you use it for?")
        assert not call_.closed.is_set()
        assert await call_.consent_records() == []
        result = await call_.caller_says("yes")
        assert tool_calls(result) == [("record_consent", {"consent_given": True})]


async def test_a_caller_who_only_asks_questions_is_not_recorded_after_the_turn_limit(
    tmp_path: Path, make_settings
) -> None:
    settings = make_settings(consent={"consent_denial_policy": "hang_up", "consent_max_turns": 4})
    script = front_desk()
    script.when(lambda r: at_consent(r) and r.answering_user, _answers_from_settings)
    async with offline_call(script, settings=settings, database_path=tmp_path / "c.db") as call_:
        await call_.start()
        for question in ("Why?", "Who listens?", "How long?"):
            assert spoken(await call_.caller_says(question))  # each one is answered
        last = await call_.caller_says("What's the weather like?")
        assert spoken(last) == [NO_ANSWER_GOODBYE]
        assert not NO_ANSWER_GOODBYE.startswith("I understand")
        await call_.wait_closed()
        records = await call_.consent_records()
        assert [(r.decision, r.ending, r.matched) for r in records] == [(False, "turn_limit", None)]
        # the caller never said no: the call ended unanswered, not declined
        assert call_.state.outcome.status == "unanswered"
        assert call_.state.outcome.ending().reason == "consent_unanswered"


async def test_after_the_turn_limit_an_unrecorded_call_goes_on(
    tmp_path: Path, make_settings
) -> None:
    settings = make_settings(
        consent={"consent_denial_policy": "continue_unrecorded", "consent_max_turns": 2}
    )
    script = front_desk()
    script.when(lambda r: at_consent(r) and r.answering_user, _answers_from_settings)
    async with offline_call(script, settings=settings, database_path=tmp_path / "c.db") as call_:
        await call_.start()
        await call_.caller_says("Why?")
        result = await call_.caller_says("Who listens?")
        assert spoken(result) == [
            "Since I didn't get a clear yes, this call will not be recorded.",
            HOW_CAN_I_HELP,
        ]
        assert call_.state.outcome.egress_id is None

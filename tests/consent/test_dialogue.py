"""What the caller just heard decides whether their yes counts: only our own fixed words,
heard to the end, can be answered with a yes that is recorded."""

from __future__ import annotations

from pathlib import Path

from config.settings import load_settings
from consent.dialogue import Exchange, Policy
from offline.scripted_llm import Request, say
from tests.call.scripts import CONFIRM, HOW_CAN_I_HELP, QUESTION, at_consent, front_desk
from tests.harness import offline_call, spoken, tool_calls

ASK_AGAIN = "Sorry, I need a clear yes or no: may we record this call?"


def _policy(**overrides: object) -> Policy:
    consent = load_settings(consent=overrides).consent
    return Policy(
        grammar=consent.grammar,
        keypad=False,
        question=consent.question_text(keypad=False),
        clarify=consent.line("clarify"),
        confirm=consent.line("confirm"),
        condition=consent.line("condition"),
        max_unclear=consent.consent_max_unclear_answers,
        max_turns=consent.consent_max_turns,
        min_confidence=consent.consent_min_stt_confidence,
    )


def test_a_yes_to_our_question_is_recorded_with_its_rule() -> None:
    step = _policy().next_step([Exchange(heard=QUESTION, answer="Yes, go ahead")])
    assert (step.action, step.rule, step.confirmed) == (
        "record_yes",
        "affirmative:yes+go_ahead",
        False,
    )


def test_a_yes_to_a_line_the_model_made_up_is_only_a_reason_to_confirm() -> None:
    for model_line in (
        "Would you prefer that we do NOT record this call? Please say yes or no.",
        "Can you hear me clearly?",
        "We record for training. Say yes to opt out.",
    ):
        step = _policy().next_step(
            [Exchange(heard=QUESTION, answer="Why?"), Exchange(heard=model_line, answer="yes")]
        )
        assert step.action == "confirm", model_line


def test_a_line_cut_off_by_the_caller_was_not_heard() -> None:
    step = _policy().next_step(
        [Exchange(heard=QUESTION, answer="I want to agree"), Exchange(heard=None, answer="yes")]
    )
    assert step.action == "confirm"


def test_a_yes_to_the_confirmation_is_recorded_as_confirmed() -> None:
    step = _policy().next_step(
        [
            Exchange(heard=QUESTION, answer="I want to agree to being recorded"),
            Exchange(heard=CONFIRM, answer="yes"),
        ]
    )
    assert (step.action, step.confirmed) == ("record_yes", True)


def test_a_low_confidence_yes_is_confirmed_even_after_a_confirmation() -> None:
    exchanges = [
        Exchange(heard=QUESTION, answer="yes", confidence=0.3),
        Exchange(heard=CONFIRM, answer="yes", confidence=0.4),
    ]
    assert _policy().next_step(exchanges).action == "confirm"
    exchanges.append(Exchange(heard=CONFIRM, answer="yes", confidence=0.95))
    assert _policy().next_step(exchanges).action == "record_yes"


def test_unclear_answers_are_counted_from_the_history_not_from_replies_generated() -> None:
    policy = _policy(consent_max_unclear_answers=2, consent_max_turns=10)
    first = [Exchange(heard=QUESTION, answer="I don't know")]
    # The same turn read twice (a preemptive reply thrown away, then the real one): still one.
    assert policy.next_step(first).action == "clarify"
    assert policy.next_step(first).action == "clarify"
    second = [*first, Exchange(heard=ASK_AGAIN, answer="consent denied")]
    assert policy.next_step(second).action == "give_up_unclear"


def test_questions_never_count_but_turns_do() -> None:
    policy = _policy(consent_max_unclear_answers=1, consent_max_turns=3)
    asked = [Exchange(heard=QUESTION, answer="why?"), Exchange(heard=ASK_AGAIN, answer="who?")]
    assert policy.next_step(asked).action == "answer_question"
    asked.append(Exchange(heard=ASK_AGAIN, answer="how long?"))
    assert policy.next_step(asked).action == "give_up_turns"


def _tricky_model(r: Request):  # type: ignore[no-untyped-def]
    """A model that asks its own question, inverted, hoping the caller says yes."""
    return say("Would you prefer that we do NOT record this call? Please say yes or no.")


async def test_a_model_cannot_turn_a_yes_to_its_own_question_into_consent(tmp_path: Path) -> None:
    script = front_desk()
    script.when(lambda r: at_consent(r) and r.answering_user, _tricky_model)
    async with offline_call(script, database_path=tmp_path / "c.db") as call_:
        await call_.start()
        await call_.caller_says("What's this about?")
        # What the caller heard last is our own question, after the model's words.
        assert call_.heard()[-1].endswith(ASK_AGAIN)
        # Even so, a reply that doesn't end with our words is never a yes:
        script.when(lambda r: at_consent(r), say("Can you hear me clearly?"))
        result = await call_.caller_says("yes")
        assert tool_calls(result) == [("record_consent", {"consent_given": True})]
        assert spoken(result) == [HOW_CAN_I_HELP]
        records = await call_.consent_records()
        assert [(r.decision, r.answers) for r in records] == [(True, ["What's this about?", "yes"])]

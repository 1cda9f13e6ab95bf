"""The escalation ladder: front desk -> specialist -> manager, the conversation carried."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from agents.manager import ManagerAgent
from agents.specialists import BillingAgent, SalesAgent, SupportAgent
from offline.scripted_llm import Request, Script, call, say
from tests.call.scripts import CONFIRM, HOW_CAN_I_HELP, at_consent, front_desk
from tests.harness import offline_call, spoken, tool_calls

MANAGER_HELLO = "I'm the manager. I see your bill was wrong; let's fix it."
WHICH = "I can connect you to billing, support or sales: which fits?"
CONNECT_AFTER = "I'll put you through to them right after this question."
# The model's words, then the consent question again in fixed words.
CONNECT_AFTER_HEARD = f"{CONNECT_AFTER} Sorry, I need a clear yes or no: may we record this call?"


def _is_manager(r: Request) -> bool:
    return r.offers("issue_credit")


def ladder() -> Script:
    s = front_desk()
    s.when(
        lambda r: r.offers("route_to") and r.user_said(r"\bbill"),
        call("route_to", department="billing"),
    )
    s.when(
        lambda r: r.offers("route_to") and r.user_said(r"\bbroken"),
        call("route_to", department="support"),
    )
    s.when(
        lambda r: r.offers("route_to") and r.user_said(r"\bbuy"),
        call("route_to", department="sales"),
    )
    s.when(
        lambda r: r.offers("record_billing_issue") and not r.answering_user, say("Billing here.")
    )
    s.when(lambda r: r.offers("open_support_ticket") and not r.answering_user, say("Support here."))
    s.when(lambda r: r.offers("record_interest") and not r.answering_user, say("Sales here."))
    s.when(
        lambda r: _is_manager(r) and not r.answering_user and r.last_tool_output is None,
        say(MANAGER_HELLO),
    )
    return s


async def _past_consent(call_) -> None:
    await call_.start()
    await call_.caller_says("yes")


@pytest.mark.parametrize(
    ("need", "agent_type", "greeting"),
    [
        ("My bill is wrong", BillingAgent, "Billing here."),
        ("My router is broken", SupportAgent, "Support here."),
        ("I'd like to buy the team plan", SalesAgent, "Sales here."),
    ],
)
async def test_the_front_desk_routes_each_need_to_its_specialist(
    tmp_path: Path, need: str, agent_type: type, greeting: str
) -> None:
    async with offline_call(ladder(), database_path=tmp_path / "c.db") as call_:
        await _past_consent(call_)
        result = await call_.caller_says(need)

        result.expect.contains_function_call(name="route_to")
        result.expect.contains_agent_handoff(new_agent_type=agent_type)
        assert spoken(result) == [greeting]
        assert isinstance(call_.agent, agent_type)
        # The specialist was handed the conversation: the caller never repeats themselves.
        assert need in [i.text_content for i in call_.llm.requests[-1].items if i.type == "message"]


async def test_asking_for_a_manager_reaches_one_in_one_round_trip_with_context(
    tmp_path: Path,
) -> None:
    async with offline_call(ladder(), database_path=tmp_path / "c.db") as call_:
        await _past_consent(call_)
        await call_.caller_says("My bill is wrong")
        before = len(call_.llm.requests)

        result = await call_.caller_says("I want to speak to your manager")

        assert tool_calls(result)[0][0] == "escalate_to_manager"
        result.expect.contains_agent_handoff(new_agent_type=ManagerAgent)
        assert spoken(result) == [MANAGER_HELLO]
        assert len(call_.llm.requests) - before == 1  # only the manager's first words
        manager_saw = [i.text_content for i in call_.llm.requests[-1].items if i.type == "message"]
        assert "My bill is wrong" in manager_saw
        assert [e["type"] for e in call_.state.outcome.events if e["type"] == "escalation"] == [
            "escalation"
        ]


async def test_a_manager_asked_for_during_consent_comes_after_consent(tmp_path: Path) -> None:
    script = ladder()
    script.when(at_consent, call("answer_question", topic="wants_a_person"))
    async with offline_call(script, database_path=tmp_path / "c.db") as call_:
        await call_.start()
        asked = await call_.caller_says("Can I talk to a manager?")
        assert spoken(asked) == [CONNECT_AFTER_HEARD]
        assert not isinstance(call_.agent, ManagerAgent)

        result = await call_.caller_says("yes")

        assert tool_calls(result) == [("record_consent", {"consent_given": True})]
        result.expect.contains_agent_handoff(new_agent_type=ManagerAgent)
        assert spoken(result) == [MANAGER_HELLO]
        records = await call_.consent_records()
        assert [r.decision for r in records] == [True]


async def _at_manager(call_) -> None:
    await _past_consent(call_)
    await call_.caller_says("My bill is wrong")
    await call_.caller_says("get me a supervisor")


def manager_script(*replies) -> Script:
    s = ladder()
    for when, reply in replies:
        s.when(when, reply)
    s.when(
        lambda r: _is_manager(r) and r.last_tool_output is not None,
        lambda r: say(
            ("Sorry, " if r.last_tool_output.is_error else "Done: ") + r.last_tool_output.output
        ),
    )
    return s


async def test_the_manager_grants_a_credit_within_its_authority(tmp_path: Path) -> None:
    script = manager_script(
        (
            lambda r: _is_manager(r) and r.user_said("credit"),
            call("issue_credit", amount=30, reason="billing error"),
        ),
    )
    async with offline_call(script, database_path=tmp_path / "c.db") as call_:
        await _at_manager(call_)
        result = await call_.caller_says("A credit would be great")

        assert spoken(result) == ["Done: Credit of 30.00 USD issued."]
        assert [(g.kind, g.amount) for g in call_.state.outcome.grants] == [
            ("credit", Decimal("30.00"))
        ]
        assert any(
            e["type"] == "grant" and e["amount"] == "30.00" for e in call_.state.outcome.events
        )


async def test_a_credit_above_the_limit_is_refused_and_nothing_is_granted(
    tmp_path: Path, make_settings
) -> None:
    settings = make_settings(manager={"manager_max_credit": "50"})
    script = manager_script(
        (
            lambda r: _is_manager(r) and r.user_said("credit"),
            call("issue_credit", amount=80, reason="goodwill"),
        ),
    )
    async with offline_call(script, settings=settings, database_path=tmp_path / "c.db") as call_:
        await _at_manager(call_)
        result = await call_.caller_says("I want a credit of 80")

        [output] = [e.item for e in result.events if e.type == "function_call_output"]
        assert output.is_error and "above your authority" in output.output
        assert "at most 50" in output.output
        assert call_.state.outcome.grants == []
        assert spoken(result)[0].startswith("Sorry, ")


async def test_the_limit_counts_everything_granted_on_the_call(
    tmp_path: Path, make_settings
) -> None:
    settings = make_settings(manager={"manager_max_credit": "50"})
    script = manager_script(
        (
            lambda r: _is_manager(r) and r.user_said("first"),
            call("issue_credit", amount=40, reason="late fee"),
        ),
        (
            lambda r: _is_manager(r) and r.user_said("another"),
            call("issue_credit", amount=20, reason="goodwill"),
        ),
    )
    async with offline_call(script, settings=settings, database_path=tmp_path / "c.db") as call_:
        await _at_manager(call_)
        await call_.caller_says("first a credit please")
        result = await call_.caller_says("and another credit")

        [output] = [e.item for e in result.events if e.type == "function_call_output"]
        assert output.is_error and "at most 10.00 USD more" in output.output
        assert [g.amount for g in call_.state.outcome.grants] == [Decimal("40.00")]


async def test_bad_tool_arguments_go_back_to_the_model_and_the_call_goes_on(tmp_path: Path) -> None:
    script = manager_script(
        (
            lambda r: _is_manager(r) and r.user_said("minus"),
            call("issue_credit", amount=-5, reason="x"),
        ),
    )
    async with offline_call(script, database_path=tmp_path / "c.db") as call_:
        await _at_manager(call_)
        result = await call_.caller_says("credit me minus five")

        [output] = [e.item for e in result.events if e.type == "function_call_output"]
        assert output.is_error
        assert spoken(result) and spoken(result)[0].startswith("Sorry, ")
        assert call_.state.outcome.grants == []
        assert not call_.closed.is_set()


async def test_routing_to_an_unknown_department_is_refused_without_a_crash(tmp_path: Path) -> None:
    script = ladder()
    script.when(
        lambda r: r.offers("route_to") and r.user_said("lawyer"),
        call("route_to", department="legal"),
    )
    script.when(lambda r: r.offers("route_to") and r.last_tool_output is not None, say(WHICH))
    async with offline_call(script, database_path=tmp_path / "c.db") as call_:
        await _past_consent(call_)
        result = await call_.caller_says("I need a lawyer")

        [output] = [e.item for e in result.events if e.type == "function_call_output"]
        assert output.is_error
        assert spoken(result) == [WHICH]
        assert call_.agent.__class__.__name__ == "CustomerServiceAgent"


async def test_a_denied_manager_mention_is_not_an_escalation(tmp_path: Path) -> None:
    script = ladder()
    script.when(lambda r: r.offers("route_to") and r.user_said("manager"), say(HOW_CAN_I_HELP))
    async with offline_call(script, database_path=tmp_path / "c.db") as call_:
        await _past_consent(call_)
        result = await call_.caller_says("No need for a manager, just a question")
        assert tool_calls(result) == []
        assert not isinstance(call_.agent, ManagerAgent)


@pytest.mark.parametrize(
    "words",
    [
        "My manager told me to call about a wrong charge",
        "Can you escalate my ticket to engineering?",
    ],
)
async def test_mentioning_a_manager_is_not_asking_for_one(tmp_path: Path, words: str) -> None:
    script = ladder()
    script.when(lambda r: r.offers("route_to") and r.answering_user, say(HOW_CAN_I_HELP))
    async with offline_call(script, database_path=tmp_path / "c.db") as call_:
        await _past_consent(call_)
        result = await call_.caller_says(words)
        assert tool_calls(result) == []  # the model decides; code didn't escalate
        assert not isinstance(call_.agent, ManagerAgent)


async def test_the_account_manager_saying_yes_is_not_sent_to_a_manager(tmp_path: Path) -> None:
    async with offline_call(ladder(), database_path=tmp_path / "c.db") as call_:
        await call_.start()
        # Not a plain yes: it is confirmed once, and the word "manager" escalates nothing.
        confirming = await call_.caller_says("Yes, I'm the account manager")
        assert spoken(confirming) == [CONFIRM]
        result = await call_.caller_says("yes")
        assert tool_calls(result) == [("record_consent", {"consent_given": True})]
        assert spoken(result) == [HOW_CAN_I_HELP]
        assert not isinstance(call_.agent, ManagerAgent)

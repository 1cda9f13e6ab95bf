"""Live evals of the ladder: specialists, the manager, a transfer to a person."""

from __future__ import annotations

import pytest

from agents.manager import ManagerAgent
from agents.specialists import BillingAgent, SalesAgent, SupportAgent

pytestmark = pytest.mark.evals


@pytest.mark.parametrize(
    ("need", "department", "agent_type", "intent"),
    [
        (
            "I was charged twice for my subscription this month.",
            "billing",
            BillingAgent,
            "Acknowledges the double charge and moves the billing question forward (asks for a "
            "detail or says what happens next), without asking the caller to repeat the problem.",
        ),
        (
            "My router keeps dropping the connection every few minutes.",
            "support",
            SupportAgent,
            "Acknowledges the connection problem and starts troubleshooting or asks a relevant "
            "question, without asking the caller to repeat the problem.",
        ),
        (
            "I'd like to upgrade to your premium plan, what does it cost?",
            "sales",
            SalesAgent,
            "Responds to the interest in upgrading to the premium plan (answers or asks a "
            "relevant question), without asking the caller to repeat what they want.",
        ),
    ],
)
async def test_each_need_reaches_its_specialist(
    live_call, judge, need, department, agent_type, intent
) -> None:
    async with live_call() as call:
        await call.caller_says("Yes, that's fine.")
        result = await call.caller_says(need)

        result.expect.contains_function_call(name="route_to", arguments={"department": department})
        result.expect.contains_agent_handoff(new_agent_type=agent_type)
        await result.expect.contains_message(role="assistant").judge(judge, intent=intent)


async def test_asking_for_a_manager_reaches_one_who_knows_the_problem(live_call, judge) -> None:
    async with live_call() as call:
        await call.caller_says("Yes.")
        await call.caller_says("I was charged twice for my subscription this month.")
        result = await call.caller_says("This is ridiculous. I want to speak to a manager.")

        result.expect.contains_function_call(name="escalate_to_manager")
        result.expect.contains_agent_handoff(new_agent_type=ManagerAgent)
        await result.expect.contains_message(role="assistant").judge(
            judge,
            intent="Speaks as a manager, shows they know the caller was charged twice, and offers "
            "to resolve it or asks one relevant question; does not ask the caller to start over.",
        )


async def test_asking_for_a_person_gets_a_clear_next_step(live_call, judge) -> None:
    if not hasattr(ManagerAgent, "transfer_to_human"):
        pytest.skip("the manager has no transfer_to_human tool in this checkout")
    async with live_call() as call:
        await call.caller_says("Yes.")
        await call.caller_says("Get me a manager.")
        result = await call.caller_says(
            "I want to talk to a real human being. Please transfer me to a person."
        )

        result.expect.contains_function_call(name="transfer_to_human")
        await result.expect.contains_message(role="assistant").judge(
            judge,
            intent="Tells the caller what happens next with their request for a person: that "
            "they are being connected, or that a person can't be reached right now and what "
            "they can do instead (for example a call back).",
        )

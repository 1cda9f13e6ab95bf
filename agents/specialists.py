"""Which agent handles which department."""

from __future__ import annotations

from livekit.agents import llm

from agents.billing import BillingAgent
from agents.front_line import Department, FrontLineAgent
from agents.sales import SalesAgent
from agents.support import SupportAgent
from call.call import Call

SPECIALISTS: dict[Department, type[BillingAgent | SupportAgent | SalesAgent]] = {
    "billing": BillingAgent,
    "support": SupportAgent,
    "sales": SalesAgent,
}


def specialist_for(
    department: Department, state: Call, *, chat_ctx: llm.ChatContext
) -> FrontLineAgent:
    return SPECIALISTS[department](state, chat_ctx=chat_ctx)

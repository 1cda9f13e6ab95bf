"""The front line: every agent below the manager can route the caller and escalate."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable
from typing import Literal

from livekit.agents import Agent, ModelSettings, RunContext, ToolError, function_tool, llm

from agents.base import CallAgent
from call.fast_path import asks_for_manager, newest_caller_words, tool_call_chunk

logger = logging.getLogger("consent-agent.escalation")

Department = Literal["billing", "support", "sales"]

ESCALATION_RULES = """\
# Escalation
- If the caller asks for a manager or supervisor, or you cannot resolve the issue within
  your role, call `escalate_to_manager` with a one-line reason. Do not announce it first:
  the manager greets the caller.
- If the caller needs another department, call `route_to` with it.
- Never promise a call back: if the caller wants one, escalate to the manager, who can
  arrange it.
"""


class FrontLineAgent(CallAgent):
    """Base of the customer-service desk and the specialists."""

    department: Department | None = None

    async def llm_node(
        self,
        chat_ctx: llm.ChatContext,
        tools: list[llm.Tool],
        model_settings: ModelSettings,
    ) -> AsyncIterable[llm.ChatChunk | str]:
        words = newest_caller_words(chat_ctx)
        if words is not None and asks_for_manager(words):
            # The caller asked for a manager in so many words: no model round trip needed.
            yield tool_call_chunk("escalate_to_manager", reason=f"caller asked: {words}")
            return
        async for chunk in super().llm_node(chat_ctx, tools, model_settings):
            yield chunk

    @function_tool()
    async def escalate_to_manager(self, context: RunContext, reason: str) -> Agent:
        """Hand the caller to a manager, who has authority for credits and refunds. Use when
        the caller asks for a manager or you cannot resolve their issue.

        Args:
            reason: One line on why the caller needs a manager.
        """
        from agents.manager import ManagerAgent

        self.state.outcome.note("escalation", to="manager", by=self.label, reason=reason)
        logger.info("escalating to manager from %s", self.label)
        return ManagerAgent.for_call(self.state, chat_ctx=self.chat_ctx)

    @function_tool()
    async def route_to(self, context: RunContext, department: Department) -> Agent:
        """Hand the caller to the department that handles their need.

        Args:
            department: billing (charges, invoices, payments), support (something doesn't
                work), or sales (buying, plans, upgrades).
        """
        if department == self.department:
            raise ToolError(f"You are {department}: help the caller yourself.")
        from agents.specialists import specialist_for

        self.state.outcome.note("routing", to=department, by=self.label)
        return specialist_for(department, self.state, chat_ctx=self.chat_ctx)

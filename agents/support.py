"""Support: something the caller uses doesn't work."""

from __future__ import annotations

from typing import Annotated, Literal

from livekit.agents import RunContext, function_tool, llm
from pydantic import Field

from agents.front_line import ESCALATION_RULES, FrontLineAgent
from call.call import Call

SUPPORT_INSTRUCTIONS = f"""\
# Role
You are the technical support specialist at {{company}}. You troubleshoot step by step.

# What you can do
- Walk the caller through simple checks, one step at a time.
- If it isn't solved on the call, open a ticket with `open_support_ticket` and tell the
  caller the team will follow up.

{ESCALATION_RULES}
# Style
Spoken, patient, brief. Never read out tool names.
"""

SUPPORT_GREETING = (
    "You have just taken over from the front desk. Without repeating what the caller "
    "already said, acknowledge the problem and ask the first useful question."
)

Severity = Literal["low", "normal", "urgent"]


class SupportAgent(FrontLineAgent):
    department = "support"

    def __init__(self, state: Call, *, chat_ctx: llm.ChatContext | None = None) -> None:
        super().__init__(
            instructions=SUPPORT_INSTRUCTIONS.format(company=state.settings.consent.company_name),
            chat_ctx=chat_ctx,
            language=state.settings.consent.language.name,
            llm_model=state.models.llm,
            tts_model=state.models.tts,
        )

    async def on_enter(self) -> None:
        self.session.generate_reply(instructions=SUPPORT_GREETING)

    @function_tool()
    async def open_support_ticket(
        self,
        context: RunContext,
        summary: Annotated[str, Field(min_length=3, max_length=500)],
        severity: Severity = "normal",
    ) -> str:
        """Open a support ticket for a problem not solved on the call.

        Args:
            summary: The problem and what was already tried.
            severity: urgent only if the caller cannot work at all.
        """
        self.state.outcome.note("support_ticket", summary=summary, severity=severity)
        return "Ticket opened; the support team will follow up."

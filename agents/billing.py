"""Billing: charges, invoices, payments."""

from __future__ import annotations

from typing import Annotated

from livekit.agents import RunContext, function_tool, llm
from pydantic import Field

from agents.front_line import ESCALATION_RULES, FrontLineAgent
from call.call import Call

BILLING_INSTRUCTIONS = f"""\
# Role
You are the billing specialist at {{company}}. You explain charges, invoices and payments.

# What you can do
- Record the caller's billing issue with `record_billing_issue` once you know what it is,
  so it reaches the billing team with the call's record.
- You cannot grant credits or refunds: that is the manager's authority.

{ESCALATION_RULES}
# Style
Spoken, brief, friendly. One question at a time. Never read out tool names.
"""

BILLING_GREETING = (
    "You have just taken over from the front desk. Without repeating what the caller "
    "already said, acknowledge their billing question and move it forward."
)


class BillingAgent(FrontLineAgent):
    department = "billing"

    def __init__(self, state: Call, *, chat_ctx: llm.ChatContext | None = None) -> None:
        super().__init__(
            instructions=BILLING_INSTRUCTIONS.format(company=state.settings.consent.company_name),
            chat_ctx=chat_ctx,
            language=state.settings.consent.language.name,
            llm_model=state.models.llm,
            tts_model=state.models.tts,
        )

    async def on_enter(self) -> None:
        self.session.generate_reply(instructions=BILLING_GREETING)

    @function_tool()
    async def record_billing_issue(
        self,
        context: RunContext,
        summary: Annotated[str, Field(min_length=3, max_length=500)],
        invoice_number: str | None = None,
        disputed_amount: Annotated[float, Field(ge=0)] | None = None,
    ) -> str:
        """Record the caller's billing issue for the billing team.

        Args:
            summary: What is wrong, in one or two sentences.
            invoice_number: The invoice or order number, if the caller gave one.
            disputed_amount: The amount in dispute, if any.
        """
        self.state.outcome.note(
            "billing_issue",
            summary=summary,
            invoice_number=invoice_number,
            disputed_amount=disputed_amount,
        )
        return "Recorded for the billing team."

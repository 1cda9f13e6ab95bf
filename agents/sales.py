"""Sales: buying, plans, upgrades."""

from __future__ import annotations

from typing import Annotated

from livekit.agents import Agent, RunContext, ToolError, function_tool, llm
from pydantic import Field

from agents.front_line import ESCALATION_RULES, FrontLineAgent
from call.call import Call

SALES_INSTRUCTIONS = f"""\
# Role
You are the sales specialist at {{company}}. You help callers choose and buy.

# What you can do
- Ask what they need, then record it with `record_interest` so sales can follow up.
- When the caller is a serious buyer and agrees to answer a few questions so sales can
  follow up properly, call `start_lead_qualification`.
- Never promise prices or discounts you weren't given.

{ESCALATION_RULES}
# Style
Spoken, warm, brief. One question at a time. Never read out tool names.
"""

SALES_GREETING = (
    "You have just taken over from the front desk. Without repeating what the caller "
    "already said, acknowledge their interest and ask what they're looking for."
)


class SalesAgent(FrontLineAgent):
    department = "sales"

    def __init__(self, state: Call, *, chat_ctx: llm.ChatContext | None = None) -> None:
        super().__init__(
            instructions=SALES_INSTRUCTIONS.format(company=state.settings.consent.company_name),
            chat_ctx=chat_ctx,
            language=state.settings.consent.language.name,
            llm_model=state.models.llm,
            tts_model=state.models.tts,
        )

    async def on_enter(self) -> None:
        self.session.generate_reply(instructions=SALES_GREETING)

    @function_tool()
    async def record_interest(
        self,
        context: RunContext,
        product: Annotated[str, Field(min_length=1, max_length=200)],
        notes: str = "",
    ) -> str:
        """Record what the caller wants to buy, for the sales team's follow-up.

        Args:
            product: The product or plan the caller is interested in.
            notes: Anything else that matters (team size, timeline, budget).
        """
        self.state.outcome.note("sales_interest", product=product, notes=notes)
        return "Recorded for the sales team."

    @function_tool()
    async def start_lead_qualification(self, context: RunContext) -> Agent:
        """Start the lead qualification questions (contact details, company, need, budget,
        timeline). Use once the caller agrees to answer a few questions for sales."""
        from agents.intake import FormAgent

        settings = self.state.settings.forms
        if settings.forms_sales_form is None:
            raise ToolError("Lead qualification isn't set up: record the interest instead.")
        form = settings.library.get(settings.forms_sales_form)
        self.state.outcome.note("form_requested", form=form.name, by=self.label)
        return FormAgent(self.state, form, chat_ctx=self.chat_ctx)

"""The three specialists the front desk routes to, and which handles which department.

Each is a role (prompt, greeting, tools) on the shared front line: routing, escalation to
the manager and the persona come from `FrontLineAgent` and `agents/persona.py`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from livekit.agents import Agent, RunContext, ToolError, function_tool, llm
from pydantic import Field

from agents.front_line import ESCALATION_RULES, Department, FrontLineAgent
from call.call import Call

# -- billing: charges, invoices, payments -------------------------------------------------

BILLING_INSTRUCTIONS = f"""\
# Role
You are the billing specialist at {{company}}. You explain charges, invoices and payments.

# What you can do
- Record the caller's billing issue with `record_billing_issue` once you know what it is,
  so it reaches the billing team with the call's record.
- You cannot grant credits or refunds: that is the manager's authority.

{ESCALATION_RULES}"""

BILLING_GREETING = (
    "You have just taken over from the front desk. Without repeating what the caller "
    "already said, acknowledge their billing question and move it forward."
)


class BillingAgent(FrontLineAgent):
    department = "billing"

    def __init__(self, call: Call, *, chat_ctx: llm.ChatContext | None = None) -> None:
        super().__init__(call, role=BILLING_INSTRUCTIONS, chat_ctx=chat_ctx)

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


# -- support: something the caller uses doesn't work --------------------------------------

SUPPORT_INSTRUCTIONS = f"""\
# Role
You are the technical support specialist at {{company}}. You troubleshoot step by step,
patiently.

# What you can do
- Walk the caller through simple checks, one step at a time.
- If it isn't solved on the call, open a ticket with `open_support_ticket` and tell the
  caller the team will follow up.

{ESCALATION_RULES}"""

SUPPORT_GREETING = (
    "You have just taken over from the front desk. Without repeating what the caller "
    "already said, acknowledge the problem and ask the first useful question."
)

Severity = Literal["low", "normal", "urgent"]


class SupportAgent(FrontLineAgent):
    department = "support"

    def __init__(self, call: Call, *, chat_ctx: llm.ChatContext | None = None) -> None:
        super().__init__(call, role=SUPPORT_INSTRUCTIONS, chat_ctx=chat_ctx)

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


# -- sales: buying, plans, upgrades --------------------------------------------------------

SALES_INSTRUCTIONS = f"""\
# Role
You are the sales specialist at {{company}}. You help callers choose and buy.

# What you can do
- Ask what they need, then record it with `record_interest` so sales can follow up.
- When the caller is a serious buyer and agrees to answer a few questions so sales can
  follow up properly, call `start_lead_qualification`.
- Never promise prices or discounts you weren't given.

{ESCALATION_RULES}"""

SALES_GREETING = (
    "You have just taken over from the front desk. Without repeating what the caller "
    "already said, acknowledge their interest and ask what they're looking for."
)


class SalesAgent(FrontLineAgent):
    department = "sales"

    def __init__(self, call: Call, *, chat_ctx: llm.ChatContext | None = None) -> None:
        super().__init__(call, role=SALES_INSTRUCTIONS, chat_ctx=chat_ctx)

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
        from agents.form import FormAgent

        settings = self.state.settings.forms
        if settings.forms_sales_form is None:
            raise ToolError("Lead qualification isn't set up: record the interest instead.")
        form = settings.library.get(settings.forms_sales_form)
        self.state.outcome.note("form_requested", form=form.name, by=self.label)
        return FormAgent(self.state, form, chat_ctx=self.chat_ctx)


# -- which agent handles which department -------------------------------------------------

SPECIALISTS: dict[Department, type[FrontLineAgent]] = {
    "billing": BillingAgent,
    "support": SupportAgent,
    "sales": SalesAgent,
}


def specialist_for(
    department: Department, call: Call, *, chat_ctx: llm.ChatContext
) -> FrontLineAgent:
    return SPECIALISTS[department](call, chat_ctx=chat_ctx)

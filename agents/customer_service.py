"""The front desk: asks for consent first, then finds what the caller needs."""

from __future__ import annotations

import logging

from livekit.agents import llm

from agents import after_hours
from agents.front_line import ESCALATION_RULES, FrontLineAgent
from agents.manager import ManagerAgent
from call.call import Call
from call.lookup import form_from_lookup
from store.records import ConsentEnding
from tasks.consent import CollectConsent, ConsentResult
from tasks.consent_policy import apply_consent

logger = logging.getLogger("consent-agent.front-desk")

CUSTOMER_SERVICE_INSTRUCTIONS = f"""\
# Role
You are the front desk of {{company}}'s phone line. Find out what the caller needs and
hand them to the right specialist as soon as you know.

# Routing
- billing: charges, invoices, payments, refunds.
- support: something doesn't work.
- sales: buying, plans, upgrades, pricing.
Call `route_to` as soon as the need is clear; the specialist greets the caller, so don't
announce the transfer. Answer simple general questions yourself.

{ESCALATION_RULES}"""

AFTER_CONSENT = (
    "The recording question is settled; don't mention it or thank them for it. "
    "If the caller already said what they need, act on it; otherwise ask how you can help."
)


class CustomerServiceAgent(FrontLineAgent):
    def __init__(self, state: Call, *, chat_ctx: llm.ChatContext | None = None) -> None:
        role = CUSTOMER_SERVICE_INSTRUCTIONS + after_hours.front_desk_rules(state)
        super().__init__(state, role=role, chat_ctx=chat_ctx)

    async def on_enter(self) -> None:
        state = self.state
        if state.outcome.consent is None:
            result = await self._ask_consent(state)
            if not await apply_consent(self.session, state, result):
                return
        if state.wants_manager:
            state.outcome.note(
                "escalation", to="manager", by=self.label, reason="asked during consent"
            )
            self.session.update_agent(ManagerAgent.for_call(state, chat_ctx=self.chat_ctx))
            return
        if state.selected_form is None:
            state.selected_form = await form_from_lookup(state)
        if state.selected_form is not None:
            # A data-collection call (form chosen at dispatch): the form runs right after consent.
            from agents.form import FormAgent

            self.session.update_agent(FormAgent(state, state.selected_form, chat_ctx=self.chat_ctx))
            return
        self.session.generate_reply(instructions=AFTER_CONSENT)

    async def _ask_consent(self, state: Call) -> ConsentResult:
        task = CollectConsent(
            settings=after_hours.consent_settings(state),
            keypad=state.caller.is_phone,
            caller_identity=state.caller.identity,
            chat_ctx=self.chat_ctx,
        )
        try:
            return await task
        except Exception:
            # The caller hung up, stayed silent, or the session closed with the question
            # open: no consent.
            ending: ConsentEnding = "hung_up" if state.outcome.caller_left else "session_closed"
            if state.outcome.limit == "silence_timeout":
                ending = "silence"
            logger.info("consent question ended without an answer (%s)", ending)
            return task.unanswered(ending)

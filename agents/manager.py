"""The manager: the top of the AI ladder, with bounded authority to make things right."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Annotated

from livekit.agents import Agent, RunContext, ToolError, function_tool, llm
from pydantic import Field

from agents import after_hours
from agents.base import CallAgent
from agents.money import GrantRefused, grant_amount
from call.call import Call
from call.outcome import Grant, GrantKind
from telephony import callback, transfer

logger = logging.getLogger("consent-agent.manager")

MANAGER_INSTRUCTIONS = """\
# Role
You are a customer service manager at {company}. The caller was escalated to you; the
conversation so far is in your history, so never ask them to repeat themselves.

# Authority
- You may issue account credits up to {max_credit} {currency} and refunds up to
  {max_refund} {currency} in total on this call, with `issue_credit` and `issue_refund`.
- Amounts are in {currency}, in whole cents. If the caller names another currency, don't
  convert it: tell them grants are in {currency} and agree the amount in {currency}.
- If the tool says an amount is above your authority, offer what you can grant or a
  transfer to a person.
- Only grant what fixes the caller's problem; say what you granted, once.

# A person
- If the caller insists on a person, or you cannot resolve the issue within your
  authority and the caller agrees, call `transfer_to_human` with a one-line reason. Do not
  announce it first: the transfer says what happens.
- If a transfer fails, the caller is offered a call back (or, when we have no number for
  them, to leave one). If they accept, call `request_callback`: it takes their number if
  needed and tells them what happens. If they decline, keep helping them yourself.
- Never promise a call back, or take or repeat a phone number, in your own words.

# Manner
Calm, empathetic, decisive.
"""

MANAGER_GREETING = (
    "Introduce yourself as the manager. In one sentence, show you know what the caller "
    "needs from the conversation so far, then say how you'll resolve it or ask the one "
    "question you need."
)

_GRANT_ARGUMENTS = frozenset({"amount", "reason", "currency"})


def _as_sent(context: RunContext) -> None:
    """What the framework would let through silently: an argument the tool doesn't take
    (`currency_code`, `curr`...) is dropped, and `true` is read as an amount of 1. For
    money, refuse both instead."""
    try:
        sent = json.loads(context.function_call.arguments or "{}")
    except ValueError:
        return  # the framework parsed (repaired) them; nothing more to check
    if not isinstance(sent, dict):
        return
    currency = context.userdata.settings.manager.currency
    unknown = sorted(set(sent) - _GRANT_ARGUMENTS)
    if unknown:
        raise GrantRefused(
            f"Nothing was granted: unknown argument(s) {', '.join(unknown)}. Use only amount, "
            f"currency and reason; amounts are in {currency}."
        )
    if isinstance(sent.get("amount"), bool):
        raise GrantRefused(f"Nothing was granted: the amount must be a number of {currency}.")


class ManagerAgent(CallAgent):
    def __init__(
        self,
        state: Call,
        *,
        chat_ctx: llm.ChatContext | None = None,
        llm_model: llm.LLM | None = None,
        tts_model: object = None,
    ) -> None:
        limits = state.settings.manager
        role = MANAGER_INSTRUCTIONS.format(
            company="{company}",  # filled in with the persona
            max_credit=limits.manager_max_credit,
            max_refund=limits.manager_max_refund,
            currency=limits.currency,
        )
        super().__init__(
            state,
            role=role + after_hours.manager_rules(state),
            chat_ctx=chat_ctx,
            llm_model=llm_model,
            tts_model=tts_model,
        )

    @classmethod
    def for_call(cls, state: Call, *, chat_ctx: llm.ChatContext) -> ManagerAgent:
        """The manager with its own voice (and model, if configured)."""
        return cls(
            state,
            chat_ctx=chat_ctx,
            llm_model=state.models.manager_llm or state.models.llm,
            tts_model=state.models.manager_tts,
        )

    async def on_enter(self) -> None:
        self.state.outcome.note("manager_joined")
        self.session.generate_reply(instructions=MANAGER_GREETING)

    @function_tool()
    async def issue_credit(
        self,
        context: RunContext,
        amount: Annotated[float, Field(gt=0, description="Amount of the credit")],
        reason: Annotated[str, Field(min_length=3, max_length=300)],
        currency: str | None = None,
    ) -> str:
        """Credit the caller's account.

        Args:
            amount: The credit in whole cents of the account's currency, e.g. 25.00.
            reason: Why, in one line (it goes on the call's record).
            currency: The ISO code of the amount's currency; only the account's currency
                (in your instructions) is accepted. Left out: the account's currency.
        """
        limit = self.state.settings.manager.manager_max_credit
        return self._grant(context, "credit", amount, currency, reason, limit)

    @function_tool()
    async def issue_refund(
        self,
        context: RunContext,
        amount: Annotated[float, Field(gt=0, description="Amount to refund")],
        reason: Annotated[str, Field(min_length=3, max_length=300)],
        currency: str | None = None,
    ) -> str:
        """Refund a payment to the caller.

        Args:
            amount: The refund in whole cents of the account's currency, e.g. 25.00.
            reason: Why, in one line (it goes on the call's record).
            currency: The ISO code of the amount's currency; only the account's currency
                (in your instructions) is accepted. Left out: the account's currency.
        """
        limit = self.state.settings.manager.manager_max_refund
        return self._grant(context, "refund", amount, currency, reason, limit)

    @function_tool()
    async def transfer_to_human(
        self,
        context: RunContext[Call],
        reason: Annotated[str, Field(min_length=3, max_length=300)],
    ) -> None:
        """Transfer the caller to a person on our team (the configured line; you never choose
        the number). Use when the caller insists on a person, or you cannot resolve the issue
        within your authority and the caller agrees.

        Args:
            reason: One line on why the caller needs a person (it briefs the colleague).
        """
        await transfer.transfer_to_human(context, reason=reason, chat_ctx=self.chat_ctx)

    @function_tool()
    async def request_callback(
        self,
        context: RunContext[Call],
        reason: Annotated[str, Field(min_length=3, max_length=300)],
    ) -> None:
        """Arrange for our team to call the caller back. Use only after the caller accepted
        a callback offer or asked for a call back. You never give the number: it is the one
        they called from, or this asks them for one.

        Args:
            reason: One line on what the call back is about.
        """
        await callback.request_callback(context, reason=reason, chat_ctx=self.chat_ctx)

    @function_tool()
    async def take_message(self, context: RunContext[Call]) -> Agent:
        """Take a message for the team: the caller's name, a number to call back and the
        message. Use when no one can take the call and the caller wants to leave one."""
        from agents.form import FormAgent

        name = self.state.settings.forms.forms_message_form
        if name is None:
            raise ToolError("Messages aren't taken on this line: offer a call back instead.")
        form = self.state.settings.forms.library.get(name)
        self.state.outcome.note("form_requested", form=form.name, by=self.label)
        return FormAgent(self.state, form, chat_ctx=self.chat_ctx)

    def _grant(
        self,
        context: RunContext,
        kind: GrantKind,
        amount: float,
        asked_currency: str | None,
        reason: str,
        limit: Decimal,
    ) -> str:
        state = self.state
        currency = state.settings.manager.currency
        try:
            _as_sent(context)
            value = grant_amount(amount, asked_currency, line=currency)
        except GrantRefused as exc:
            sent = currency if asked_currency is None else asked_currency  # as the model sent it
            state.outcome.note(
                "grant_refused", kind=kind, amount=str(amount), currency=sent, problem=str(exc)
            )
            raise ToolError(str(exc)) from None
        already = state.outcome.granted_total(kind)
        if already + value > limit:
            left = max(limit - already, Decimal(0))
            asked = f"{value} {currency}" if value.adjusted() < 20 else "that amount"
            state.outcome.note(
                "grant_refused", kind=kind, amount=str(value), currency=currency, limit=str(limit)
            )
            instead = (
                "a call back from the team" if state.after_hours() else "a transfer to a person"
            )
            raise ToolError(
                f"A {kind} of {asked} is above your authority: at most {left} "
                f"{currency} more on this call. Offer up to that, or {instead}."
            )
        grant = Grant(kind=kind, amount=value, currency=currency, reason=reason)
        state.outcome.grants.append(grant)
        state.outcome.note("grant", kind=kind, amount=str(value), currency=currency, reason=reason)
        logger.info("manager granted a %s of %s %s", kind, value, currency)
        return f"{kind.capitalize()} of {value} {currency} issued."

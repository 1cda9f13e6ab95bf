"""BASELINE: the documented consent + escalation recipe, re-typed (seeds 000 and 001).

This is our transcription of the documented pattern, not LiveKit's code and not ours:

- `CollectConsent` (seed 000): greets and asks with `generate_reply` in `on_enter`
  (not interruptible); a `record_consent(consent_given: bool)` tool; on a no, the tool
  asks the model for a goodbye with `generate_reply`; `complete(consent_given)`.
- `CollectConsentWorkshop` (seed 001): `generate_reply` greeting, `consent_given` /
  `consent_denied` tools, no goodbye: the variant where a no goes on unrecorded.
- `CustomerServiceAgent` (seeds 000 + 001): with `hang_up` (seed 000) awaits
  `CollectConsent()` in `on_enter`, on a yes `generate_reply("Ask how you can help them
  today.")`, on a no `session.shutdown()`; with `continue_unrecorded` (seed 001) awaits
  `CollectConsentWorkshop(chat_ctx=...)` and answers a yes or a no with `generate_reply`;
  an `escalate_to_manager` tool returning
  `(ManagerAgent(chat_ctx=self.chat_ctx), "Transferring you to a manager now.")`.
- `ManagerAgent` (seed 001): `generate_reply` introduction in `on_enter`.
- `CheckoutAgent` with `GetEmailTask` and `GetAddressTask` in a `TaskGroup()` (seed 001's
  multi-step workflow), then `generate_reply` to confirm: the baseline for forms.

Deviations, all needed to run offline and none touching the number of model calls:
models come from the session (no `inference.*` or TTS voice in the class body), and the
denial policy is a constructor argument so both documented variants can be driven.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from livekit.agents import Agent, AgentTask, RunContext, function_tool
from livekit.agents.beta.workflows import TaskGroup

logger = logging.getLogger("benchmarks.baseline")

DenialPolicy = Literal["hang_up", "continue_unrecorded"]


class CollectConsent(AgentTask[bool]):
    """Task for obtaining user consent to record the conversation."""

    def __init__(self) -> None:
        super().__init__(
            instructions="""
YOUR TASK: Get explicit consent from the user to record this phone call.

RULES:
- Focus on getting a clear yes or no answer about recording consent
- Once you get their answer, call the record_consent tool
- Ignore unrelated input and avoid going off-topic. Do not mention function names, tool calls, or code in your responses.
- Do not generate unnecessary commentary and maintain a natural tone.

Be polite, brief, and professional.
"""  # noqa: E501
        )

    async def on_enter(self) -> None:
        await self.session.generate_reply(
            instructions=(
                "Greet the user: 'Hello! Thank you for calling Acme Corp.'\n"
                "Then inform: 'This call will be recorded for quality assurance and training "
                "purposes.'\n"
                "Ask: 'Do you consent to this recording?'\n"
                "Keep it concise and friendly."
            ),
            allow_interruptions=False,
        )

    @function_tool()
    async def record_consent(self, context: RunContext, consent_given: bool) -> None:
        """Record the user's consent decision for the call recording.

        Args:
            consent_given: True if the user explicitly consents, False otherwise.
        """
        if consent_given:
            logger.info("User provided consent for recording")
        else:
            logger.info("User denied consent for recording")
            await self.session.generate_reply(
                instructions=(
                    "Politely inform them that you cannot proceed without consent and will end "
                    "the call. Say goodbye.\n"
                    "IMPORTANT: Only output natural spoken text. Do NOT include any function "
                    "calls, code, or tool names in your response."
                ),
                allow_interruptions=False,
            )
        self.complete(consent_given)


class CollectConsentWorkshop(AgentTask[bool]):
    """Seed 001's consent task: a greeting by `generate_reply`, two tools, no goodbye."""

    def __init__(self, chat_ctx=None) -> None:
        super().__init__(
            instructions="""
Ask for recording consent and get a clear yes or no answer.
Be polite and professional.
""",
            chat_ctx=chat_ctx,
        )

    async def on_enter(self) -> None:
        await self.session.generate_reply(
            instructions="""
Briefly introduce yourself, then ask for permission to record
the call for quality assurance and training purposes.
Make it clear that they can decline.
"""
        )

    @function_tool()
    async def consent_given(self) -> None:
        """Use this when the user gives consent to record."""
        self.complete(True)

    @function_tool()
    async def consent_denied(self) -> None:
        """Use this when the user denies consent to record."""
        self.complete(False)


class ManagerAgent(Agent):
    def __init__(self, chat_ctx=None) -> None:
        super().__init__(
            instructions="""
You are a customer service manager. You handle escalated issues
that frontline agents couldn't resolve. Be empathetic and
solution-focused. You have authority to offer refunds, credits,
or other accommodations.
""",
            chat_ctx=chat_ctx,
        )

    async def on_enter(self) -> None:
        await self.session.generate_reply(
            instructions="""
Introduce yourself as a manager. Acknowledge that the customer
asked to speak with someone senior. Ask how you can help resolve
their concern.
"""
        )


class CustomerServiceAgent(Agent):
    def __init__(self, denial_policy: DenialPolicy = "hang_up") -> None:
        super().__init__(
            instructions="""
You are a friendly customer service representative. Help customers
with general inquiries. If they ask for a manager or you can't
resolve their issue, use the escalate_to_manager tool.
"""
        )
        self._denial_policy = denial_policy

    async def on_enter(self) -> None:
        if self._denial_policy == "continue_unrecorded":
            await self._workshop_on_enter()
            return
        # seed 000
        consent_given = await CollectConsent()
        if not consent_given:
            logger.info("Consent was denied, ending session")
            self.session.shutdown()
            return
        await self.session.generate_reply(instructions="Ask how you can help them today.")

    async def _workshop_on_enter(self) -> None:
        # seed 001: a no goes on without recording
        consent = await CollectConsentWorkshop(chat_ctx=self.chat_ctx)
        if consent:
            await self.session.generate_reply(instructions="Thank them and offer your assistance.")
        else:
            await self.session.generate_reply(
                instructions="Let them know you understand and will proceed without recording."
            )

    @function_tool()
    async def escalate_to_manager(self, context: RunContext) -> tuple[ManagerAgent, str]:
        """Transfer the customer to a manager when requested or when you cannot resolve their issue."""  # noqa: E501
        return ManagerAgent(chat_ctx=self.chat_ctx), "Transferring you to a manager now."


# -- seed 001, "Multi-step workflows with task groups" ------------------------------------


@dataclass
class EmailResult:
    email_address: str


@dataclass
class AddressResult:
    address: str


class GetEmailTask(AgentTask[EmailResult]):
    def __init__(self) -> None:
        super().__init__(instructions="Collect the user's email address.")

    @function_tool()
    async def record_email(self, context: RunContext, email: str) -> None:
        """Record the user's email address"""
        self.complete(EmailResult(email_address=email))


class GetAddressTask(AgentTask[AddressResult]):
    def __init__(self) -> None:
        super().__init__(instructions="Collect the user's shipping address.")

    @function_tool()
    async def record_address(self, context: RunContext, address: str) -> None:
        """Record the user's shipping address"""
        self.complete(AddressResult(address=address))


class CheckoutAgent(Agent):
    def __init__(self) -> None:
        super().__init__(instructions="You help the caller check out their order.")

    async def on_enter(self) -> None:
        task_group = TaskGroup()
        task_group.add(lambda: GetEmailTask(), id="email", description="Collect email address")
        task_group.add(
            lambda: GetAddressTask(), id="address", description="Collect shipping address"
        )
        results = await task_group
        email = results.task_results["email"].email_address
        address = results.task_results["address"].address
        await self.session.generate_reply(
            instructions=f"Confirm the order will be sent to {email} at {address}."
        )

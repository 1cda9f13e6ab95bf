"""LiveKit's prebuilt collectors, adapted to form fields.

Email, phone, address, person name, date of birth and keypad digits are collected by the
framework's own tasks (tuned for noisy voice transcription). The adaptation is small:

- the field's description and the form's context go in as extra instructions;
- each collector's decline tool follows the form's rule (`tasks.field_decline`): an
  optional field completes with None, a required one can't be skipped silently;
- the keypad collector also works without a room (digits may be spoken), asks again
  when too few digits were entered, and can be declined.

`collector_for(field, ...)` builds the task; `collected_value(field, result)` turns its
typed result into the JSON value stored in `results`.
"""

from __future__ import annotations

from typing import Any

from livekit.agents import ToolError, function_tool, get_job_context, llm
from livekit.agents.beta.workflows import (
    GetAddressResult,
    GetAddressTask,
    GetDOBResult,
    GetDOBTask,
    GetDtmfResult,
    GetDtmfTask,
    GetEmailResult,
    GetEmailTask,
    GetNameResult,
    GetNameTask,
    GetPhoneNumberResult,
    GetPhoneNumberTask,
    WorkflowInstructions,
)
from livekit.agents.llm import ToolFlag
from livekit.agents.types import NOT_GIVEN
from livekit.agents.voice.agent import AgentTask

from forms.model import FormField
from tasks.field_decline import DeclinePolicy


class FormEmailTask(GetEmailTask):
    def __init__(self, *, policy: DeclinePolicy, **kwargs: Any) -> None:
        self._policy = policy
        super().__init__(**kwargs)

    @function_tool(flags=ToolFlag.IGNORE_ON_ENTER)
    async def decline_email_capture(self, reason: str) -> None:
        """Use when the caller explicitly declines to give an email address.

        Args:
            reason: A short explanation of why the caller declined
        """
        self._policy.decline(self, reason)


class FormPhoneTask(GetPhoneNumberTask):
    def __init__(self, *, policy: DeclinePolicy, **kwargs: Any) -> None:
        self._policy = policy
        super().__init__(**kwargs)

    @function_tool(flags=ToolFlag.IGNORE_ON_ENTER)
    async def decline_phone_number_capture(self, reason: str) -> None:
        """Use when the caller explicitly declines to give a phone number.

        Args:
            reason: A short explanation of why the caller declined
        """
        self._policy.decline(self, reason)


class FormAddressTask(GetAddressTask):
    def __init__(self, *, policy: DeclinePolicy, **kwargs: Any) -> None:
        self._policy = policy
        super().__init__(**kwargs)

    @function_tool(flags=ToolFlag.IGNORE_ON_ENTER)
    async def decline_address_capture(self, reason: str) -> None:
        """Use when the caller explicitly declines to give an address.

        Args:
            reason: A short explanation of why the caller declined
        """
        self._policy.decline(self, reason)


class FormNameTask(GetNameTask):
    def __init__(self, *, policy: DeclinePolicy, **kwargs: Any) -> None:
        self._policy = policy
        super().__init__(**kwargs)

    @function_tool(flags=ToolFlag.IGNORE_ON_ENTER)
    async def decline_name_capture(self, reason: str) -> None:
        """Use when the caller explicitly declines to give the name.

        Args:
            reason: A short explanation of why the caller declined
        """
        self._policy.decline(self, reason)


class FormDOBTask(GetDOBTask):
    def __init__(self, *, policy: DeclinePolicy, **kwargs: Any) -> None:
        self._policy = policy
        super().__init__(**kwargs)

    @function_tool(flags=ToolFlag.IGNORE_ON_ENTER)
    async def decline_dob_capture(self, reason: str) -> None:
        """Use when the caller explicitly declines to give their date of birth.

        Args:
            reason: A short explanation of why the caller declined
        """
        self._policy.decline(self, reason)


_TOO_FEW_DIGITS = "Digits input not fully received"


class FormDtmfTask(GetDtmfTask):
    def __init__(self, *, policy: DeclinePolicy, num_digits: int, **kwargs: Any) -> None:
        self._policy = policy
        self._num_digits = num_digits
        self._has_room = False
        super().__init__(num_digits=num_digits, **kwargs)

    async def on_enter(self) -> None:
        try:
            get_job_context()
        except RuntimeError:
            # No job (console, offline): the caller says the digits instead.
            self.session.generate_reply(tool_choice="none")
            return
        self._has_room = True
        await super().on_enter()

    async def on_exit(self) -> None:
        if self._has_room:
            await super().on_exit()

    def complete(self, result: Any) -> None:
        if (
            isinstance(result, ToolError)
            and result.message.startswith(_TOO_FEW_DIGITS)
            and not self.done()
        ):
            # Too few digits before the timeout: ask again instead of failing the form.
            self.session.generate_reply(
                instructions=(
                    f"The caller entered too few digits. Ask them to enter all "
                    f"{self._num_digits} digits on the keypad, then press pound."
                )
            )
            return
        super().complete(result)

    @function_tool(flags=ToolFlag.IGNORE_ON_ENTER)
    async def decline_keypad_entry(self, reason: str) -> None:
        """Use when the caller explicitly declines to enter or say these digits.

        Args:
            reason: A short explanation of why the caller declined
        """
        self._policy.decline(self, reason)


def _confirm(field: FormField) -> Any:
    return field.confirm if field.confirm is not None else NOT_GIVEN


def collector_for(
    field: FormField, *, context: str, chat_ctx: llm.ChatContext | None = None
) -> AgentTask[Any]:
    """The prebuilt LiveKit task that collects `field` (email, phone, address, person_name,
    date_of_birth, keypad_digits)."""
    policy = DeclinePolicy(field=field.name, label=field.description, required=field.required)
    optional = (
        " This answer is optional: if the caller prefers not to give it, decline and move on."
        if not field.required
        else ""
    )
    extra = f"{context}\n\nWhat this step collects: {field.description}.{optional}"
    ctx = chat_ctx if chat_ctx is not None else NOT_GIVEN
    match field.type:
        case "email":
            return FormEmailTask(
                policy=policy,
                instructions=WorkflowInstructions(extra=extra),
                chat_ctx=ctx,
                require_confirmation=_confirm(field),
            )
        case "address":
            return FormAddressTask(
                policy=policy,
                instructions=WorkflowInstructions(extra=extra),
                chat_ctx=ctx,
                require_confirmation=_confirm(field),
            )
        case "phone":
            return FormPhoneTask(
                policy=policy,
                extra_instructions=extra,
                chat_ctx=ctx,
                require_confirmation=_confirm(field),
            )
        case "person_name":
            parts = field.parts
            return FormNameTask(
                policy=policy,
                first_name="first" in parts,
                middle_name="middle" in parts,
                last_name="last" in parts,
                extra_instructions=extra,
                chat_ctx=ctx,
                require_confirmation=_confirm(field),
            )
        case "date_of_birth":
            return FormDOBTask(
                policy=policy,
                extra_instructions=extra,
                chat_ctx=ctx,
                require_confirmation=_confirm(field),
            )
        case "keypad_digits":
            assert field.digits is not None
            return FormDtmfTask(
                policy=policy,
                num_digits=field.digits,
                ask_for_confirmation=bool(field.confirm),
                extra_instructions=extra,
                chat_ctx=ctx,
            )
    raise ValueError(f"no prebuilt collector for {field.type} fields")


def collected_value(field: FormField, result: Any) -> Any:
    """The JSON value of a collector's result (None: an optional field the caller declined)."""
    match result:
        case None:
            return None
        case GetEmailResult():
            return result.email_address
        case GetPhoneNumberResult():
            return result.phone_number
        case GetAddressResult():
            return result.address
        case GetNameResult():
            values = {
                "first_name": result.first_name,
                "middle_name": result.middle_name,
                "last_name": result.last_name,
            }
            return {k: v for k, v in values.items() if v is not None}
        case GetDOBResult():
            return result.date_of_birth.isoformat()
        case GetDtmfResult():
            return result.user_input.replace(" ", "")
    raise TypeError(f"unexpected result for {field.name}: {result!r}")

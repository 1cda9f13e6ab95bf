"""LiveKit's prebuilt collectors, adapted to form fields.

Email, phone, address, person name, date of birth and keypad digits are collected by the
framework's own tasks (tuned for noisy voice transcription). The adaptation is small:

- the field's description and the form's context go in as extra instructions;
- each collector's decline tool follows the form's rule (`tasks.field_decline`): an
  optional field completes with None, a required one can't be skipped silently;
- the phone collector stores E.164 (`+14155550123`), reading a number said without a
  country code in the line's region (PHONE_DEFAULT_REGION), and asks again for what
  can't be a phone number (LiveKit's own check only strips punctuation);
- the keypad collector also works without a room (digits may be spoken), asks again
  when too few digits were entered, and can be declined;
- with the field's `ask`, the question is spoken verbatim when the collector starts, in
  place of the collector's own model turn (`on_enter`'s generate_reply); the rest of the
  collector (its tools, read-back, validation) is LiveKit's, unchanged.

`collector_for(field, ...)` builds the task; `collected_value(field, result)` turns its
typed result into the JSON value stored in `results`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

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
    WorkflowInstructions,
)
from livekit.agents.llm import ToolFlag
from livekit.agents.types import NOT_GIVEN
from livekit.agents.voice.agent import AgentTask
from pydantic import Field

from call.livekit_compat import (
    CheckedPhoneNumberTask,
    dtmf_too_few_digits,
    listen_like_get_dtmf_task,
)
from forms.model import FormField
from forms.phone import to_e164
from tasks.field_decline import DeclinePolicy


class _FormCollector(AgentTask[Any]):
    """What each adapted collector adds to LiveKit's: the form's decline rule and the
    field's `ask`. First in the bases, so `on_enter` here runs instead of the collector's."""

    def __init__(self, *, policy: DeclinePolicy, ask: str | None = None, **kwargs: Any) -> None:
        self._policy = policy
        self.ask = ask
        self.field_name = policy.field  # which field this collects (the call record reads it)
        super().__init__(**kwargs)

    async def on_enter(self) -> None:
        self._policy.started(self)
        if self.ask is None:
            await super().on_enter()  # the collector's own turn: the model asks
            return
        self.session.say(self.ask)  # fixed words: no model round trip before the question


def _decline_tool(name: str, what: str) -> Any:
    """The collector's decline tool, under LiveKit's own name (so it replaces LiveKit's),
    following the form's rule: optional fields complete with None."""

    async def decline(
        self: _FormCollector,
        reason: Annotated[str, Field(description="A short explanation of why they declined")],
    ) -> None:
        self._policy.decline(self, reason)

    return function_tool(
        decline,
        name=name,
        description=f"Use when the caller explicitly declines to give {what}.",
        flags=ToolFlag.IGNORE_ON_ENTER,
    )


class FormEmailTask(_FormCollector, GetEmailTask):
    decline_email_capture = _decline_tool("decline_email_capture", "an email address")


class FormPhoneTask(_FormCollector, CheckedPhoneNumberTask):
    def __init__(self, *, phone_region: str | None, **kwargs: Any) -> None:
        self._phone_region = phone_region
        super().__init__(**kwargs)

    def check_number(self, number: str) -> str:
        """Kept in E.164, or the model gets the reason and asks again."""
        try:
            return to_e164(number, region=self._phone_region)
        except ValueError as exc:
            raise ToolError(f"Not recorded: {exc}.") from None

    decline_phone_number_capture = _decline_tool("decline_phone_number_capture", "a phone number")


class FormAddressTask(_FormCollector, GetAddressTask):
    decline_address_capture = _decline_tool("decline_address_capture", "an address")


class FormNameTask(_FormCollector, GetNameTask):
    decline_name_capture = _decline_tool("decline_name_capture", "the name")


class FormDOBTask(_FormCollector, GetDOBTask):
    decline_dob_capture = _decline_tool("decline_dob_capture", "their date of birth")


class FormDtmfTask(_FormCollector, GetDtmfTask):
    def __init__(self, *, num_digits: int, **kwargs: Any) -> None:
        self._num_digits = num_digits
        self._has_room = False
        super().__init__(num_digits=num_digits, **kwargs)

    async def on_enter(self) -> None:
        self._policy.started(self)
        try:
            job = get_job_context()
        except RuntimeError:
            # No job (console, offline): the caller says the digits instead.
            if self.ask is None:
                self.session.generate_reply(tool_choice="none")
            else:
                self.session.say(self.ask)
            return
        self._has_room = True
        if self.ask is None:
            await super().on_enter()  # GetDtmfTask's: listen to the keypad; the model asks
            return
        # GetDtmfTask.on_enter without its model turn, then the fixed question. Checked by
        # tests/forms/test_keypad.
        listen_like_get_dtmf_task(self, job.room)
        self.session.say(self.ask)

    async def on_exit(self) -> None:
        if self._has_room:
            await super().on_exit()

    def complete(self, result: Any) -> None:
        if isinstance(result, ToolError) and dtmf_too_few_digits(result) and not self.done():
            # Too few digits before the timeout: ask again instead of failing the form.
            self.session.generate_reply(
                instructions=(
                    f"The caller entered too few digits. Ask them to enter all "
                    f"{self._num_digits} digits on the keypad, then press pound."
                )
            )
            return
        super().complete(result)

    decline_keypad_entry = _decline_tool("decline_keypad_entry", "these digits")


def _confirm(field: FormField) -> Any:
    return field.confirm if field.confirm is not None else NOT_GIVEN


def collector_for(
    field: FormField,
    *,
    context: str,
    chat_ctx: llm.ChatContext | None = None,
    render: Callable[[str], str] = str,
    phone_region: str | None = None,
) -> AgentTask[Any]:
    """The prebuilt LiveKit task that collects `field` (email, phone, address, person_name,
    date_of_birth, keypad_digits). Phone numbers without a country code are read in
    `phone_region`."""
    policy = DeclinePolicy(field=field.name, label=field.description, required=field.required)
    ask = render(field.ask) if field.ask else None
    optional = (
        " This answer is optional: if the caller prefers not to give it, decline and move on."
        if not field.required
        else ""
    )
    asked = (
        f' The caller has just been asked: "{ask}" Wait for their answer; ask again in your '
        "own words only if it was unclear."
        if ask
        else ""
    )
    extra = f"{context}\n\nWhat this step collects: {field.description}.{optional}{asked}"
    ctx = chat_ctx if chat_ctx is not None else NOT_GIVEN
    match field.type:
        case "email":
            return FormEmailTask(
                policy=policy,
                ask=ask,
                instructions=WorkflowInstructions(extra=extra),
                chat_ctx=ctx,
                require_confirmation=_confirm(field),
            )
        case "address":
            return FormAddressTask(
                policy=policy,
                ask=ask,
                instructions=WorkflowInstructions(extra=extra),
                chat_ctx=ctx,
                require_confirmation=_confirm(field),
            )
        case "phone":
            return FormPhoneTask(
                policy=policy,
                ask=ask,
                phone_region=phone_region,
                extra_instructions=extra,
                chat_ctx=ctx,
                require_confirmation=_confirm(field),
            )
        case "person_name":
            parts = field.parts
            return FormNameTask(
                policy=policy,
                ask=ask,
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
                ask=ask,
                extra_instructions=extra,
                chat_ctx=ctx,
                require_confirmation=_confirm(field),
            )
        case "keypad_digits":
            assert field.digits is not None
            return FormDtmfTask(
                policy=policy,
                ask=ask,
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

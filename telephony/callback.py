"""A call back: promised only when there is a number to call, never one from a model.

The number comes from one of two places, never from a tool's arguments:

- the number the caller called from (their SIP caller id), for a phone caller;
- a number the caller says when asked, for a web caller or a withheld number: LiveKit's
  phone collector (`GetPhoneNumberTask`) takes it, and its result counts only if it is a
  valid number and the caller said those digits (a model that makes one up is told to ask).

So the offer after a failed transfer depends on the call (`callback_offer`): "would you
like a call back?" when we have the number, "I can take a number for them" when we don't.
The caller hears `CALLBACK_CONFIRMED` only once a number is recorded; without one, they
hear `CALLBACK_NOT_ARRANGED` and the call goes on.
"""

from __future__ import annotations

import logging
from typing import Any

import phonenumbers
from livekit.agents import RunContext, ToolError, llm
from livekit.agents.beta.workflows import GetPhoneNumberResult, GetPhoneNumberTask

from call.call import Call
from call.livekit_compat import is_closing
from call.outcome import CallbackRequest, CallbackSource
from logsafe.contacts import digit_runs
from telephony.caller import mask_number

logger = logging.getLogger("consent-agent.callback")

CALLBACK_NUMBER_INSTRUCTIONS = """
You are taking the number our team should call the caller back on. Record only digits the
caller said; if they gave no number, ask for it. If they don't want to give one, call
`decline_phone_number_capture`.
"""

NOT_SAID = (
    "The caller has not said this number. Never supply a number yourself: ask the caller "
    "to say the whole number they want to be called back on."
)
NOT_CALLABLE = (
    "That is not a phone number we can call. Ask the caller for the whole number, with its "
    "country code if it is not a {region} number."
)


def callback_offer(state: Call) -> str:
    """What a caller is offered when no one can take them: a call back only if we have
    their number; otherwise, to take a number for the call back."""
    settings = state.settings.telephony
    if state.caller.phone_number is None:
        return settings.callback_offer_no_number
    return settings.callback_offer


def callable_number(raw: str, *, region: str) -> str | None:
    """`raw` as E.164 if it is a valid number to call (read in `region` without a +)."""
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def said_by_caller(number: str, caller_words: list[str], *, region: str) -> bool:
    """True if the caller said `number` (E.164), written or in words, in one go or across
    turns ("area code 415", then "555 0188"): its national digits appear in what they
    said, or what they said reads as that number in `region` (national formats that add
    or drop digits, e.g. Argentina's 15 for mobiles)."""
    national = phonenumbers.national_significant_number(phonenumbers.parse(number))
    runs = [run for words in caller_words for run in digit_runs(words)]
    if national in "".join(runs):
        return True
    for start in range(len(runs)):
        for end in range(start + 1, min(start + 4, len(runs)) + 1):
            if callable_number("".join(runs[start:end]), region=region) == number:
                return True
    return False


class CallbackNumberTask(GetPhoneNumberTask):
    """LiveKit's phone collector, completing only with a valid number the caller said."""

    def __init__(self, *, region: str, chat_ctx: llm.ChatContext | None = None) -> None:
        options: dict[str, Any] = {"extra_instructions": CALLBACK_NUMBER_INSTRUCTIONS}
        if chat_ctx is not None:
            options["chat_ctx"] = chat_ctx
        super().__init__(**options)
        self._region = region

    def complete(self, result: GetPhoneNumberResult | Exception) -> None:
        if isinstance(result, GetPhoneNumberResult) and not self.done():
            # Called from the collector's own tools: a ToolError goes back to the model.
            number = callable_number(result.phone_number, region=self._region)
            if number is None:
                raise ToolError(NOT_CALLABLE.format(region=self._region))
            if not said_by_caller(number, self._caller_words(), region=self._region):
                logger.warning("callback number refused: the caller never said it")
                raise ToolError(NOT_SAID)
            result = GetPhoneNumberResult(phone_number=number)
        super().complete(result)

    def _caller_words(self) -> list[str]:
        return [
            item.text_content or ""
            for item in self.session.history.items
            if item.type == "message" and item.role == "user"
        ]


async def request_callback(
    context: RunContext[Call], *, reason: str, chat_ctx: llm.ChatContext | None = None
) -> None:
    """Record that the caller wants a call back, at their own number or one they say now.
    Returns nothing on purpose: what the caller hears next is said here."""
    session = context.session
    state = session.userdata
    settings = state.settings.telephony
    number: str | None = state.caller.phone_number
    source: CallbackSource = "caller_id"
    if number is None and state.outcome.callback is not None:  # they already gave one on this call
        number, source = state.outcome.callback.number, state.outcome.callback.source
    if number is None:
        number, source = await _number_from_caller(state, chat_ctx), "given_by_caller"
    if number is None:
        state.outcome.note(
            "callback_not_arranged", reason=reason, detail="the caller gave no number"
        )
        logger.info("callback not arranged: no number to call")
        line = settings.callback_not_arranged
    else:
        _record(state, number, source, reason)  # asked for and given: kept even if they left
        line = settings.callback_confirmed
    if not (state.outcome.caller_left or is_closing(session)):  # else no one is left to tell
        await session.say(line)
    return None


async def _number_from_caller(state: Call, chat_ctx: llm.ChatContext | None) -> str | None:
    region = state.settings.telephony.phone_default_region
    task = CallbackNumberTask(region=region, chat_ctx=chat_ctx)
    try:
        result = await task
    except Exception as exc:  # declined, or the call ended while asking
        logger.info("no callback number from the caller (%s)", type(exc).__name__)
        return None
    return result.phone_number


def _record(state: Call, number: str, source: CallbackSource, reason: str) -> None:
    request = CallbackRequest(number=number, source=source, reason=reason)
    state.outcome.callback = request
    state.outcome.note("callback_requested", number=number, source=source, reason=reason)
    logger.info("callback requested to %s (%s)", mask_number(number), source)

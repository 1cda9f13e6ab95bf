"""LiveKit internals this app relies on where 1.8.9 has no public API. One place, each use
saying which public API is missing, so an upgrade knows what to check."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from livekit.agents import AgentSession, RunContext
from livekit.agents.beta.workflows import GetPhoneNumberTask


async def end_of_run(session: AgentSession) -> None:
    """Wait until the open `session.run()`, if any, has finished (never raises).

    Missing public API: as for `inside_run`."""
    run = getattr(session, "_global_run_state", None)
    if run is not None and not run.done():
        with contextlib.suppress(Exception):
            await asyncio.shield(run._done_fut)


def inside_run(session: AgentSession) -> bool:
    """A `session.run()` (the text console's typed turn, or a test's) is collecting events.

    Missing public API: RunResult is returned by `run()` but the session doesn't say whether
    one is open, which the console view needs to show lines spoken outside a typed turn.
    """
    run = getattr(session, "_global_run_state", None)
    return run is not None and not run.done()


def is_closing(session: AgentSession) -> bool:
    """The session is closing (a hang-up, a goodbye, a transfer): nobody is left to tell.

    Missing public API: AgentSession has no public "closing" state before its `close`
    event, which comes only after the agents are torn down."""
    return bool(getattr(session, "_closing", False))


# -- GetDtmfTask (beta/workflows/dtmf_inputs.py) --------------------------------------------

# Missing public API: GetDtmfTask fails a short entry with a ToolError whose only mark is
# its message; there is no error type or code to test for.
DTMF_TOO_FEW_DIGITS = "Digits input not fully received"


def dtmf_too_few_digits(result: object) -> bool:
    message = getattr(result, "message", None)
    return isinstance(message, str) and message.startswith(DTMF_TOO_FEW_DIGITS)


def listen_like_get_dtmf_task(task: Any, room: Any) -> None:
    """What GetDtmfTask.on_enter does, without its model turn: its three listeners (its own
    on_exit removes them).

    Missing public API: GetDtmfTask can't be told to play a fixed question instead of
    generating one, and its listeners are private attributes set in its __init__."""
    room.on("sip_dtmf_received", task._on_sip_dtmf_received)
    task.session.on("user_state_changed", task._on_user_state_changed)
    task.session.on("agent_state_changed", task._on_agent_state_changed)


# -- GetPhoneNumberTask (beta/workflows/phone_number.py) ------------------------------------


class CheckedPhoneNumberTask(GetPhoneNumberTask):
    """GetPhoneNumberTask with a check on the number before it is kept: `check_number`
    returns the number to keep (e.g. in E.164) or raises ToolError, which the model hears.

    Missing public API: GetPhoneNumberTask has no hook to validate or normalise the number;
    its `update_phone_number` tool calls the private `_update_phone_number_impl`."""

    def check_number(self, number: str) -> str:
        return number

    async def _update_phone_number_impl(self, phone_number: str, ctx: RunContext) -> str | None:
        return await super()._update_phone_number_impl(self.check_number(phone_number), ctx)


def set_user_away_timeout(session: AgentSession, seconds: float | None) -> None:
    """Change how long both sides must be silent before the session marks the caller "away"
    (the next countdown uses it).

    Missing public API: `user_away_timeout` is only an `AgentSession(...)` argument;
    `update_options()` doesn't take it, and the silence watch needs a second, different
    wait after its prompt (call/silence.py).
    """
    session._opts.user_away_timeout = seconds

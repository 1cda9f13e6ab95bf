"""The longest a call may last: wrap-up words before the limit, then a goodbye and the end.

From the call's start, `MAX_CALL_SECONDS` minus `MAX_CALL_WARNING_SECONDS` later the caller
hears the fixed `MAX_CALL_WARNING`; at `MAX_CALL_SECONDS`, what the agent is saying is cut
short (words it may not be interrupted in, like the consent question, end first), the
caller hears `MAX_CALL_GOODBYE`, not interruptible, and the call is hung up. The record
says `ended_reason: max_duration`; a form in progress is stored with what it had collected
(`tasks/form_runner.py`). While the caller is on hold for a person the limit waits for the
hold to end (connected, the AI leaves anyway; not connected, then the goodbye).

LiveKit has no call-duration limit, so the timers are the call's own, on a `Clock`: the
event loop in a worker, a clock a test moves by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any, Protocol

from livekit.agents import AgentSession
from livekit.agents.voice.events import CloseEvent

from call.call import Call
from call.silence import on_hold

logger = logging.getLogger("consent-agent.duration")

# While the caller is on hold at the limit, look again this often.
HOLD_RECHECK_SECONDS = 1.0


class Timer(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    """What the limit needs of a clock: `asyncio.AbstractEventLoop` is one."""

    def call_later(self, delay: float, callback: Callable[..., Any], /) -> Timer: ...


class DurationLimit:
    """The call's maximum duration (see the module's docstring)."""

    def __init__(self, session: AgentSession[Call], state: Call, clock: Clock) -> None:
        self._session = session
        self._state = state
        self._clock = clock
        self._timers: list[Timer] = []
        self._over = False
        self._goodbye: asyncio.Task[None] | None = None

    def start(self) -> None:
        limits = self._state.settings.limits
        if limits.max_call_seconds is None:
            return
        if limits.max_call_warning_seconds > 0:
            warn_at = limits.max_call_seconds - limits.max_call_warning_seconds
            self._timers.append(self._clock.call_later(warn_at, self._warn))
        self._timers.append(self._clock.call_later(limits.max_call_seconds, self._reached))
        self._session.on("close", self._on_close)

    def _on_close(self, _: CloseEvent) -> None:
        self._over = True
        for timer in self._timers:
            timer.cancel()

    def _warn(self) -> None:
        if self._over or on_hold(self._session):
            return  # nothing to wrap up on hold: the person will
        self._state.outcome.note(
            "max_duration_warning",
            seconds_left=self._state.settings.limits.max_call_warning_seconds,
        )
        with contextlib.suppress(RuntimeError):  # closing meanwhile
            self._session.say(self._state.settings.limits.max_call_warning)

    def _reached(self) -> None:
        if self._over:
            return
        if on_hold(self._session):
            self._timers.append(self._clock.call_later(HOLD_RECHECK_SECONDS, self._reached))
            return
        self._over = True
        self._goodbye = asyncio.get_running_loop().create_task(
            self._say_goodbye(), name="max-duration-goodbye"
        )

    async def _say_goodbye(self) -> None:
        state = self._state
        limits = state.settings.limits
        state.outcome.time_out("max_duration")  # first: whatever ends with the call reads it
        state.outcome.note("max_duration", seconds=limits.max_call_seconds)
        logger.info("the call reached MAX_CALL_SECONDS (%g s): ending it", limits.max_call_seconds)
        with contextlib.suppress(RuntimeError):  # the session closed meanwhile
            self._session.interrupt()
            await self._session.say(limits.max_call_goodbye, allow_interruptions=False)
        await state.controls.hang_up()


def limit_duration(
    session: AgentSession[Call], state: Call, clock: Clock | None = None
) -> DurationLimit:
    limit = DurationLimit(session, state, clock or asyncio.get_running_loop())
    limit.start()
    return limit

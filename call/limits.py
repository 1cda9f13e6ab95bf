"""Call limits: a caller who says nothing for too long, a call that lasts too long.

Both off unless configured (CALL_SILENCE_TIMEOUT, CALL_MAX_DURATION). When one is reached,
the caller hears why (fixed words, not interruptible), the call ends, and the record says
`silence_timeout` or `max_duration`.

Silence is counted while the agent waits for the caller: from when the agent stops
speaking, or the caller stops, until the caller speaks, types or presses a key. It is
not counted while the caller is on hold for a transfer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from livekit import rtc
from livekit.agents import AgentSession
from livekit.agents.voice.events import (
    AgentStateChangedEvent,
    CloseEvent,
    ConversationItemAddedEvent,
    UserStateChangedEvent,
)

from call.call import Call

logger = logging.getLogger("consent-agent.limits")


class CallLimits:
    def __init__(self, session: AgentSession[Call], state: Call) -> None:
        self._session = session
        self._state = state
        settings = state.settings.call_record
        self._silence = settings.call_silence_timeout
        self._max = settings.call_max_duration
        self._timer: asyncio.TimerHandle | None = None
        self._deadline: asyncio.TimerHandle | None = None
        self._ending: asyncio.Task[None] | None = None

    def watch(self, room: rtc.Room | None = None) -> CallLimits:
        loop = asyncio.get_running_loop()
        if self._max is not None:
            self._deadline = loop.call_later(self._max, self._reached, "max_duration")
        if self._silence is not None:
            self._session.on("agent_state_changed", self._on_agent)
            self._session.on("user_state_changed", self._on_user)
            self._session.on("conversation_item_added", self._on_item)
            if room is not None:
                room.on("sip_dtmf_received", lambda *_: self._restart())
        self._session.on("close", self._on_close)
        return self

    # -- silence -------------------------------------------------------------------------

    def _restart(self) -> None:
        self._cancel()
        if self._silence is not None and self._ending is None:
            self._timer = asyncio.get_running_loop().call_later(
                self._silence, self._reached, "silence_timeout"
            )

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _on_agent(self, ev: AgentStateChangedEvent) -> None:
        if ev.new_state == "listening" and self._session.user_state != "speaking":
            self._restart()
        elif ev.new_state in ("thinking", "speaking"):
            self._cancel()

    def _on_user(self, ev: UserStateChangedEvent) -> None:
        if ev.new_state == "speaking":
            self._cancel()
        elif ev.new_state == "listening" and self._session.agent_state == "listening":
            self._restart()  # the caller stopped: count from here ("away" changes nothing)

    def _on_item(self, ev: ConversationItemAddedEvent) -> None:
        if ev.item.type == "message" and ev.item.role == "user":
            self._restart()  # typed or transcribed: the caller is there

    # -- ending --------------------------------------------------------------------------

    def _reached(self, reason: str) -> None:
        outcome = self._state.outcome
        if self._ending is not None or outcome.declared or self._session._closing:
            return
        if reason == "silence_timeout" and outcome.stage() == "transfer":
            self._restart()  # on hold: the caller is waiting, not gone
            return
        self._ending = asyncio.create_task(self._end(reason), name=f"limit:{reason}")

    async def _end(self, reason: str) -> None:
        wording = self._state.settings.wording
        line = (
            wording.silence_goodbye if reason == "silence_timeout" else wording.max_duration_goodbye
        )
        logger.info("call limit reached (%s): ending the call", reason)
        self._state.outcome.end(reason)  # type: ignore[arg-type]
        self._state.outcome.note(reason)
        with contextlib.suppress(Exception):  # said if anyone can hear it; the call ends anyway
            await self._session.say(line, allow_interruptions=False)
        await self._state.controls.hang_up()

    def _on_close(self, _: CloseEvent) -> None:
        self._cancel()
        if self._deadline is not None:
            self._deadline.cancel()


def watch_limits(session: AgentSession[Call], state: Call, room: Any = None) -> CallLimits | None:
    settings = state.settings.call_record
    if settings.call_silence_timeout is None and settings.call_max_duration is None:
        return None
    return CallLimits(session, state).watch(room)

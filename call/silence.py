"""A caller who goes silent: asked once if they are still there, then a goodbye and the end.

Silence is LiveKit's own: the session marks the caller "away" (`user_state_changed`) after
`user_away_timeout` seconds in which neither side spoke. The countdown runs only while the
agent is listening and no tool of the current agent is running, so an agent that is
thinking or speaking is never "silence". This watch decides what that means for the call:

1. away after `SILENCE_PROMPT_SECONDS`: the fixed `SILENCE_PROMPT` ("Are you still
   there?"), no model round trip; the next wait is `SILENCE_HANGUP_SECONDS`;
2. away again: the fixed `SILENCE_GOODBYE`, not interruptible, then the call is hung up and
   its record says `ended_reason: silence_timeout`;
3. the caller speaks (voice, keypad, or a typed turn in the console) at any point: back to 1.

It is the same during the consent question: the prompt is not one of the question's fixed
lines, so a "yes" to it is never consent; a question left unanswered to the end is no
consent (ending `silence`). Hold music during a warm transfer is not silence: while the
framework's `WarmTransferTask` runs, "away" is ignored and the countdown starts over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from livekit.agents import AgentSession
from livekit.agents.beta.workflows import WarmTransferTask
from livekit.agents.voice.events import (
    CloseEvent,
    ConversationItemAddedEvent,
    UserStateChangedEvent,
)

from call.call import Call
from call.livekit_compat import set_user_away_timeout

logger = logging.getLogger("consent-agent.silence")


def on_hold(session: AgentSession) -> bool:
    """The caller is on hold: a warm transfer is dialling or briefing a person."""
    try:
        return isinstance(session.current_agent, WarmTransferTask)
    except RuntimeError:  # no agent running yet (or any more)
        return False


class SilenceWatch:
    """Watches one session's caller for silence (see the module's docstring)."""

    def __init__(self, session: AgentSession[Call], state: Call) -> None:
        limits = state.settings.limits
        self._session = session
        self._state = state
        self._prompt_after = limits.silence_prompt_seconds
        self._hang_up_after = limits.silence_hangup_seconds
        self._prompted = False
        self._ending = False
        self._resetting = False
        self._goodbye: asyncio.Task[None] | None = None

    @property
    def enabled(self) -> bool:
        return self._prompt_after is not None

    def attach(self) -> None:
        if not self.enabled:
            return
        self._session.on("user_state_changed", self._on_user_state)
        self._session.on("conversation_item_added", self._on_item)
        self._session.on("close", self._on_close)

    # -- what the session reports -------------------------------------------------------

    def _on_user_state(self, ev: UserStateChangedEvent) -> None:
        if ev.new_state == "away":
            self._away()
        elif ev.new_state == "speaking" or (ev.old_state == "away" and not self._resetting):
            self._back()  # voice, or a key / transcript that the session counted as the caller

    def _on_item(self, ev: ConversationItemAddedEvent) -> None:
        if getattr(ev.item, "role", None) != "user":
            return
        self._back()
        if self._session.user_state == "away":
            # A typed turn (console, text input) doesn't move the caller's state: say so,
            # or the session would never count the next silence.
            self._restart_countdown()

    def _on_close(self, _: CloseEvent) -> None:
        self._ending = True

    # -- what it means for the call ---------------------------------------------------------

    def _away(self) -> None:
        if self._ending:
            return
        if on_hold(self._session):
            self._restart_countdown()  # hold music is not silence
            return
        if not self._prompted:
            self._prompted = True
            self._state.outcome.note("silence_prompt", after_seconds=self._prompt_after)
            logger.info("the caller is silent: asking if they are still there")
            set_user_away_timeout(self._session, self._hang_up_after)
            self._restart_countdown()  # counted again once the prompt has been said
            try:
                self._session.say(self._state.settings.limits.silence_prompt)
            except RuntimeError:  # the session is closing
                self._ending = True
            return
        self._ending = True
        self._goodbye = asyncio.create_task(self._say_goodbye(), name="silence-goodbye")

    def _back(self) -> None:
        if self._prompted and not self._ending:
            self._prompted = False
            set_user_away_timeout(self._session, self._prompt_after)

    def _restart_countdown(self) -> None:
        self._resetting = True
        try:
            self._session.reset_away_timer()
        finally:
            self._resetting = False

    async def _say_goodbye(self) -> None:
        state = self._state
        state.outcome.time_out("silence_timeout")  # first: the record and the consent read it
        state.outcome.note("silence_timeout", after_seconds=self._hang_up_after)
        logger.info("the caller stayed silent: ending the call")
        goodbye = state.settings.limits.silence_goodbye
        with contextlib.suppress(RuntimeError):  # the session closed meanwhile: no one to tell
            await self._session.say(goodbye, allow_interruptions=False)
        await state.controls.hang_up()


def watch_for_silence(session: AgentSession[Call], state: Call) -> SilenceWatch:
    watch = SilenceWatch(session, state)
    watch.attach()
    return watch

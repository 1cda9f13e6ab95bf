"""Out of service: the call can't be handled safely, so say so and hang up.

Used when the store that keeps consent records can't be reached at the start of a call:
asking for consent that can't be recorded would break the promise the question makes,
and leaving the caller in silence is worse. The words are fixed (no model round trip),
can't be interrupted, and the call ends after them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from livekit.agents import Agent

OUT_OF_SERVICE_INSTRUCTIONS = """\
# Role
You only tell the caller the line can't take their call right now. Say nothing else.
"""


class OutOfServiceAgent(Agent):
    def __init__(self, *, line: str, hang_up: Callable[[], Awaitable[None]]) -> None:
        super().__init__(instructions=OUT_OF_SERVICE_INSTRUCTIONS)
        self._line = line
        self._hang_up = hang_up

    async def on_enter(self) -> None:
        await self.session.say(self._line, allow_interruptions=False)
        await self._hang_up()

"""What an agent can do to the call itself: record it, end it, hand it to a person.

Agents speak to this interface; the entrypoint picks the implementation. With no LiveKit
room (tests, console) the session-only controls end the session and never record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from livekit.agents import AgentSession


@dataclass(frozen=True)
class RecordingStart:
    """egress_id set: recording runs. error set: it failed. Neither: not configured."""

    egress_id: str | None
    error: str | None = None


class CallControls(Protocol):
    async def start_recording(self) -> RecordingStart:
        """Start recording the call (only ever called after a yes)."""
        ...

    async def stop_recording(self) -> None: ...

    async def hang_up(self) -> None:
        """End the call for everyone (on a phone line, the line drops)."""
        ...


class SessionOnlyControls:
    """No room to act on (console, tests): nothing is recorded; hanging up closes the session."""

    def __init__(self, session: AgentSession) -> None:
        self._session = session

    async def start_recording(self) -> RecordingStart:
        return RecordingStart(egress_id=None)

    async def stop_recording(self) -> None:
        return None

    async def hang_up(self) -> None:
        self._session.shutdown(drain=True)

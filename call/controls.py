"""What an agent can do to the call itself: record it, end it, hand it to a person.

Agents speak to this interface; the entrypoint picks the implementation. With no LiveKit
room (tests, console) the session-only controls end the session and never record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from livekit.agents import AgentSession, AgentTask, llm


@dataclass(frozen=True)
class RecordingStart:
    """egress_id set: recording runs. error set: it failed. Neither: not configured."""

    egress_id: str | None
    error: str | None = None


@dataclass(frozen=True)
class RecordingFileReport:
    """One file of a recording, as LiveKit reported it."""

    location: str | None
    filename: str | None
    duration_seconds: float | None = None
    size_bytes: int | None = None


@dataclass(frozen=True)
class EgressReport:
    """What LiveKit says about a recording's Egress: running, ending, or ended (with files)."""

    status: Literal["active", "ending", "complete", "failed"]
    started_at: datetime | None = None
    ended_at: datetime | None = None
    files: tuple[RecordingFileReport, ...] = ()
    error: str | None = None

    @property
    def ended(self) -> bool:
        return self.status in ("complete", "failed")


TransferOutcome = Literal[
    "connected",  # the caller is with a person
    "busy",  # the human line answered busy (SIP 486/600)
    "no_answer",  # it rang out (SIP 480/408/487, or the ringing timeout)
    "declined",  # the person declined the call or said they can't take it
    "voicemail",  # a voicemail answered
    "human_hung_up",  # the person hung up before being connected
    "caller_hung_up",  # the caller hung up while on hold
    "failed",  # anything else (SIP 503, a non-success transfer status, an error)
    "unavailable",  # no transfer configured, or no phone line to transfer
]


@dataclass(frozen=True)
class TransferAttempt:
    """How a transfer ended. `detail` says why it failed (SIP status, reason), for the record."""

    outcome: TransferOutcome
    detail: str | None = None

    @property
    def connected(self) -> bool:
        return self.outcome == "connected"


class CallControls(Protocol):
    async def start_recording(self) -> RecordingStart:
        """Start recording the call (only ever called after a yes)."""
        ...

    async def stop_recording(self) -> None: ...

    async def recording_report(self, egress_id: str) -> EgressReport | None:
        """Ask LiveKit once how the recording's Egress stands (None: nothing to ask)."""
        ...

    async def hang_up(self) -> None:
        """End the call for everyone (on a phone line, the line drops)."""
        ...

    async def cold_transfer(self) -> TransferAttempt:
        """Blind-transfer the caller to the configured number (never one from a model)."""
        ...

    def warm_transfer_task(
        self, *, chat_ctx: llm.ChatContext, reason: str
    ) -> AgentTask[Any] | None:
        """The task that puts the caller on hold, briefs a person and connects them (await it
        in a tool), or None when this call can't be transferred."""
        ...


class SessionOnlyControls:
    """No room to act on (console, tests): nothing is recorded; hanging up closes the session."""

    def __init__(self, session: AgentSession) -> None:
        self._session = session

    async def start_recording(self) -> RecordingStart:
        return RecordingStart(egress_id=None)

    async def stop_recording(self) -> None:
        return None

    async def recording_report(self, egress_id: str) -> EgressReport | None:
        return None

    async def hang_up(self) -> None:
        self._session.shutdown(drain=True)

    async def cold_transfer(self) -> TransferAttempt:
        return TransferAttempt("unavailable", "no phone line in this session")

    def warm_transfer_task(
        self, *, chat_ctx: llm.ChatContext, reason: str
    ) -> AgentTask[Any] | None:
        return None

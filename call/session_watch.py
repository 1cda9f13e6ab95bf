"""Listen to the session on the call's behalf: failures get a spoken answer and a record."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from livekit import rtc
from livekit.agents import AgentSession
from livekit.agents.voice.events import CloseEvent, ErrorEvent

from call.call import Call
from call.capture import SessionCapture
from call.consent_withdrawal import watch_for_withdrawal
from call.duration import Clock, limit_duration
from call.livekit_compat import is_closing
from call.lookup import start_lookup
from call.record import finish_call_record
from call.silence import watch_for_silence

logger = logging.getLogger("consent-agent.session")


def watch_session(session: AgentSession[Call], state: Call) -> None:
    def on_error(ev: ErrorEvent) -> None:
        error = ev.error
        recoverable = bool(getattr(error, "recoverable", False))
        kind = getattr(error, "type", type(error).__name__)
        state.outcome.note(
            "model_error", source=kind, recoverable=recoverable, error=str(error.error)
        )
        if recoverable or is_closing(session):
            return
        # No fallback answered: the caller must not be left in silence.
        wording = state.settings.wording
        line = {"llm_error": wording.error_apology, "stt_error": wording.hearing_trouble}
        if kind not in line:
            # A failed voice can't speak: the session's own error limit ends the call.
            logger.warning("%s mid-call: nothing can be spoken", kind)
            return
        logger.warning("model failed mid-call (%s); telling the caller", kind)
        session.say(line[kind])

    def on_close(ev: CloseEvent) -> None:
        state.outcome.closed(ev.reason.value)
        if ev.reason.value == "participant_disconnected":
            state.outcome.left()
        if ev.error is not None:
            state.outcome.note("session_error", error=str(ev.error.error))
        # Complete and store the record as soon as the conversation is over, not only in
        # the job's shutdown: it is then safe even if the process dies before shutdown
        # completes. (Stored once: the shutdown finds it already there.)
        state.journal.spawn(finish_call_record(state), what="call record")

    session.on("error", on_error)
    session.on("close", on_close)


class _Participant(Protocol):
    identity: str


def watch_caller(room: rtc.Room, caller_identity: str, state: Call) -> None:
    """Know the caller hung up the moment they leave the room.

    The session's own close event comes only after its agents are torn down, and by then
    an open consent question has already failed; this listener runs first, so that
    failure is recorded as the caller hanging up rather than a session that closed.
    """

    def on_disconnected(participant: _Participant) -> None:
        if participant.identity == caller_identity:
            state.outcome.left()

    room.on("participant_disconnected", on_disconnected)


def bind_call(
    session: AgentSession[Call],
    *,
    livekit_room: rtc.Room | None = None,
    caller_identity: str | None = None,
    clock: Clock | None = None,
    **fields: Any,
) -> Call:
    """Create the call's state, attach it to the session, and start watching both.

    The one way a call is assembled: the worker, the offline harnesses and the
    benchmarks all go through here. `clock` runs the call's own timers (the maximum
    duration): the event loop unless a test moves time by hand.
    """
    state = Call(**fields)
    state.capture = SessionCapture(session).listen()
    state.outcome.after_hours = state.after_hours(state.started_at)
    session.userdata = state
    watch_session(session, state)
    watch_for_withdrawal(session, state)
    watch_for_silence(session, state)
    limit_duration(session, state, clock)
    start_lookup(session, state)  # beside the consent question, never in front of it
    if livekit_room is not None and caller_identity is not None:
        watch_caller(livekit_room, caller_identity, state)
    return state

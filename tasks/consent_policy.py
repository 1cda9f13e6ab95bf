"""What a consent decision sets in motion. Decided in code, never by the model.

- The decision is stored (with the recording's egress id, or why it failed) in the
  background: the caller never waits on the store or on Egress.
- Recording starts only after a yes.
- On a no: `hang_up` says goodbye (not interruptible) and ends the call;
  `continue_unrecorded` says so and goes on. A no that is only the absence of a clear
  answer (too many unclear answers or turns) gets its own words, which don't pretend the
  caller refused.
- A yes can be withdrawn later in the call: `call/consent_withdrawal.py`.
"""

from __future__ import annotations

import asyncio
import logging

from livekit.agents import AgentSession

from call.call import Call
from call.controls import RecordingStart
from store.records import ConsentRecord
from tasks.consent import ConsentResult

logger = logging.getLogger("consent-agent.consent")


def consent_record(state: Call, result: ConsentResult) -> ConsentRecord:
    return ConsentRecord(
        matched=result.matched,
        answers=list(result.answers),
        asked=result.asked,
        confirmed=result.confirmed,
        stt_confidence=result.stt_confidence,
        language=state.settings.consent.consent_language,
        job_id=state.job_id,
        room=state.room,
        caller=state.caller,
        asked_at=result.asked_at,
        answered_at=result.answered_at,
        wording=result.wording,
        wording_version=result.wording_version,
        method=result.method,
        digit=result.digit,
        answer_text=result.answer_text,
        decision=result.decision,
        ending=result.ending,
        egress_id=state.outcome.egress_id,
        recording_error=None,
    )


# How long the consent record waits for Egress to confirm a recording started. The record
# must be written even if the caller hangs up at once, and the job's shutdown waits only
# about 4 s for pending writes (LiveKit kills it at about 10 s): stay well under that.
RECORDING_CONFIRM_SECONDS = 3.0


async def _start_recording(state: Call) -> tuple[str | None, str | None]:
    """(egress_id, error). Never raises; never waits longer than RECORDING_CONFIRM_SECONDS."""
    start = asyncio.ensure_future(state.controls.start_recording())
    try:
        started = await asyncio.wait_for(asyncio.shield(start), RECORDING_CONFIRM_SECONDS)
    except TimeoutError:

        def late(task: asyncio.Future[RecordingStart]) -> None:
            if not task.cancelled() and task.exception() is None and task.result().egress_id:
                state.outcome.egress_id = task.result().egress_id
                state.outcome.note(
                    "recording_started", egress_id=state.outcome.egress_id, late=True
                )

        start.add_done_callback(late)  # Egress may still start: the call record will say
        return None, f"recording not confirmed within {RECORDING_CONFIRM_SECONDS:g} s"
    except Exception as exc:  # the call goes on unrecorded; the record says why
        return None, f"{type(exc).__name__}: {exc}"
    return started.egress_id, started.error


async def _record_and_maybe_start_recording(state: Call, result: ConsentResult) -> None:
    error: str | None = None
    if result.decision:
        state.outcome.egress_id, error = await _start_recording(state)
        if error:
            state.outcome.note("recording_failed", error=error)
            logger.warning("recording did not start: %s", error)
        elif state.outcome.egress_id:
            state.outcome.note("recording_started", egress_id=state.outcome.egress_id)
    record = consent_record(state, result).model_copy(update={"recording_error": error})
    await state.journal.append_consent(record)


async def apply_consent(session: AgentSession, state: Call, result: ConsentResult) -> bool:
    """Store the decision and act on it. True if the conversation goes on."""
    state.outcome.consent = consent_record(state, result)
    state.wants_manager = state.wants_manager or result.wants_manager
    state.outcome.note(
        "consent", decision=result.decision, method=result.method, ending=result.ending
    )
    state.journal.spawn(_record_and_maybe_start_recording(state, result), what="consent")

    if result.decision:
        return True
    if result.ending in ("hung_up", "session_closed"):
        state.outcome.end("caller_hung_up")
        return False
    if result.ending == "silence":  # call/silence.py has said goodbye and hangs up
        return False

    consent = state.settings.consent
    refused = result.ending == "answered"
    if consent.consent_denial_policy == "continue_unrecorded":
        session.say(consent.line("continue_unrecorded" if refused else "no_answer_unrecorded"))
        return True

    state.outcome.end("declined")
    line = consent.line("goodbye" if refused else "no_answer_goodbye")
    goodbye = session.say(line, allow_interruptions=False)
    await goodbye
    await state.controls.hang_up()
    return False

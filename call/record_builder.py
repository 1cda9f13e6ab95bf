"""Assemble the call record from the call's outcome, its session and what came after.

Each part is built from its own source (the ending from `call/ending.py`, the transcript
from the session's history, usage and latency from LiveKit's metrics, the recording from
LiveKit's egress report, the analysis from the analysis call). Building the record never
fails: a part that can't be built is left at its empty value and the record's events say
which part and why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from call.capture import SessionCapture
from call.outcome import CallOutcome
from call.recording import recording_block
from call.redaction import Redactor
from call.timings import timings
from call.transcript import transcript_block, transcript_lines
from call.usage import cost, usage
from store.call_record import (
    CallbackItem,
    CallRecord,
    ConsentBlock,
    Event,
    GrantItem,
    RecordingBlock,
    TransferBlock,
)
from store.record_measures import Analysis, Timings, Usage
from store.record_transcript import TranscriptBlock, TranscriptLine
from store.records import utcnow

if TYPE_CHECKING:
    from call.call import Call

logger = logging.getLogger("consent-agent.record")
T = TypeVar("T")


def redactor_for(state: Call) -> Redactor:
    return Redactor.for_call(state.collected_form, state.outcome.results)


def lines_for(state: Call, redactor: Redactor) -> list[TranscriptLine]:
    """The transcript's lines as the record (and the analysis) may carry them."""
    o = state.outcome
    if state.capture is None or not o.consented:
        return []
    return transcript_lines(
        state.capture,
        consent=o.consent,
        withdrawn_at=o.consent_withdrawn_at,
        redactor=redactor,
    )


def consent_block(o: CallOutcome) -> ConsentBlock | None:
    c = o.consent
    if c is None:
        return None
    return ConsentBlock(
        decision=c.decision,
        method=c.method,
        ending=c.ending,
        matched=c.matched,
        confirmed=c.confirmed,
        language=c.language,
        wording_version=c.wording_version,
        asked_at=c.asked_at,
        answered_at=c.answered_at,
        recorded=o.recorded,
        withdrawn_at=o.consent_withdrawn_at,
    )


def transfer_block(o: CallOutcome) -> TransferBlock | None:
    tried = o.transfer()
    if tried is None:
        return None
    requested, ended = tried["requested"] or {}, tried["ended"] or {}
    return TransferBlock(
        mode=str(ended.get("mode") or requested.get("mode") or "unknown"),
        outcome=str(ended.get("outcome") or "in_progress"),
        detail=ended.get("detail"),
        reason=requested.get("reason"),
        requested_at=requested.get("at"),
        ended_at=ended.get("at"),
    )


def build_record(state: Call) -> CallRecord:
    o = state.outcome
    problems: list[Event] = []

    def part(name: str, build: Callable[[], T], empty: T) -> T:
        try:
            return build()
        except Exception as exc:  # the record is stored anyway, and says what is missing
            logger.exception("call record: could not build %s", name)
            problems.append(  # the type only: an error's text can quote the call's words
                Event(type="record_part_failed", at=utcnow(), part=name, error=type(exc).__name__)
            )
            return empty

    ended_at = o.ended_at or utcnow()
    ending = o.ending()
    settings = state.settings.call_record
    redactor = part("redaction", lambda: redactor_for(state), Redactor())
    lines = part("transcript", lambda: lines_for(state, redactor), [])
    transcript = part(
        "transcript",
        lambda: transcript_block(
            lines,
            enabled=settings.call_record_transcript,
            consented=o.consented,
            withdrawn_at=o.consent_withdrawn_at,
            redactor=redactor,
        ),
        TranscriptBlock.withheld("disabled"),
    )
    capture: SessionCapture | None = state.capture
    consent_wording = o.consent.wording if o.consent is not None else None
    measured = part(
        "timings",
        lambda: (
            timings(
                capture, started_at=state.started_at, ended_at=ended_at, wording=consent_wording
            )
            if capture is not None
            else None
        ),
        None,
    ) or Timings(call_seconds=round((ended_at - state.started_at).total_seconds(), 3))
    analysis = state.analysis
    analysis_block = analysis.analysis if analysis is not None else _analysis_missing(state)
    used = part("usage", lambda: usage(capture.usage()) if capture else Usage(), Usage())
    used = part(
        "cost",
        lambda: used.model_copy(
            update={
                "cost": cost(
                    used,
                    [analysis_block.usage] if analysis_block.usage else [],
                    prices=settings.usage_prices,
                    currency=settings.usage_currency,
                )
            }
        ),
        used,
    )
    recording = part(
        "recording",
        lambda: recording_block(o, state.settings.telephony, state.recording_report),
        RecordingBlock(status="not_configured"),
    )
    events = [e for e in (part("events", lambda e=e: Event(**e), None) for e in o.events) if e]
    return CallRecord(
        job_id=state.job_id,
        room_id=state.room_id,
        room=state.room,
        started_at=state.started_at,
        ended_at=ended_at,
        duration_seconds=round((ended_at - state.started_at).total_seconds(), 3),
        status=ending.status,
        ended_reason=ending.reason,
        ended_stage=ending.stage,
        ended_by=ending.ended_by,
        session_close_reason=o.close_reason,
        caller=state.caller,
        after_hours=o.after_hours,
        lookup=o.lookup,
        consent=part("consent", lambda: consent_block(o), None),
        recording=recording,
        form=o.form,
        results=o.results,
        summary=analysis.summary if analysis is not None else None,
        analysis=analysis_block,
        transcript=transcript,
        timings=measured,
        usage=used,
        grants=[
            GrantItem(
                kind=g.kind,
                amount=str(g.amount),
                currency=g.currency,
                reason=g.reason,
                granted_at=g.granted_at,
            )
            for g in o.grants
        ],
        callback=_callback(o),
        transfer=part("transfer", lambda: transfer_block(o), None),
        events=[*events, *problems],
    )


def _callback(o: CallOutcome) -> CallbackItem | None:
    c = o.callback
    if c is None:
        return None
    return CallbackItem(
        number=c.number, source=c.source, reason=c.reason, requested_at=c.requested_at
    )


def wants_analysis(state: Call) -> bool:
    """CALL_ANALYSIS, unless the call's form says otherwise (`ending.summary`)."""
    form = state.collected_form
    if form is not None and form.ending.summary is not None:
        return form.ending.summary
    return state.settings.call_record.call_analysis


def _analysis_missing(state: Call) -> Analysis:
    if not wants_analysis(state):
        return Analysis(status="off")
    return Analysis(status="timed_out", error="not finished when the record was stored")

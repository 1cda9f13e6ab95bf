"""The call's record as it leaves the conversation: completed after the call, stored once.

When the session closes (`call/session_watch.py`), `finish_call_record` runs in the
background: the analysis call and LiveKit's report on the recording, side by side and
each bounded (CALL_ANALYSIS_TIMEOUT, `call.recording.REPORT_SECONDS`), then the record
and its delivery outbox row, in one local transaction (no network).

`save_call_record` runs in the job's shutdown (LiveKit kills a job that takes about 10 s
to shut down): it waits for the call's background writes, this one included, at most
`within` seconds, then stores the record if it isn't stored yet, with whatever finished
in time (the record says what didn't). Delivery happens later, off the call.
"""

from __future__ import annotations

import asyncio
import logging

from livekit.agents import llm

from call.analysis import AnalysisInput, Rubric, analyze_call
from call.call import Call
from call.record_builder import lines_for, redactor_for, wants_analysis
from call.recording import final_report
from call.redaction import Redactor, mask_token
from call.transcript import as_text

logger = logging.getLogger("consent-agent.record")

# Event details that are free text (the model's or the caller's words): left out of what
# the analysis sees for a call without consent.
_FREE_TEXT = frozenset({"reason", "summary", "notes", "problem", "detail", "error", "words"})


async def save_call_record(state: Call, *, within: float = 4.0) -> str | None:
    """Flush pending writes, then store the record with its outbox row. Never raises."""
    if not await state.journal.flush(within=within):
        logger.error("some background writes did not finish before the call record")
    return await store_call_record(state)


async def finish_call_record(state: Call) -> str | None:
    """Complete the record (analysis, recording report), then store it. Never raises."""
    try:
        await complete_record(state)
    except Exception:
        logger.exception("could not complete the call record; storing it as it is")
    return await store_call_record(state)


async def complete_record(state: Call) -> None:
    """Run the analysis and fetch the recording's report, once per call."""
    if state.finishing is None:
        state.finishing = asyncio.ensure_future(
            asyncio.gather(_analyze(state), _recording_report(state))
        )
    await asyncio.shield(state.finishing)


async def store_call_record(state: Call) -> str | None:
    """Store the record once (whoever gets there first). Doesn't flush: safe inside a
    journal task. Never raises."""
    async with state.record_lock:
        if state.record_id is not None:
            return state.record_id
        try:
            state.record_id = await state.journal.save_call(state.to_record())
        except Exception:
            logger.exception("could not store the call record")
            return None
        return state.record_id


def _model(state: Call) -> llm.LLM | None:
    model = state.models.llm
    if model is None and state.capture is not None:
        model = state.capture.session.llm
    return model if isinstance(model, llm.LLM) else None


def analysis_input(state: Call, redactor: Redactor) -> AnalysisInput:
    o = state.outcome
    ending = o.ending()
    consented = o.consented
    events = []
    for e in o.events:
        details = {
            k: v
            for k, v in e.items()
            if k not in ("type", "at") and v is not None and (consented or k not in _FREE_TEXT)
        }
        text = ", ".join(f"{k}={redactor.value(v)}" for k, v in details.items())
        events.append(f"{e['type']}" + (f": {text}" if text else ""))
    settings = state.settings.call_record
    rubric = (
        Rubric(settings.call_success_question, settings.call_success_scale)
        if settings.call_success_question
        else None
    )
    form = state.collected_form
    return AnalysisInput(
        ending=f"{ending.reason} (status {ending.status}, during {ending.stage})",
        transcript=as_text(lines_for(state, redactor)) if consented else None,
        results=redactor.value(
            {k: mask_token(k) if k in redactor.fields else v for k, v in o.results.items()}
        ),
        form=form.label if form is not None else o.form,
        events=events,
        rubric=rubric,
    )


async def _analyze(state: Call) -> None:
    if not wants_analysis(state):
        return
    redactor = redactor_for(state)
    state.analysis = await analyze_call(
        _model(state),
        analysis_input(state, redactor),
        within=state.settings.call_record.call_analysis_timeout,
        redactor=redactor,
    )
    state.outcome.summary = state.analysis.summary


async def _recording_report(state: Call) -> None:
    egress_id = state.outcome.egress_id
    if egress_id is not None:
        state.recording_report = await final_report(state.controls, egress_id)

"""The call's record as it leaves the conversation: built from the state, stored once.

`save_call_record` runs in the job's shutdown: it writes the record and its delivery
outbox row in one local transaction (no network), after the call's other background
writes have finished. Delivery happens later, off the call.
"""

from __future__ import annotations

import logging
from typing import Any

from call.state import CallState
from store.records import CallRecord, CallStatus, utcnow

logger = logging.getLogger("consent-agent.record")


def call_status(state: CallState) -> CallStatus:
    if state.status is not None:
        return state.status
    if any(e["type"] == "session_error" for e in state.events):
        return "error"
    c = state.consent
    policy = state.settings.consent.consent_denial_policy
    refused = c is not None and not c.decision and c.ending in ("answered", "unclear", "turn_limit")
    if refused and policy == "hang_up":
        return "declined"
    if state.form is not None and state.caller_left:
        return "caller_hung_up"
    return "complete"


def consent_summary(state: CallState) -> dict[str, Any] | None:
    c = state.consent
    if c is None:
        return None
    return {
        "decision": c.decision,
        "method": c.method,
        "ending": c.ending,
        "matched": c.matched,
        "confirmed": c.confirmed,
        "wording_version": c.wording_version,
        "asked_at": c.asked_at.isoformat(),
        "answered_at": c.answered_at.isoformat() if c.answered_at else None,
        "recorded": state.recorded,
        "withdrawn_at": (
            state.consent_withdrawn_at.isoformat() if state.consent_withdrawn_at else None
        ),
    }


def build_call_record(state: CallState) -> CallRecord:
    return CallRecord(
        job_id=state.job_id,
        room_id=state.room_id,
        room=state.room,
        started_at=state.started_at,
        ended_at=utcnow(),
        summary=state.summary,
        results=state.results,
        form=state.form,
        status=call_status(state),
        consent=consent_summary(state),
        ended_reason=state.ended_reason,
        caller=state.caller,
        events=state.events,
    )


async def save_call_record(state: CallState, *, within: float = 4.0) -> str | None:
    """Flush pending writes, then store the record with its outbox row. Never raises."""
    if not await state.journal.flush(within=within):
        logger.error("some background writes did not finish before the call record")
    return await store_call_record(state)


async def store_call_record(state: CallState) -> str | None:
    """Store the record once (a form stores it when it ends; the job's shutdown then finds it
    stored). Doesn't flush: safe inside a journal task. Never raises."""
    async with state.record_lock:
        if state.record_id is not None:
            return state.record_id
        try:
            state.record_id = await state.journal.store.save_call(build_call_record(state))
        except Exception:
            logger.exception("could not store the call record")
            return None
        return state.record_id

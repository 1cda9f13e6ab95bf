"""The call's record as it leaves the conversation: built from its outcome, stored once.

`save_call_record` runs in the job's shutdown: it writes the record and its delivery
outbox row in one local transaction (no network), after the call's other background
writes have finished. Delivery happens later, off the call.
"""

from __future__ import annotations

import logging

from call.call import Call

logger = logging.getLogger("consent-agent.record")


async def save_call_record(state: Call, *, within: float = 4.0) -> str | None:
    """Flush pending writes, then store the record with its outbox row. Never raises."""
    if not await state.journal.flush(within=within):
        logger.error("some background writes did not finish before the call record")
    return await store_call_record(state)


async def store_call_record(state: Call) -> str | None:
    """Store the record once (a form stores it when it ends; the job's shutdown then finds it
    stored). Doesn't flush: safe inside a journal task. Never raises."""
    async with state.record_lock:
        if state.record_id is not None:
            return state.record_id
        try:
            state.record_id = await state.journal.save_call(state.to_record())
        except Exception:
            logger.exception("could not store the call record")
            return None
        return state.record_id

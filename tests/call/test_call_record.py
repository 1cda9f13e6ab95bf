"""The call's record: stored when the conversation ends, once, with how it ended."""

from __future__ import annotations

import json
from pathlib import Path

from call.record import save_call_record
from offline.scripted_llm import call, say
from tests.call.scripts import at_front_desk, front_desk
from tests.harness import offline_call


async def _stored_payloads(call_) -> list[dict]:
    await call_.settle()
    rows = [await call_.store.outbox_row(r.webhook_id) for r in await call_.store.outbox_rows()]
    return [json.loads(row.payload) for row in rows if row is not None]


async def test_hanging_up_stores_the_record_without_waiting_for_the_job_to_end(
    tmp_path: Path,
) -> None:
    script = front_desk()
    script.when(
        lambda r: at_front_desk(r) and r.user_said("bill"), call("route_to", department="billing")
    )
    script.when(lambda r: r.offers("record_billing_issue"), say("Billing here."))
    async with offline_call(script, database_path=tmp_path / "c.db") as call_:
        await call_.start()
        await call_.caller_says("yes")
        await call_.caller_says("my bill is wrong")
        await call_.hang_up()

        [payload] = await _stored_payloads(call_)
        assert payload["job_id"] == "AJ_offline"
        # the caller hung up mid-conversation (LiveKit's close reason is kept apart)
        assert (payload["status"], payload["ended_reason"]) == ("caller_hung_up", "caller_hung_up")
        assert payload["ended_stage"] == "conversation"
        assert payload["session_close_reason"] == "participant_disconnected"
        assert payload["consent"]["decision"] is True
        assert [e["type"] for e in payload["events"]][:2] == ["consent", "routing"]

        # The job's shutdown saves again: it finds the record stored, no second webhook.
        assert await save_call_record(call_.state) == call_.state.record_id
        assert len(await _stored_payloads(call_)) == 1


async def test_a_declined_call_is_recorded_as_declined(tmp_path: Path, make_settings) -> None:
    settings = make_settings(consent={"consent_denial_policy": "hang_up"})
    async with offline_call(front_desk(), settings=settings, database_path=tmp_path / "c.db") as c:
        await c.start()
        await c.caller_says("no")
        await c.wait_closed()

        [payload] = await _stored_payloads(c)
        assert (payload["status"], payload["ended_reason"]) == ("declined", "consent_refused")
        assert payload["ended_by"] == "agent"  # not LiveKit's "user_initiated"
        assert payload["consent"]["decision"] is False
        assert payload["consent"]["recorded"] is False

"""A call's record leaves the worker: stored by the job, delivered by the worker's sender.

The caller agrees, hangs up; the job stores the record (no network in its shutdown);
the worker's main-process sender posts it, signed, to the customer's endpoint.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from call.record import save_call_record
from store import open_store
from tests.call.scripts import front_desk
from tests.delivery.receiver import SECRET, Receiver
from tests.harness import offline_call


@pytest.fixture
async def receiver():
    r = Receiver()
    await r.start()
    yield r
    await r.stop()


async def test_a_finished_call_reaches_the_endpoint_signed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, receiver: Receiver
) -> None:
    database = f"sqlite:///{tmp_path / 'calls.db'}"
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("WEBHOOK_URL", receiver.url)
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    import agent as worker

    worker.settings.cache_clear()  # read this test's environment, as a new process would

    store = await open_store(database)
    try:
        async with offline_call(front_desk(), settings=worker.settings(), store=store) as call:
            await call.start()
            await call.caller_says("yes")
            await call.hang_up()
            webhook_id = await save_call_record(call.state)

        worker.server.emit("worker_started")
        try:
            for _ in range(200):
                if receiver.accepted:
                    break
                await asyncio.sleep(0.05)
        finally:
            await worker.server.delivery.aclose()  # as the worker closes
            assert worker.server.delivery.sender is None
    finally:
        await store.close()
        worker.settings.cache_clear()

    assert list(receiver.accepted) == [webhook_id]
    assert receiver.bad_signatures == 0
    payload = json.loads(receiver.accepted[webhook_id][0])
    assert payload["job_id"] == "AJ_offline"
    assert payload["consent"]["decision"] is True
    # the caller hung up mid-conversation: that is how the call ended, not "complete"
    assert (payload["status"], payload["ended_reason"]) == ("caller_hung_up", "caller_hung_up")
    assert payload["ended_stage"] == "conversation"
    assert {"job_id", "room_id", "room", "started_at", "ended_at", "summary", "results"} <= set(
        payload
    )


def test_importing_the_worker_reads_no_settings_and_starts_nothing(monkeypatch) -> None:
    """Importing agent.py defines the server and nothing else: a bad setting in the
    environment is only read (and reported) when the worker starts."""
    monkeypatch.setenv("CONSENT_DENIAL_POLICY", "sometimes")
    import agent as worker

    worker.settings.cache_clear()
    assert worker.server.delivery.sender is None
    with pytest.raises(SystemExit) as stopped:
        worker.settings()
    assert stopped.value.code == 2
    worker.settings.cache_clear()

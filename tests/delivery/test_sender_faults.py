"""The sender against a real receiver on loopback: faults, recovery, nothing lost."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from aiohttp import web

from delivery.sender import OutboxSender, SendStats
from store import Store
from tests.delivery.receiver import Receiver, delivery_settings, wait_for
from tests.store.support import call_record, save_calls


async def next_round(sender: OutboxSender) -> SendStats:
    """Run one batch once every pending row is due (retries are jittered a few ms out)."""
    pending = await sender.store.outbox_rows(status="pending")
    if pending:
        last_due = max(r.next_attempt_at for r in pending)
        await asyncio.sleep(max(0.0, (last_due - datetime.now(UTC)).total_seconds()) + 0.01)
    async with asyncio.timeout(10):
        while True:
            stats = await sender.run_once()
            if stats.claimed or stats.endpoint_disabled:
                return stats
            await asyncio.sleep(0.01)


def assert_nothing_lost(receiver: Receiver, ids: list[str], payloads: dict[str, str]) -> None:
    assert receiver.bad_signatures == 0
    assert set(receiver.accepted) == set(ids)  # every record arrived, nothing unknown did
    for wid, bodies in receiver.accepted.items():
        # a duplicate is the same message: same webhook-id, same body
        assert {b.decode() for b in bodies} == {payloads[wid]}


async def test_faults_then_recovery_lose_nothing(store: Store, receiver: Receiver) -> None:
    ids = await save_calls(store, 6)
    payloads = {wid: (await store.outbox_row(wid)).payload for wid in ids}  # type: ignore[union-attr]
    sender = OutboxSender(store, delivery_settings(receiver.url), batch_size=10)
    try:
        # 1. connection refused: nothing listens on the port
        await receiver.stop()
        stats = await next_round(sender)
        assert (stats.claimed, stats.retrying) == (6, 6)
        row = await store.outbox_row(ids[0])
        assert (
            row is not None and row.attempts == 1 and "connection failed" in (row.last_error or "")
        )

        # 2. the endpoint is back but answers 500
        await receiver.start()

        async def error_500(wid: str, n: int) -> web.StreamResponse:
            return web.Response(status=500)

        receiver.behaviour = error_500
        assert (await next_round(sender)).retrying == 6
        assert {r.last_status for r in await store.outbox_rows()} == {500}

        # 3. slower than the sender's timeout (0.5 s)
        async def slow(wid: str, n: int) -> web.StreamResponse:
            await asyncio.sleep(2)
            return web.Response(status=200)

        receiver.behaviour = slow
        assert (await next_round(sender)).retrying == 6
        assert all("timed out" in (r.last_error or "") for r in await store.outbox_rows())

        # 4. 429 with Retry-After: the next attempt waits at least that long
        async def too_many(wid: str, n: int) -> web.StreamResponse:
            return web.Response(status=429, headers={"Retry-After": "1"})

        receiver.behaviour = too_many
        assert (await next_round(sender)).retrying == 6
        for r in await store.outbox_rows():
            assert r.last_status == 429 and r.attempts == 4
            assert (r.next_attempt_at - r.last_attempt_at).total_seconds() >= 1.0  # type: ignore[operator]

        # 5. 410 Gone: the endpoint is disabled (persisted) and every row stays pending
        async def gone(wid: str, n: int) -> web.StreamResponse:
            return web.Response(status=410)

        receiver.behaviour = gone
        stats = await next_round(sender)
        assert stats.endpoint_disabled and stats.released >= 1
        assert await store.endpoint_state(receiver.url) is not None
        assert await store.outbox_counts() == {"pending": 6, "delivered": 0, "dead": 0}
        gone_attempts = sum(receiver.attempts.values())
        assert (await sender.run_once()).endpoint_disabled  # nothing more is sent
        assert sum(receiver.attempts.values()) == gone_attempts

        # 6. recovery: the operator re-enables the endpoint, everything is delivered
        async def fine(wid: str, n: int) -> web.StreamResponse:
            return web.Response(status=204)

        receiver.behaviour = fine
        assert await store.enable_endpoint(receiver.url)
        await sender.drain(max_seconds=15)
        assert await store.outbox_counts() == {"pending": 0, "delivered": 6, "dead": 0}
        assert_nothing_lost(receiver, ids, payloads)
    finally:
        await sender.aclose()


async def test_exhausted_schedule_dead_letters_then_replay_delivers(
    store: Store, receiver: Receiver
) -> None:
    ids = await save_calls(store, 3)
    payloads = {wid: (await store.outbox_row(wid)).payload for wid in ids}  # type: ignore[union-attr]

    async def always_500(wid: str, n: int) -> web.StreamResponse:
        return web.Response(status=503)

    receiver.behaviour = always_500
    settings = delivery_settings(receiver.url, webhook_retry_schedule="0.02,0.02")
    sender = OutboxSender(store, settings)
    try:
        stats = await sender.drain(max_seconds=15)
        assert stats.dead == 3
        dead = await store.outbox_rows(status="dead")
        assert sorted(r.webhook_id for r in dead) == sorted(ids)
        assert all(r.attempts == 3 for r in dead)  # first try + 2 retries
        assert dict(receiver.attempts) == dict.fromkeys(ids, 3)

        receiver.behaviour = Receiver().behaviour  # healthy again
        assert await store.replay_dead() == 3
        await sender.drain(max_seconds=15)
        assert await store.outbox_counts() == {"pending": 0, "delivered": 3, "dead": 0}
        assert_nothing_lost(receiver, ids, payloads)
    finally:
        await sender.aclose()


async def test_request_is_signed_with_extra_headers_and_redirects_not_followed(
    store: Store, receiver: Receiver
) -> None:
    [wid] = await save_calls(store, 1)

    async def redirect(w: str, n: int) -> web.StreamResponse:
        if n == 1:
            return web.Response(status=302, headers={"Location": "/elsewhere"})
        return web.Response(status=200)

    receiver.behaviour = redirect
    settings = delivery_settings(
        receiver.url, webhook_headers='{"Authorization": "Bearer tok_live_123456"}'
    )
    sender = OutboxSender(store, settings)
    try:
        stats = await sender.run_once()
        assert stats.retrying == 1  # a 3xx is not a delivery, and is not followed
        row = await store.outbox_row(wid)
        assert row is not None and row.last_status == 302
        await sender.drain(max_seconds=10)
    finally:
        await sender.aclose()
    assert receiver.attempts[wid] == 2  # the redirect target was never called
    assert receiver.bad_signatures == 0
    first, second = receiver.headers_seen
    assert first["webhook-id"] == second["webhook-id"] == wid  # stable across retries
    assert first["Authorization"] == "Bearer tok_live_123456"
    assert first["Content-Type"] == "application/json"
    assert json.loads(receiver.accepted[wid][0]) == call_record(0).payload()


async def test_a_hanging_endpoint_does_not_hold_up_saving_calls(
    store: Store, receiver: Receiver
) -> None:
    release = asyncio.Event()

    async def hang(wid: str, n: int) -> web.StreamResponse:
        await release.wait()
        return web.Response(status=200)

    receiver.behaviour = hang
    await save_calls(store, 1)
    sender = OutboxSender(store, delivery_settings(receiver.url, webhook_timeout_seconds=30))
    sender.start()
    try:
        await wait_for(lambda: bool(receiver.in_flight))  # the sender is stuck in a request
        # the agent's shutdown path still saves immediately (guard, not a benchmark)
        wid = await asyncio.wait_for(store.save_call(call_record(1)), timeout=5)
        assert (await store.outbox_row(wid)).status == "pending"  # type: ignore[union-attr]
    finally:
        release.set()
        await sender.aclose()


async def test_sender_started_in_background_delivers_rows_pending_at_start_up(
    store: Store, receiver: Receiver
) -> None:
    ids = await save_calls(store, 4)  # e.g. left by a crashed or redeployed worker
    sender = OutboxSender(store, delivery_settings(receiver.url), poll_interval=0.05)
    sender.start()
    try:
        await wait_for(lambda: receiver.total_accepted() >= 4)
        late = await store.save_call(call_record(9))
        sender.notify()
        await wait_for(lambda: late in receiver.accepted)
    finally:
        await sender.aclose()
    assert set(receiver.accepted) == {*ids, late}

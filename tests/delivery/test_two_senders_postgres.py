"""Two senders on one PostgreSQL store never hold or send the same row at once."""

from __future__ import annotations

import asyncio

import psycopg
import pytest
from aiohttp import web

from delivery.sender import OutboxSender
from store import open_store
from store.url import parse_database_url
from tests.delivery.receiver import Receiver, delivery_settings
from tests.store.support import make_store_url, save_calls

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url(tmp_path):
    yield from make_store_url("postgres", tmp_path)


async def test_claims_skip_rows_locked_by_another_sender(pg_url: str) -> None:
    a = await open_store(pg_url)
    b = await open_store(pg_url)
    try:
        ids = await save_calls(a, 6)
        parsed = parse_database_url(pg_url)
        # Another sender is in the middle of claiming 3 rows (its transaction holds them).
        async with await psycopg.AsyncConnection.connect(parsed.conninfo) as other:
            await other.execute(f"SET search_path TO {parsed.schema}")
            await other.execute(
                "SELECT webhook_id FROM outbox WHERE webhook_id = ANY(%s) FOR UPDATE",
                (ids[:3],),
            )
            # b neither waits for those rows nor takes them.
            claimed = await asyncio.wait_for(
                b.claim_outbox(sender_id="b", limit=10, lease_seconds=30), timeout=10
            )
            assert sorted(r.webhook_id for r in claimed) == sorted(ids[3:])
            await other.rollback()
        # once released and unleased, they are a's to take, and b's leases still hold
        rest = await a.claim_outbox(sender_id="a", limit=10, lease_seconds=30)
        assert sorted(r.webhook_id for r in rest) == sorted(ids[:3])
    finally:
        await a.close()
        await b.close()


async def test_two_senders_draining_together_send_each_row_once(
    pg_url: str, receiver: Receiver
) -> None:
    async def slowish(wid: str, n: int) -> web.StreamResponse:
        await asyncio.sleep(0.02)
        return web.Response(status=200)

    receiver.behaviour = slowish
    stores = [await open_store(pg_url) for _ in range(2)]
    senders = [
        OutboxSender(s, delivery_settings(receiver.url), sender_id=f"sender-{i}", batch_size=3)
        for i, s in enumerate(stores)
    ]
    try:
        ids = await save_calls(stores[0], 40)
        await asyncio.gather(*(s.drain(max_seconds=30) for s in senders))
        assert receiver.overlaps == []  # never the same row on the wire twice at once
        assert dict(receiver.attempts) == dict.fromkeys(ids, 1)  # and no row sent twice
        assert await stores[1].outbox_counts() == {"pending": 0, "delivered": 40, "dead": 0}
    finally:
        for sender in senders:
            await sender.aclose()
        for s in stores:
            await s.close()

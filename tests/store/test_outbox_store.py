"""Call records and the outbox: one transaction, leases, dead letters, endpoint state."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from store import Store, open_store
from tests.store.support import call_record, raw_execute, raw_query, save_calls


async def test_save_call_stores_record_and_pending_outbox_row(store: Store) -> None:
    record = call_record(7)
    webhook_id = await store.save_call(record)
    assert webhook_id.startswith("msg_")
    row = await store.outbox_row(webhook_id)
    assert row is not None
    assert (row.status, row.attempts, row.job_id) == ("pending", 0, "AJ_job7")
    assert json.loads(row.payload) == record.payload()
    assert await store.outbox_counts() == {"pending": 1, "delivered": 0, "dead": 0}


async def test_call_record_and_outbox_row_commit_together(store: Store, store_url: str) -> None:
    # Make the outbox insert fail: the call record must not be left behind without it.
    if store_url.startswith("sqlite"):
        raw_execute(
            store_url,
            "CREATE TRIGGER no_outbox BEFORE INSERT ON outbox "
            "BEGIN SELECT RAISE(ABORT, 'outbox refused'); END;",
        )
    else:
        raw_execute(
            store_url,
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'outbox refused'; END $$",
        )
        raw_execute(
            store_url,
            "CREATE TRIGGER no_outbox BEFORE INSERT ON outbox "
            "FOR EACH ROW EXECUTE FUNCTION refuse()",
        )
    with pytest.raises(Exception, match="outbox refused"):
        await store.save_call(call_record(1))
    raw_execute(
        store_url, "DROP TRIGGER no_outbox" + ("" if "sqlite" in store_url else " ON outbox")
    )
    webhook_id = await store.save_call(call_record(2))
    # only the second call exists, and it is the only thing to deliver
    assert raw_query(store_url, "SELECT webhook_id FROM call_records") == [(webhook_id,)]
    assert [r.webhook_id for r in await store.outbox_rows(status=None)] == [webhook_id]


async def test_a_leased_row_goes_to_one_sender_until_the_lease_ends(store: Store) -> None:
    ids = await save_calls(store, 5)
    a = await store.claim_outbox(sender_id="a", limit=3, lease_seconds=0.3)
    b = await store.claim_outbox(sender_id="b", limit=10, lease_seconds=30)
    assert len(a) == 3 and len(b) == 2
    assert {r.webhook_id for r in a} | {r.webhook_id for r in b} == set(ids)
    assert not {r.webhook_id for r in a} & {r.webhook_id for r in b}
    assert await store.claim_outbox(sender_id="c", limit=10, lease_seconds=30) == []

    # Sender "a" dies: once its lease ends its rows go to someone else...
    await asyncio.sleep(0.4)
    c = await store.claim_outbox(sender_id="c", limit=10, lease_seconds=30)
    assert {r.webhook_id for r in c} == {r.webhook_id for r in a}
    # ...and a late answer from "a" can't overwrite the new owner's state.
    assert not await store.mark_delivered(a[0].webhook_id, sender_id="a", status=200)
    assert await store.mark_delivered(a[0].webhook_id, sender_id="c", status=200)
    assert (await store.outbox_row(a[0].webhook_id)).status == "delivered"  # type: ignore[union-attr]


async def test_failed_rows_wait_their_turn_then_dead_letter_and_replay(store: Store) -> None:
    [wid] = await save_calls(store, 1)
    await store.claim_outbox(sender_id="s", limit=1, lease_seconds=30)
    later = datetime.now(UTC) + timedelta(hours=1)
    await store.mark_failed(wid, sender_id="s", error="HTTP 500", status=500, next_attempt_at=later)
    failed = await store.outbox_row(wid)
    assert failed is not None
    assert (failed.status, failed.attempts, failed.last_status) == ("pending", 1, 500)
    assert await store.claim_outbox(sender_id="s", limit=1, lease_seconds=30) == []  # not due
    due = await store.next_due_at()
    assert due is not None and abs((due - later).total_seconds()) < 0.01

    # A later claim (pretend an hour passed) gets it; the last attempt fails: dead letter.
    [again] = await store.claim_outbox(
        sender_id="s", limit=1, lease_seconds=30, now=later + timedelta(seconds=1)
    )
    assert again.attempts == 1
    await store.mark_failed(wid, sender_id="s", error="HTTP 500", status=500, next_attempt_at=None)
    dead = await store.outbox_rows(status="dead")
    assert [r.webhook_id for r in dead] == [wid] and dead[0].attempts == 2
    assert await store.next_due_at() is None
    assert (
        await store.claim_outbox(
            sender_id="s", limit=1, lease_seconds=30, now=later + timedelta(days=2)
        )
        == []
    )

    assert await store.replay_dead([wid]) == 1
    replayed = await store.outbox_row(wid)
    assert replayed is not None and (replayed.status, replayed.attempts) == ("pending", 0)
    claimed = await store.claim_outbox(sender_id="s", limit=1, lease_seconds=30)
    assert [r.webhook_id for r in claimed] == [wid]


async def test_endpoint_disabled_state_is_per_url_and_persists(store_url: str) -> None:
    first = await open_store(store_url)
    await first.disable_endpoint("https://hooks.example.com/a?token=abc", "410 Gone")
    await first.close()
    second = await open_store(store_url)
    try:
        state = await second.endpoint_state("https://hooks.example.com/a?token=abc")
        assert state is not None and state.reason == "410 Gone"
        assert "token" not in state.display  # the stored form drops the query
        assert await second.endpoint_state("https://hooks.example.com/b") is None
        assert await second.enable_endpoint("https://hooks.example.com/a?token=abc")
        assert await second.endpoint_state("https://hooks.example.com/a?token=abc") is None
    finally:
        await second.close()


async def test_sqlite_file_uses_wal(tmp_path) -> None:
    path = tmp_path / "calls.db"
    s = await open_store(f"sqlite:///{path}")
    await s.close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
    finally:
        conn.close()


async def test_unknown_database_url_says_how_to_fix() -> None:
    with pytest.raises(ValueError, match="sqlite:///"):
        await open_store("mysql://localhost/db")


async def test_text_that_looks_like_sql_is_stored_as_written(store: Store) -> None:
    # What a caller says ends up in the record: placeholders, quotes and braces included.
    said = "100% sure: call me at :phone, it's {urgent} %(x)s ?; DROP TABLE outbox; --"
    record = call_record(3).model_copy(update={"summary": said, "room": said})
    webhook_id = await store.save_call(record)
    row = await store.outbox_row(webhook_id)
    assert row is not None and json.loads(row.payload)["summary"] == said
    assert await store.outbox_counts() == {"pending": 1, "delivered": 0, "dead": 0}


async def test_naming_no_rows_or_one_row_twice(store: Store) -> None:
    [wid] = await save_calls(store, 1)
    assert await store.replay_dead([]) == 0
    assert await store.retry_pending([]) == 0
    assert await store.release([], sender_id="s") == 0
    assert await store.retry_pending([wid, wid]) == 1
    [claimed] = await store.claim_outbox(sender_id="s", limit=5, lease_seconds=30)
    assert await store.release([wid, wid], sender_id="s", note="shutting down") == 1
    released = await store.outbox_row(wid)
    assert released is not None and released.claimed_by is None
    assert released.last_error == "shutting down" and claimed.webhook_id == wid


async def test_when_the_next_row_is_due(store: Store) -> None:
    leased, waiting = await save_calls(store, 2)
    now = datetime.now(UTC)
    later = now + timedelta(hours=1)
    [row] = await store.claim_outbox(sender_id="s", limit=1, lease_seconds=30, now=now)
    assert row.webhook_id == leased
    [again] = await store.claim_outbox(sender_id="t", limit=1, lease_seconds=30, now=now)
    assert again.webhook_id == waiting
    await store.mark_failed(
        waiting, sender_id="t", error="HTTP 503", status=503, next_attempt_at=later
    )

    # the leased row comes back when its lease ends, the failed one after its delay
    lease_end = now + timedelta(seconds=30)
    assert await store.next_due_at() == lease_end
    assert await store.next_due_at(due_by=now) == lease_end
    assert await store.next_due_at(due_by=now - timedelta(days=1)) is None
    await store.mark_delivered(leased, sender_id="s", status=200)
    assert await store.next_due_at() == later
    assert await store.next_due_at(due_by=now) is None

"""`python -m ops outbox retry` and `replay`: the operator sends rows now, or is told
exactly why not, and a refused command changes nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from ops.cli import main
from store import OutboxRow, open_store
from tests.store.support import save_calls

UNKNOWN = "msg_0000000000000123456789abcdef"


async def _seed(url: str) -> dict[str, list[str]]:
    """Two rows waiting out a retry delay, one delivered, one dead."""
    store = await open_store(url)
    try:
        ids = await save_calls(store, 4)
        await store.claim_outbox(sender_id="s", limit=4, lease_seconds=30)
        later = datetime.now(UTC) + timedelta(hours=2)
        for wid in ids[:2]:
            await store.mark_failed(
                wid, sender_id="s", error="HTTP 503", status=503, next_attempt_at=later
            )
        await store.mark_delivered(ids[2], sender_id="s", status=200)
        await store.mark_failed(
            ids[3], sender_id="s", error="HTTP 500", status=500, next_attempt_at=None
        )
    finally:
        await store.close()
    return {"waiting": ids[:2], "delivered": [ids[2]], "dead": [ids[3]]}


@pytest.fixture
def rows(store_url: str) -> dict[str, list[str]]:
    return asyncio.run(_seed(store_url))


def snapshot(url: str) -> dict[str, OutboxRow]:
    async def read() -> dict[str, OutboxRow]:
        store = await open_store(url)
        try:
            return {r.webhook_id: r for r in await store.outbox_rows(status=None)}
        finally:
            await store.close()

    return asyncio.run(read())


def ops(*args: str, url: str) -> int:
    return main(["outbox", *args, "--database-url", url])


def test_retry_makes_named_pending_rows_due_now(store_url: str, rows, capsys) -> None:
    first, second = rows["waiting"]
    before = snapshot(store_url)

    assert ops("retry", first, url=store_url) == 0
    assert "1 pending row(s) due now" in capsys.readouterr().out

    after = snapshot(store_url)
    assert after[first].next_attempt_at <= datetime.now(UTC)
    assert after[first].attempts == before[first].attempts == 1  # the schedule goes on
    assert after[second] == before[second]


def test_retry_all_pending(store_url: str, rows, capsys) -> None:
    assert ops("retry", "--all-pending", url=store_url) == 0
    assert "2 pending row(s) due now" in capsys.readouterr().out
    now = datetime.now(UTC)
    assert all(snapshot(store_url)[w].next_attempt_at <= now for w in rows["waiting"])


@pytest.mark.parametrize("command", ["retry", "replay"])
def test_an_unknown_id_is_named_and_nothing_changes(
    store_url: str, rows, capsys, command: str
) -> None:
    known = rows["waiting"][0] if command == "retry" else rows["dead"][0]
    before = snapshot(store_url)

    assert ops(command, known, UNKNOWN, url=store_url) == 1

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1  # one message
    assert f"{UNKNOWN}: no such row" in captured.err
    assert snapshot(store_url) == before


def test_replay_of_a_row_that_is_not_dead_says_so_once_and_changes_nothing(
    store_url: str, rows, capsys
) -> None:
    pending, delivered = rows["waiting"][0], rows["delivered"][0]
    before = snapshot(store_url)

    for wid, status, hint in (
        (pending, "pending", "`python -m ops outbox retry` sends a pending row now"),
        (delivered, "delivered", "a delivered row is done"),
    ):
        assert ops("replay", wid, url=store_url) == 1
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err == f"error: nothing replayed: {wid} is {status}, not dead ({hint})\n"
    # even next to a dead row that could be replayed: all or nothing
    assert ops("replay", rows["dead"][0], pending, url=store_url) == 1
    assert "nothing replayed" in capsys.readouterr().err
    assert snapshot(store_url) == before


def test_retry_of_a_row_that_is_not_pending_says_so_and_changes_nothing(
    store_url: str, rows, capsys
) -> None:
    dead = rows["dead"][0]
    before = snapshot(store_url)
    assert ops("retry", rows["waiting"][0], dead, url=store_url) == 1
    err = capsys.readouterr().err
    assert f"{dead} is dead, not pending" in err and "python -m ops outbox replay" in err
    assert snapshot(store_url) == before


def test_replay_puts_a_dead_row_back(store_url: str, rows, capsys) -> None:
    [dead] = rows["dead"]
    assert ops("replay", dead, url=store_url) == 0
    assert "replayed 1 dead row(s)" in capsys.readouterr().out
    row = snapshot(store_url)[dead]
    assert (row.status, row.attempts) == ("pending", 0)


def test_retry_needs_ids_or_all_pending(store_url: str, rows, capsys) -> None:
    assert ops("retry", url=store_url) == 2
    assert "--all-pending" in capsys.readouterr().err
    assert ops("retry", "42", url=store_url) == 2
    assert "not webhook ids: 42" in capsys.readouterr().err

"""`python -m delivery --once`: every pending row is tried once, now; then it reports and
exits, even when the endpoint keeps failing (it does not follow the retry schedule)."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web

from store import Store
from tests.delivery.receiver import SECRET, Receiver
from tests.store.support import save_calls

REPO = Path(__file__).resolve().parents[2]


async def run_once(store_url: str, url: str, *args: str, cwd: Path) -> tuple[int, str, str]:
    """The operator's command, with the default (minutes, then hours) retry schedule."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(REPO),
        "DATABASE_URL": store_url,
        "WEBHOOK_URL": url,
        "WEBHOOK_SECRET": SECRET,
    }
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "delivery", "--once", *args),
        cwd=cwd,  # no .env.local here: only the environment above applies
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:  # a guard against the old behaviour (waiting out the schedule), not a timing check
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError("`python -m delivery --once` did not exit") from None
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def backed_off(store: Store, count: int) -> list[str]:
    """Rows whose first attempt failed an hour ago: their next attempt is hours away."""
    ids = await save_calls(store, count)
    claimed = await store.claim_outbox(sender_id="earlier", limit=1000, lease_seconds=30)
    later = datetime.now(UTC) + timedelta(hours=2)
    for wid in ids:
        await store.mark_failed(
            wid, sender_id="earlier", error="HTTP 502", status=502, next_attempt_at=later
        )
    await store.release([r.webhook_id for r in claimed], sender_id="earlier")
    return ids


async def test_once_against_a_failing_endpoint_tries_each_row_once_and_exits_1(
    store: Store, store_url: str, receiver: Receiver, tmp_path: Path
) -> None:
    due_now = await save_calls(store, 2)
    waiting = await backed_off(store, 2)

    async def unavailable(_wid: str, _n: int) -> web.StreamResponse:
        return web.Response(status=503)

    receiver.behaviour = unavailable
    code, out, _ = await run_once(store_url, receiver.url, cwd=tmp_path)

    assert code == 1
    assert dict(receiver.attempts) == dict.fromkeys(due_now + waiting, 1)  # each once
    assert "tried 4 row(s): 0 delivered, 4 failed and will be retried" in out
    assert "4 x HTTP 503" in out
    assert "outbox now: 4 pending, 0 delivered, 0 dead" in out
    for row in await store.outbox_rows(status="pending"):
        assert row.last_status == 503 and row.next_attempt_at > row.last_attempt_at
    assert {r.webhook_id: r.attempts for r in await store.outbox_rows()} == {
        **dict.fromkeys(due_now, 1),
        **dict.fromkeys(waiting, 2),
    }


async def test_once_with_nothing_listening_exits_1_and_says_why(
    store: Store, store_url: str, receiver: Receiver, tmp_path: Path
) -> None:
    await save_calls(store, 3)
    await receiver.stop()  # connection refused

    code, out, _ = await run_once(store_url, receiver.url, cwd=tmp_path)

    assert code == 1
    assert "3 x connection failed" in out
    assert "3 row(s) still pending" in out
    assert await store.outbox_counts() == {"pending": 3, "delivered": 0, "dead": 0}


async def test_once_delivers_rows_waiting_out_a_retry_delay_and_exits_0(
    store: Store, store_url: str, receiver: Receiver, tmp_path: Path
) -> None:
    ids = await save_calls(store, 1) + await backed_off(store, 3)

    code, out, _ = await run_once(store_url, receiver.url, cwd=tmp_path)

    assert code == 0, out
    assert set(receiver.accepted) == set(ids)
    assert "tried 4 row(s): 4 delivered" in out
    assert await store.outbox_counts() == {"pending": 0, "delivered": 4, "dead": 0}


async def test_once_counts_a_row_that_dies_now_as_a_failure(
    store: Store, store_url: str, receiver: Receiver, tmp_path: Path
) -> None:
    [wid] = await save_calls(store, 1)
    for _ in range(10):  # the default schedule has 10 retries: the next attempt is the last
        await store.claim_outbox(sender_id="earlier", limit=1, lease_seconds=30)
        await store.mark_failed(
            wid,
            sender_id="earlier",
            error="HTTP 500",
            status=500,
            next_attempt_at=datetime.now(UTC) - timedelta(seconds=1),
        )

    async def broken(_wid: str, _n: int) -> web.StreamResponse:
        return web.Response(status=500)

    receiver.behaviour = broken
    code, out, _ = await run_once(store_url, receiver.url, cwd=tmp_path)

    assert code == 1
    assert "1 failed for the last time (dead)" in out
    assert "python -m ops outbox replay" in out
    assert await store.outbox_counts() == {"pending": 0, "delivered": 0, "dead": 1}


async def test_max_seconds_without_once_is_refused(store_url: str, tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "delivery", "--max-seconds", "5"),
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO)},
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    assert "--max-seconds applies to --once only" in err.decode()

"""Crash safety: a `python -m delivery` process killed with SIGKILL mid-batch, restarted."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from aiohttp import web

from store import Store
from tests.delivery.receiver import SECRET, Receiver, wait_for
from tests.store.support import save_calls

REPO = Path(__file__).resolve().parents[2]


async def start_sender(store_url: str, receiver: Receiver, *args: str, cwd: Path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(REPO),
        "DATABASE_URL": store_url,
        "WEBHOOK_URL": receiver.url,
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_RETRY_SCHEDULE": "0.05,0.05,0.05,0.05,0.05",
        "WEBHOOK_TIMEOUT_SECONDS": "5",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "delivery",
        "--batch-size",
        "4",
        "--lease-seconds",
        "1",
        "--poll-seconds",
        "0.1",
        *args,
        cwd=cwd,  # no .env.local here: only the environment above applies
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def test_sigkill_mid_batch_then_restart_delivers_every_record(
    store: Store, store_url: str, receiver: Receiver, tmp_path: Path
) -> None:
    ids = await save_calls(store, 24)

    async def slow_ok(wid: str, n: int) -> web.StreamResponse:
        await asyncio.sleep(0.15)
        return web.Response(status=200)

    receiver.behaviour = slow_ok
    first = await start_sender(store_url, receiver, cwd=tmp_path)
    try:
        # kill it while a batch is on the wire, after some rows were delivered
        await wait_for(lambda: receiver.total_accepted() >= 4 and bool(receiver.in_flight))
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    assert first.returncode == -signal.SIGKILL
    counts = await store.outbox_counts()
    assert counts["pending"] > 0  # it really died half-way

    second = await start_sender(store_url, receiver, "--once", "--max-seconds", "30", cwd=tmp_path)
    output, _ = await asyncio.wait_for(second.communicate(), timeout=60)
    assert second.returncode == 0, output.decode()

    assert await store.outbox_counts() == {"pending": 0, "delivered": 24, "dead": 0}
    assert receiver.bad_signatures == 0
    assert set(receiver.accepted) == set(ids)  # at least once each...
    for bodies in receiver.accepted.values():  # ...and any duplicate is the same message
        assert len(set(bodies)) == 1

"""Benchmark 4: delivery of call records, from call end to the receiver's 2xx, on loopback.

How it is measured, per store (SQLite file; PostgreSQL in a fresh schema, dropped after):

- receiver: `benchmarks.receiver` in its own process on 127.0.0.1, verifying every
  signature, noting `time.monotonic()` (CLOCK_MONOTONIC, machine-wide) as it answers 200;
- latency, notified sender: the `OutboxSender` runs in this process as
  `delivery/__init__.py` documents (`sender.start()`, `sender.notify()` right after
  `store.save_call()`); calls end at a steady pace (open loop) and each latency is the
  receiver's answer time minus the time just before `save_call` (so the store write counts);
- latency, worker sender: as `agent.py` deploys it: one sender per worker polling every
  `delivery.sender.WORKER_POLL_SECONDS`, no `notify()` (jobs are child processes that only
  write to the store); calls end
  at random gaps (0.05-0.15 s) so they fall at random phases of the polling cycle;
- latency, polling sender (full run only): the same at `python -m delivery`'s default
  polling interval (a separate sender process, e.g. beside a PostgreSQL fleet);
- throughput: a backlog of N stored records drained by one sender (`drain()`, the same
  `run_once` batches as the background loop) at the default batch size and at 50; rate =
  N / wall time from the first claim to the last 2xx recorded in the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks.common import percentile
from delivery.sender import WORKER_POLL_SECONDS

POSTGRES_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
SECRET = "whsec_" + __import__("base64").b64encode(secrets.token_bytes(24)).decode()
ROOT = Path(__file__).resolve().parent.parent
# agent.py's start_delivery(): one sender per worker, in the main process, polling every
# WORKER_POLL_SECONDS (jobs run in child processes and only write to the store: no notify()).
WORKER_CALLS, WORKER_CALLS_QUICK = 150, 20


@dataclass
class DeliveryResult:
    backend: str
    measured: bool = True
    reason: str = ""
    notified_latency_ms: list[list[float]] = field(default_factory=list)  # per repeat
    worker_latency_ms: list[float] = field(default_factory=list)
    polling_latency_ms: list[float] = field(default_factory=list)
    throughput_per_s: dict[str, list[float]] = field(default_factory=dict)  # batch -> repeats
    save_call_per_s: list[float] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        if not self.measured:
            return {"measured": False, "reason": self.reason}
        pooled = [x for rep in self.notified_latency_ms for x in rep]
        out: dict[str, Any] = {
            "measured": True,
            "notified_p50_ms": percentile(pooled, 50),
            "notified_p95_ms": percentile(pooled, 95),
            "notified_p95_ms_per_repeat": [percentile(r, 95) for r in self.notified_latency_ms],
            "notified_p50_ms_per_repeat": [percentile(r, 50) for r in self.notified_latency_ms],
            "throughput_per_s": {
                b: {"median": statistics.median(v), "min": min(v), "max": max(v)}
                for b, v in self.throughput_per_s.items()
            },
            "save_call_per_s_median": statistics.median(self.save_call_per_s),
            **self.settings,
        }
        if self.worker_latency_ms:
            out["worker_p50_ms"] = percentile(self.worker_latency_ms, 50)
            out["worker_p95_ms"] = percentile(self.worker_latency_ms, 95)
            out["worker_calls"] = len(self.worker_latency_ms)
        if self.polling_latency_ms:
            out["polling_p50_ms"] = percentile(self.polling_latency_ms, 50)
            out["polling_p95_ms"] = percentile(self.polling_latency_ms, 95)
        return out


def _record(i: int):
    from store import CallRecord

    end = datetime.now(UTC)
    return CallRecord(
        job_id=f"AJ_bench_{i}_{secrets.token_hex(3)}",
        room_id=f"RM_bench_{i}",
        room=f"bench-room-{i}",
        started_at=end - timedelta(minutes=3),
        ended_at=end,
        summary="The caller asked about a double charge on invoice 1042; billing recorded it "
        "and the manager issued a 20 USD credit.",
        results={"billing_issue": {"invoice_number": "1042", "disputed_amount": 20.0}},
        status="caller_hung_up",
        ended_reason="caller_hung_up",
        ended_stage="conversation",
        ended_by="caller",
        consent={
            "decision": True,
            "method": "voice",
            "ending": "answered",
            "matched": "affirmative:yes",
            "confirmed": False,
            "wording_version": "0123456789abcdef",
            "asked_at": end - timedelta(minutes=3),
            "answered_at": end - timedelta(minutes=3) + timedelta(seconds=9),
            "recorded": True,
            "withdrawn_at": None,
        },
        events=[
            {"type": "consent", "decision": True, "at": end},
            {"type": "routing", "to": "billing", "at": end},
            {"type": "escalation", "to": "manager", "at": end},
            {"type": "grant", "kind": "credit", "amount": "20.00", "currency": "USD", "at": end},
        ],
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.asynccontextmanager
async def receiver() -> AsyncIterator[str]:
    """The receiver process; yields its base URL."""
    port = _free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.receiver",
        str(port),
        SECRET,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 20)
        if line.strip() != b"ready":
            raise RuntimeError("the benchmark receiver did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(proc.wait(), 5)


async def _stats(http: aiohttp.ClientSession, base: str) -> dict[str, Any]:
    async with http.get(f"{base}/stats") as r:
        return await r.json()


async def _wait_answered(
    http: aiohttp.ClientSession, base: str, wids: set[str], within: float
) -> dict[str, float]:
    deadline = time.monotonic() + within
    while True:
        stats = await _stats(http, base)
        answered = stats["answered"]
        if wids <= answered.keys() or time.monotonic() > deadline:
            if stats["bad"]:
                raise RuntimeError(f"receiver rejected {stats['bad']} signature(s)")
            return answered
        await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def _store(backend: str) -> AsyncIterator[Any]:
    from store import open_store

    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            store = await open_store(f"sqlite:///{Path(tmp) / 'bench.db'}")
            try:
                yield store
            finally:
                await store.close()
        return
    import psycopg
    from psycopg import sql

    schema = f"bench_{secrets.token_hex(4)}"
    sep = "&" if "?" in POSTGRES_URL else "?"
    store = await open_store(f"{POSTGRES_URL}{sep}schema={schema}")
    try:
        yield store
    finally:
        await store.close()
        async with await psycopg.AsyncConnection.connect(POSTGRES_URL, autocommit=True) as conn:
            await conn.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            )


async def postgres_available() -> tuple[bool, str]:
    try:
        import psycopg

        conn = await psycopg.AsyncConnection.connect(POSTGRES_URL, connect_timeout=3)
        await conn.close()
        return True, ""
    except Exception as exc:
        return False, f"not measured: no PostgreSQL at {POSTGRES_URL} ({type(exc).__name__})"


def _settings(base: str):
    from config.delivery import DeliverySettings

    return DeliverySettings(webhook_url=f"{base}/hooks", webhook_secret=SECRET)


async def _latency(
    store: Any,
    base: str,
    http: aiohttp.ClientSession,
    *,
    calls: int,
    gap: float,
    notify: bool,
    poll: float,
) -> list[float]:
    from delivery.sender import OutboxSender

    await http.post(f"{base}/reset")
    sender = OutboxSender(store, _settings(base), poll_interval=poll)
    sender.start()
    ended: dict[str, float] = {}
    try:
        await asyncio.sleep(0.05)
        for i in range(calls):
            t0 = time.monotonic()
            wid = await store.save_call(_record(i))
            if notify:
                sender.notify()
            ended[wid] = t0
            # Notified: a steady pace. Polling: random gaps, so calls end at random phases of
            # the sender's polling cycle.
            await asyncio.sleep(gap if notify else gap * (0.5 + secrets.randbelow(1000) / 1000))
        answered = await _wait_answered(http, base, set(ended), within=30)
    finally:
        await sender.aclose()
    missing = set(ended) - answered.keys()
    if missing:
        raise RuntimeError(f"{len(missing)} record(s) never reached the receiver")
    return [(answered[w] - t) * 1000 for w, t in ended.items()]


async def _throughput(
    store: Any, base: str, http: aiohttp.ClientSession, *, n: int, batch: int
) -> tuple[float, float]:
    from delivery.sender import OutboxSender

    await http.post(f"{base}/reset")
    t0 = time.monotonic()
    for i in range(n):
        await store.save_call(_record(i))
    save_rate = n / (time.monotonic() - t0)
    sender = OutboxSender(store, _settings(base), batch_size=batch)
    try:
        start = time.monotonic()
        stats = await sender.drain(max_seconds=120)
        elapsed = time.monotonic() - start
    finally:
        await sender.aclose()
    if stats.delivered < n:
        raise RuntimeError(f"only {stats.delivered} of {n} delivered")
    return n / elapsed, save_rate


async def measure(*, quick: bool = False) -> list[DeliveryResult]:
    results: list[DeliveryResult] = []
    repeats = 1 if quick else 5
    latency_calls = 30 if quick else 200
    backlog = 200 if quick else 2000
    gap = 0.02  # 50 calls ending per second, open loop
    pg_ok, pg_reason = await postgres_available()
    async with receiver() as base, aiohttp.ClientSession() as http:
        for backend in ("sqlite", "postgresql"):
            result = DeliveryResult(backend=backend)
            results.append(result)
            if backend == "postgresql" and not pg_ok:
                result.measured, result.reason = False, pg_reason
                continue
            result.settings = {
                "latency_calls_per_repeat": latency_calls,
                "calls_ending_per_s": 1 / gap,
                "repeats": repeats,
                "backlog": backlog,
            }
            for _ in range(repeats):
                async with _store(backend) as store:
                    result.notified_latency_ms.append(
                        await _latency(
                            store, base, http, calls=latency_calls, gap=gap, notify=True, poll=2.0
                        )
                    )
            async with _store(backend) as store:
                result.worker_latency_ms = await _latency(
                    store,
                    base,
                    http,
                    calls=WORKER_CALLS_QUICK if quick else WORKER_CALLS,
                    gap=0.1,
                    notify=False,
                    poll=WORKER_POLL_SECONDS,
                )
            if not quick:
                async with _store(backend) as store:
                    result.polling_latency_ms = await _latency(
                        store, base, http, calls=12, gap=1.0, notify=False, poll=WORKER_POLL_SECONDS
                    )
            for batch in (10, 50):
                for _ in range(repeats):
                    async with _store(backend) as store:
                        rate, save_rate = await _throughput(
                            store, base, http, n=backlog, batch=batch
                        )
                    result.throughput_per_s.setdefault(f"batch {batch}", []).append(rate)
                    result.save_call_per_s.append(save_rate)
    return results

"""The background sender: delivers outbox rows to the webhook endpoint, signed.

Runs as its own asyncio task (in the worker, or alone with `python -m delivery`) with its
own HTTP session, so a slow or dead endpoint never touches a call. State lives in the
store: attempts and the next attempt time survive restarts, a claimed row is leased to
one sender, and a row is marked delivered only after a 2xx.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import logging
import os
import random
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import aiohttp
from standardwebhooks import Webhook

from config.delivery import DeliverySettings, is_loopback
from delivery.signing import signed_headers
from store import OutboxRow, Store

logger = logging.getLogger("delivery.sender")

USER_AGENT = "consent-phone-agent-webhooks/1"
MAX_RETRY_AFTER_SECONDS = 24 * 3600.0
# A sender can't be woken by calls that write from other processes (the worker's job
# processes, other hosts of a fleet): it looks for new rows this often, an indexed query
# of a few hundred microseconds. It bounds the time from a call's end to the first attempt.
WORKER_POLL_SECONDS = 0.1


@dataclass
class SendStats:
    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    dead: int = 0
    released: int = 0
    endpoint_disabled: bool = False
    timed_out: bool = False
    errors: Counter[str] = field(default_factory=Counter)  # failed attempts by reason

    def add(self, other: SendStats) -> None:
        self.claimed += other.claimed
        self.delivered += other.delivered
        self.retrying += other.retrying
        self.dead += other.dead
        self.released += other.released
        self.endpoint_disabled = self.endpoint_disabled or other.endpoint_disabled
        self.timed_out = self.timed_out or other.timed_out
        self.errors.update(other.errors)


@dataclass(frozen=True)
class Outcome:
    """What one HTTP attempt came to."""

    ok: bool
    status: int | None = None
    error: str = ""
    retry_after: float | None = None
    gone: bool = False


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def next_delay(
    attempts: int,
    schedule: tuple[float, ...],
    *,
    retry_after: float | None = None,
    rand: Callable[[], float] = random.random,
) -> float | None:
    """Delay before the next attempt after `attempts` failed ones, or None when the schedule
    is exhausted (dead letter). The scheduled delay gets ±20 % jitter, so rows that failed
    together don't retry together; a Retry-After longer than that wins (capped at a day)."""
    if attempts > len(schedule):
        return None
    delay = schedule[attempts - 1] * (0.8 + 0.4 * rand())
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER_SECONDS))
    return delay


def _describe_error(exc: BaseException, timeout: float) -> str:
    """A short, secret-free description of a transport failure."""
    if isinstance(exc, TimeoutError | asyncio.TimeoutError | aiohttp.ServerTimeoutError):
        return f"timed out after {timeout:g}s"
    if isinstance(exc, aiohttp.ClientConnectorError):
        reason = exc.os_error.strerror if exc.os_error and exc.os_error.strerror else "failed"
        return f"connection failed: {reason}"
    if isinstance(exc, aiohttp.ClientError):
        return f"HTTP client error: {type(exc).__name__}"
    return f"unexpected error: {type(exc).__name__}"


@dataclass
class OutboxSender:
    """Delivers the store's outbox to `settings.webhook_url`.

    `start()` runs it in the background until `aclose()`; `run_once()` sends one batch;
    `try_all_once()` tries every pending row once, now (`python -m delivery --once`);
    `drain()` keeps going, retry after retry, until nothing is pending (tests, benchmarks).
    """

    store: Store
    settings: DeliverySettings
    sender_id: str = field(
        default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{os.urandom(3).hex()}"
    )
    batch_size: int = 10
    poll_interval: float = 2.0
    lease_seconds: float | None = None
    rand: Callable[[], float] = random.random

    _session: aiohttp.ClientSession | None = field(default=None, init=False, repr=False)
    _task: asyncio.Task[None] | None = field(default=None, init=False, repr=False)
    _wake: asyncio.Event = field(default_factory=asyncio.Event, init=False, repr=False)
    _in_flight: set[str] = field(default_factory=set, init=False, repr=False)

    def __post_init__(self) -> None:
        url = self.settings.webhook_url
        if url is None or self.settings.webhook_secret is None:
            raise ValueError("WEBHOOK_URL and WEBHOOK_SECRET must be set to deliver call records")
        parts = urlsplit(url)
        if (
            parts.scheme != "https"
            and not is_loopback(parts.hostname)
            and not self.settings.webhook_allow_http
        ):
            raise ValueError(
                "WEBHOOK_URL must be https:// for non-loopback hosts (or set WEBHOOK_ALLOW_HTTP)"
            )
        self._url = url
        self._webhook = Webhook(self.settings.webhook_secret.get_secret_value())
        self._timeout = self.settings.webhook_timeout_seconds
        if self.lease_seconds is None:
            self.lease_seconds = self._timeout + 30.0

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> asyncio.Task[None]:
        """Run in the background on the current event loop (idempotent)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="outbox-sender")
        return self._task

    def notify(self) -> None:
        """Look at the outbox now (e.g. right after `store.save_call`)."""
        self._wake.set()

    async def aclose(self) -> None:
        """Stop; rows leased but not yet sent are handed back for the next sender."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._in_flight:
            with contextlib.suppress(Exception):
                await self.store.release(sorted(self._in_flight), sender_id=self.sender_id)
            self._in_flight.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        logger.info("delivering call records to %s", self._display_url())
        while True:
            try:
                if await self.store.endpoint_state(self._url) is not None:
                    await self._sleep(max(self.poll_interval, 30.0))
                    continue
                stats = await self.run_once()
                if stats.claimed:
                    continue
                await self._sleep(await self._idle_seconds())
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("outbox sender iteration failed; retrying")
                await self._sleep(self.poll_interval)

    async def _idle_seconds(self) -> float:
        due = await self.store.next_due_at()
        if due is None:
            return self.poll_interval
        wait = (due - datetime.now(UTC)).total_seconds()
        return min(max(wait, 0.01), self.poll_interval)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        self._wake.clear()

    def _display_url(self) -> str:
        parts = urlsplit(self._url)
        return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}{parts.path}"

    # -- one batch ------------------------------------------------------------------------

    async def run_once(self, *, due_by: datetime | None = None) -> SendStats:
        """Claim one batch of rows due by `due_by` (default: now) and attempt each once,
        concurrently."""
        stats = SendStats()
        if await self.store.endpoint_state(self._url) is not None:
            stats.endpoint_disabled = True
            return stats
        assert self.lease_seconds is not None
        rows = await self.store.claim_outbox(
            sender_id=self.sender_id,
            limit=self.batch_size,
            lease_seconds=self.lease_seconds,
            due_by=due_by,
        )
        stats.claimed = len(rows)
        if not rows:
            return stats
        self._in_flight.update(r.webhook_id for r in rows)
        try:
            outcomes = await asyncio.gather(*(self._attempt(r) for r in rows))
            gone = any(o.gone for o in outcomes)
            for row, outcome in zip(rows, outcomes, strict=True):
                await self._record(row, outcome, stats, gone=gone)
        finally:
            self._in_flight.difference_update(r.webhook_id for r in rows)
        return stats

    async def try_all_once(self, *, max_seconds: float | None = None) -> SendStats:
        """Attempt every row pending now once, right away: rows that are due and rows
        waiting out a retry delay alike. A failed attempt counts and is rescheduled (or
        dead-lettered) as usual; it is not retried within this call. A row leased to another
        sender is left to it until its lease ends, then tried unless that sender dealt with
        it. Returns early when the endpoint is disabled, or after `max_seconds` (then
        `timed_out` is set)."""
        started = datetime.now(UTC)
        await self.store.retry_pending(now=started)
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        total = SendStats()
        waiting_logged = False
        while True:
            if deadline is not None and time.monotonic() >= deadline:
                total.timed_out = True
                return total
            stats = await self.run_once(due_by=started)
            total.add(stats)
            if stats.endpoint_disabled:
                return total
            if stats.claimed:
                continue
            # Nothing claimable: done, unless rows due by `started` are leased elsewhere.
            due = await self.store.next_due_at(due_by=started)
            if due is None:
                return total
            wait = min(max((due - datetime.now(UTC)).total_seconds(), 0.01), self.poll_interval)
            if deadline is not None:
                wait = min(wait, max(deadline - time.monotonic(), 0.0))
            if not waiting_logged:
                logger.info("waiting for rows another sender holds (until %s at most)", due)
                waiting_logged = True
            await asyncio.sleep(wait)

    async def drain(self, *, max_seconds: float | None = None) -> SendStats:
        """Send until no row is pending (or the endpoint is disabled, or `max_seconds` pass).
        Waits for retries that are due later, so use a short schedule in tests."""
        total = SendStats()
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        while True:
            stats = await self.run_once()
            total.add(stats)
            if stats.endpoint_disabled:
                return total
            if stats.claimed:
                continue
            if (await self.store.outbox_counts())["pending"] == 0:
                return total
            wait = await self._idle_seconds()
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return total
                wait = min(wait, remaining)
            await asyncio.sleep(wait)

    def _session_for_loop(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout),
                headers={"User-Agent": USER_AGENT},
            )
        return self._session

    def signed_headers(self, row: OutboxRow, *, now: float | None = None) -> dict[str, str]:
        return signed_headers(
            self._webhook,
            msg_id=row.webhook_id,
            payload=row.payload,
            now=now,
            extra=self.settings.extra_headers(),
        )

    async def _attempt(self, row: OutboxRow) -> Outcome:
        session = self._session_for_loop()
        try:
            async with session.post(
                self._url,
                data=row.payload.encode(),
                headers=self.signed_headers(row),
                allow_redirects=False,
            ) as response:
                status = response.status
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                await response.read()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return Outcome(ok=False, error=_describe_error(exc, self._timeout))
        if 200 <= status < 300:
            return Outcome(ok=True, status=status)
        if status == 410:
            return Outcome(ok=False, status=status, error="410 Gone", gone=True)
        return Outcome(ok=False, status=status, error=f"HTTP {status}", retry_after=retry_after)

    async def _record(self, row: OutboxRow, outcome: Outcome, stats: SendStats, *, gone: bool):
        wid = row.webhook_id
        if not outcome.ok:
            stats.errors[outcome.error] += 1
        if outcome.ok:
            if await self.store.mark_delivered(
                wid, sender_id=self.sender_id, status=outcome.status
            ):  # type: ignore[arg-type]
                stats.delivered += 1
                logger.info("delivered %s (HTTP %s)", wid, outcome.status)
            else:
                logger.warning("delivered %s but its lease had passed to another sender", wid)
            return
        if outcome.gone or (gone and not outcome.ok):
            # 410: the receiver says this endpoint is gone. Keep every row pending, stop
            # sending to it until an operator re-enables it (python -m ops endpoint enable).
            if outcome.gone and not stats.endpoint_disabled:
                await self.store.disable_endpoint(self._url, "410 Gone")
                logger.error(
                    "endpoint %s answered 410 Gone: delivery disabled, records kept pending; "
                    "re-enable with `python -m ops endpoint enable`",
                    self._display_url(),
                )
            stats.endpoint_disabled = True
            stats.released += await self.store.release(
                [wid], sender_id=self.sender_id, note=outcome.error or None
            )
            return
        attempts = row.attempts + 1
        delay = next_delay(
            attempts,
            self.settings.webhook_retry_schedule,
            retry_after=outcome.retry_after,
            rand=self.rand,
        )
        now = datetime.now(UTC)
        next_at = None if delay is None else now + timedelta(seconds=delay)
        await self.store.mark_failed(
            wid,
            sender_id=self.sender_id,
            error=outcome.error,
            status=outcome.status,
            next_attempt_at=next_at,
            now=now,
        )
        if delay is None:
            stats.dead += 1
            logger.error(
                "dead-lettered %s after %d attempts (%s); replay with "
                "`python -m ops outbox replay %s`",
                wid,
                attempts,
                outcome.error,
                wid,
            )
        else:
            stats.retrying += 1
            logger.warning(
                "attempt %d for %s failed (%s); retrying in %.3gs",
                attempts,
                wid,
                outcome.error,
                delay,
            )

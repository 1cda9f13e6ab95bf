"""A real webhook receiver on 127.0.0.1: verifies every signature with `standardwebhooks`,
counts deliveries per webhook-id, and misbehaves on request."""

from __future__ import annotations

import asyncio
import base64
import socket
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web
from standardwebhooks import Webhook

from config.delivery import DeliverySettings

SECRET = "whsec_" + base64.b64encode(b"test-secret-0123456789abcdef!!").decode()

# (webhook_id, attempt number for that id at this receiver) -> response
Behaviour = Callable[[str, int], Awaitable[web.StreamResponse]]


async def ok(_wid: str, _n: int) -> web.StreamResponse:
    return web.Response(status=200, text="ok")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Receiver:
    secret: str = SECRET
    port: int = field(default_factory=free_port)
    behaviour: Behaviour = ok
    accepted: dict[str, list[bytes]] = field(default_factory=lambda: defaultdict(list))
    attempts: Counter[str] = field(default_factory=Counter)
    bad_signatures: int = 0
    in_flight: set[str] = field(default_factory=set)
    overlaps: list[str] = field(default_factory=list)
    headers_seen: list[dict[str, str]] = field(default_factory=list)
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hooks", self._handle)
        app.router.add_post("/elsewhere", self._handle)
        self._runner = web.AppRunner(app, handler_cancellation=True)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        try:
            Webhook(self.secret).verify(body, dict(request.headers))
        except Exception:
            self.bad_signatures += 1
            return web.Response(status=400, text="bad signature")
        wid = request.headers["webhook-id"]
        self.headers_seen.append(dict(request.headers))
        if wid in self.in_flight:
            self.overlaps.append(wid)
        self.in_flight.add(wid)
        self.attempts[wid] += 1
        try:
            response = await self.behaviour(wid, self.attempts[wid])
            if 200 <= response.status < 300:
                self.accepted[wid].append(body)
            return response
        finally:
            self.in_flight.discard(wid)

    def total_accepted(self) -> int:
        return sum(len(v) for v in self.accepted.values())


async def wait_for(predicate: Callable[[], bool], *, within: float = 20.0) -> None:
    """Poll until `predicate()` holds (a guard against hangs, not a timing assertion)."""
    async with asyncio.timeout(within):
        while not predicate():  # noqa: ASYNC110 (the predicate reads other tasks' state)
            await asyncio.sleep(0.02)


def delivery_settings(url: str, **overrides) -> DeliverySettings:
    values = {
        "webhook_url": url,
        "webhook_secret": SECRET,
        "webhook_retry_schedule": "0.05,0.05,0.05,0.05,0.05,0.05",
        "webhook_timeout_seconds": 0.5,
        **overrides,
    }
    return DeliverySettings(**values)

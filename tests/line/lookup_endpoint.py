"""A caller-lookup endpoint on 127.0.0.1 that verifies every signature, keeps what it was
sent, and answers as a test tells it (at once, never, with garbage...)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from standardwebhooks import Webhook

from tests.delivery.receiver import SECRET, free_port

Answer = Callable[[], Awaitable[web.StreamResponse]]


def answers(body: Any, status: int = 200) -> Answer:
    async def answer() -> web.StreamResponse:
        text = body if isinstance(body, str) else json.dumps(body)
        return web.Response(status=status, text=text, content_type="application/json")

    return answer


@dataclass
class LookupEndpoint:
    answer: Answer = field(default_factory=lambda: answers({}))
    secret: str = SECRET
    port: int = field(default_factory=free_port)
    received: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    bad_signatures: int = 0
    release: asyncio.Event = field(default_factory=asyncio.Event)  # for `never_in_time`
    waiting: int = 0
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/lookup"

    def settings(self, **more: Any) -> dict[str, Any]:
        return {"lookup_url": self.url, "lookup_secret": self.secret, **more}

    async def __aenter__(self) -> LookupEndpoint:
        app = web.Application()
        app.router.add_post("/lookup", self._handle)
        self._runner = web.AppRunner(app, handler_cancellation=True)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True).start()
        return self

    async def __aexit__(self, *_: Any) -> None:
        self.release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        try:
            Webhook(self.secret).verify(body, dict(request.headers))
        except Exception:
            self.bad_signatures += 1
            return web.Response(status=401)
        self.received.append(json.loads(body))
        self.headers.append(dict(request.headers))
        return await self.answer()

    def never_in_time(self) -> Answer:
        """An answer held back until the test releases it (or the endpoint stops)."""

        async def answer() -> web.StreamResponse:
            self.waiting += 1
            await self.release.wait()
            return web.Response(status=200, text="{}", content_type="application/json")

        return answer

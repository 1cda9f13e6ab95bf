"""A loopback webhook receiver for the delivery benchmark, run as its own process.

    python -m benchmarks.receiver PORT SECRET

Verifies every Standard Webhooks signature (as a real receiver must), answers 200, and
notes `time.monotonic()` just before answering, per webhook-id. `time.monotonic()` is
CLOCK_MONOTONIC, shared by every process on the machine, so the benchmark can subtract
its own timestamps. GET /stats returns {"answered": {webhook_id: t}, "bad": n}.
"""

from __future__ import annotations

import asyncio
import sys
import time

from aiohttp import web
from standardwebhooks import Webhook


def make_app(secret: str) -> web.Application:
    verifier = Webhook(secret)
    answered: dict[str, float] = {}
    bad = 0

    async def hook(request: web.Request) -> web.Response:
        nonlocal bad
        body = await request.read()
        try:
            verifier.verify(body, dict(request.headers))
        except Exception:
            bad += 1
            return web.Response(status=400, text="bad signature")
        answered.setdefault(request.headers["webhook-id"], time.monotonic())
        return web.Response(status=200, text="ok")

    async def stats(_request: web.Request) -> web.Response:
        return web.json_response({"answered": answered, "bad": bad})

    async def reset(_request: web.Request) -> web.Response:
        nonlocal bad
        answered.clear()
        bad = 0
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hooks", hook)
    app.router.add_get("/stats", stats)
    app.router.add_post("/reset", reset)
    return app


async def _serve(port: int, secret: str) -> None:
    runner = web.AppRunner(make_app(secret), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(_serve(int(sys.argv[1]), sys.argv[2]))

"""Benchmark: time to the consent question's first audio, with and without a caller lookup.

How it is measured: each call is a real `AgentSession` on the audio path of the test fakes
(scripted voice, speaker, caller mic; `tests/fakes/audio_call.py`), assembled by the same
`bind_call` as the worker, so a configured LOOKUP_URL is POSTed exactly as on a real call,
to an endpoint on loopback. The time is from `session.start()` to the speaker receiving the
first audio frame of the question. Three configurations, interleaved call by call so load
on the machine hits them alike: no lookup; a lookup that answers at once; a lookup that
never answers within its 800 ms budget (the question must not wait for it).
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from benchmarks.common import percentile
from benchmarks.report import Row, fmt_ms

SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
CONFIGS = ("none", "answers", "too slow")
LABELS = {
    "none": "no lookup",
    "answers": "lookup answering at once",
    "too slow": "lookup slower than its 800 ms budget",
}
# Most a lookup may add to the median time to first audio to count as "unchanged".
TARGET_MS = 5.0


@dataclass
class FirstAudioResult:
    calls: int
    ms: dict[str, list[float]] = field(default_factory=dict)

    def median(self, config: str) -> float:
        return statistics.median(self.ms[config])

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls_per_config": self.calls,
            "median_ms": {c: self.median(c) for c in CONFIGS},
            "p95_ms": {c: percentile(self.ms[c], 95) for c in CONFIGS},
            "raw_ms": self.ms,
        }


class _Endpoint:
    """A lookup endpoint on loopback: answers at once, or holds every answer back."""

    def __init__(self) -> None:
        self.hold = False
        self.released = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/lookup", self._handle)
        self._runner = web.AppRunner(app, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/lookup"

    async def stop(self) -> None:
        self.released.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        await request.read()
        if self.hold:
            await self.released.wait()
        return web.json_response({"display_name": "Ann Lee", "tier": "gold"})


async def _one_call(settings: Any, database: Path) -> float:
    from offline.scripted_llm import Script
    from tests.fakes.audio_call import audio_call

    async with audio_call(Script(), settings=settings, database_path=database) as call:
        started = time.time()
        await call.start()
        first = await call.speaker.starts_playing()
        elapsed = (first.started_at - started) * 1000
        lookup = call.state.lookup_task
        await call.hang_up()
        if lookup is not None:
            await lookup  # ends within its budget; the next call starts clean
    return elapsed


async def measure(calls: int = 30) -> FirstAudioResult:
    from config.settings import load_settings

    endpoint = _Endpoint()
    await endpoint.start()
    lookup = {"lookup_url": endpoint.url, "lookup_secret": SECRET}
    settings = {
        "none": load_settings(),
        "answers": load_settings(lookup=lookup),
        "too slow": load_settings(lookup=lookup),
    }
    result = FirstAudioResult(calls=calls, ms={c: [] for c in CONFIGS})
    try:
        with tempfile.TemporaryDirectory() as folder:
            for config in CONFIGS:  # warm-up: imports, first TCP connection
                await _one_call(settings[config], Path(folder) / "warm.db")
            for n in range(calls):
                for config in CONFIGS:
                    endpoint.hold = config == "too slow"
                    ms = await _one_call(settings[config], Path(folder) / f"{n}-{config}.db")
                    result.ms[config].append(ms)
    finally:
        await endpoint.stop()
    return result


def rows(result: FirstAudioResult) -> list[Row]:
    base = result.median("none")
    out = [
        Row(
            "Consent question: first audio",
            f"session start → first audio, {LABELS['none']} (p50 / p95)",
            f"{fmt_ms(base)} / {fmt_ms(percentile(result.ms['none'], 95))}",
            "—",
            "—",
            "—",
            f"{result.calls} calls per configuration, interleaved; real AgentSession on the "
            "test fakes' audio path",
        )
    ]
    for config in ("answers", "too slow"):
        median = result.median(config)
        added = median - base
        out.append(
            Row(
                "Consent question: first audio",
                f"session start → first audio, {LABELS[config]} (p50 / p95)",
                f"{fmt_ms(median)} / {fmt_ms(percentile(result.ms[config], 95))} "
                f"({added:+.2f} ms p50)",
                f"{fmt_ms(base)} (no lookup)",
                f"≤ +{TARGET_MS:g} ms p50",
                "yes" if added <= TARGET_MS else "**no**",
                "same calls as the row above; the lookup is POSTed to a loopback endpoint "
                "once the question starts playing, as in the worker",
            )
        )
    return out

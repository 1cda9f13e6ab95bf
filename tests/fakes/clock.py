"""A clock for the call's own timers (call/duration.py) that moves only when a test says so.

clock = FakeClock()
async with offline_call(script, clock=clock) as call:
    await clock.advance(29 * 60)      # the wrap-up words are due: they are said
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(order=True)
class _Timer:
    due: float
    order: int
    callback: Callable[[], Any] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


@dataclass
class FakeClock:
    now: float = 0.0
    _timers: list[_Timer] = field(default_factory=list)
    _count: int = 0

    def call_later(self, delay: float, callback: Callable[..., Any], /) -> _Timer:
        self._count += 1
        timer = _Timer(self.now + delay, self._count, callback)
        self._timers.append(timer)
        return timer

    async def advance(self, seconds: float) -> None:
        """Move time on by `seconds`, running each timer that falls due, in order; after
        each, the event loop runs what it started until nothing more is ready."""
        target = self.now + seconds
        while True:
            due = sorted(t for t in self._timers if not t.cancelled and t.due <= target)
            if not due:
                break
            timer = due[0]
            self._timers.remove(timer)
            self.now = timer.due
            timer.callback()
            for _ in range(5):
                await asyncio.sleep(0)
        self.now = target

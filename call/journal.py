"""Writes that must survive, kept off the caller's critical path.

Store writes (consent records, the call record) are started as background tasks the
moment they are known and awaited together by `flush()` in the job's shutdown, before
the process can be torn down. A failed write is logged and kept in `failures`; it never
reaches the caller.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any, Protocol

from store.call_record import CallRecord
from store.records import ConsentRecord

logger = logging.getLogger("consent-agent.journal")


class RecordStore(Protocol):
    async def append_consent(self, record: ConsentRecord) -> Any: ...
    async def save_call(self, record: CallRecord) -> str: ...


class Journal:
    def __init__(self, store: RecordStore) -> None:
        self._store = store
        self._pending: set[asyncio.Task[Any]] = set()
        self.failures: list[str] = []

    def spawn(self, work: Awaitable[Any], *, what: str) -> asyncio.Task[Any]:
        """Run `work` in the background; `flush()` waits for it."""

        async def guarded() -> Any:
            try:
                return await work
            except Exception as exc:
                logger.exception("background write failed: %s", what)
                self.failures.append(f"{what}: {type(exc).__name__}: {exc}")
                return None

        task = asyncio.create_task(guarded(), name=f"journal:{what}")
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        return task

    async def append_consent(self, record: ConsentRecord) -> Any:
        """Append a consent row (await it inside a spawned write)."""
        return await self._store.append_consent(record)

    async def save_call(self, record: CallRecord) -> str:
        """Store the call record and its outbox row (await it inside a spawned write)."""
        return await self._store.save_call(record)

    async def flush(self, within: float = 5.0) -> bool:
        """Wait for every background write; False if some didn't finish in time."""
        deadline = asyncio.get_running_loop().time() + within
        me = asyncio.current_task()  # a journal task may flush the others, not itself
        while others := {t for t in self._pending if t is not me}:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return False
            await asyncio.wait(others, timeout=remaining)
        return True

"""SQLite backend: one file, WAL, synchronous=FULL, one dedicated thread.

Every statement runs on a single worker thread that owns the connection, so the event
loop never waits on disk I/O; a lock gives that connection to one transaction at a time.
Several processes (a worker and `python -m delivery`) may share the file: writers take
`BEGIN IMMEDIATE` and wait up to `busy_timeout` for each other, which is what makes an
outbox claim atomic across processes.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from store.queries import Store
from store.schema import migrate
from store.sql import SQLITE, Row, Tx
from store.url import DatabaseURL

T = TypeVar("T")


class SQLiteStore(Store):
    def __init__(self, path: str, *, busy_timeout_ms: int = 10_000) -> None:
        self._path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-store")
        self._conn: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()
        self._tx = Tx(SQLITE, self._run)
        self._closed = False

    @classmethod
    async def open(cls, url: DatabaseURL) -> SQLiteStore:
        store = cls(url.path)
        try:
            await store._call(store._connect)
            async with store._transaction() as tx:
                await migrate(tx)
        except BaseException:
            await store.close()
            raise
        return store

    def _connect(self) -> None:
        if self._path != ":memory:":
            Path(self._path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            self._path, isolation_level=None, check_same_thread=False, timeout=30
        )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        self._conn = conn

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        if self._closed:
            raise RuntimeError("the store is closed")
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def _execute_now(self, query: str, params: dict[str, Any], fetch: bool) -> list[Row] | int:
        if self._conn is None:
            raise RuntimeError("the store is closed")
        cursor = self._conn.execute(query, params)
        return [dict(r) for r in cursor.fetchall()] if fetch else cursor.rowcount

    async def _run(self, query: str, params: dict[str, Any], fetch: bool) -> list[Row] | int:
        return await self._call(self._execute_now, query, params, fetch)

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Tx]:
        async with self._lock:
            yield self._tx

    @asynccontextmanager
    async def _transaction(self, *, snapshot: bool = False) -> AsyncIterator[Tx]:
        async with self._lock:
            await self._run("BEGIN" if snapshot else "BEGIN IMMEDIATE", {}, False)
            try:
                yield self._tx
            except BaseException:
                await self._run("ROLLBACK", {}, False)
                raise
            await self._run("COMMIT", {}, False)

    async def close(self) -> None:
        if self._closed:
            return

        def _close() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        try:
            async with self._lock:
                await asyncio.get_running_loop().run_in_executor(self._executor, _close)
        finally:
            self._closed = True
            self._executor.shutdown(wait=False)

"""PostgreSQL backend (psycopg 3, async, psycopg_pool), for fleets of workers sharing one store.

`postgresql://user@host/db?schema=name` keeps every table in schema `name` (created if
missing); without it the server's default search_path applies. Outbox rows are claimed
with `SELECT ... FOR UPDATE SKIP LOCKED` and leased with `claimed_until`, so two senders
never hold the same row, and a dead sender's rows are picked up when its lease ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from store.queries import Store
from store.schema import migrate
from store.sql import POSTGRES, Row, Tx
from store.url import DatabaseURL

Connection = psycopg.AsyncConnection[dict[str, Any]]


class PostgresStore(Store):
    def __init__(self, url: DatabaseURL, *, pool_size: int = 3) -> None:
        self._schema = url.schema
        self._pool = AsyncConnectionPool(
            url.conninfo,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True, "row_factory": dict_row, "connect_timeout": 10},
            configure=self._use_schema,
            open=False,
        )

    @classmethod
    async def open(cls, url: DatabaseURL, *, pool_size: int = 3) -> PostgresStore:
        store = cls(url, pool_size=pool_size)
        # Migrate on a connection of its own: an unreachable server or a wrong database
        # is then this error, at once, not a pool timeout later.
        async with await psycopg.AsyncConnection.connect(
            url.conninfo, autocommit=True, row_factory=dict_row, connect_timeout=10
        ) as conn:
            await store._migrate(conn)
        await store._pool.open()
        return store

    async def _use_schema(self, conn: Connection) -> None:
        if self._schema:
            await conn.execute(
                sql.SQL("SET search_path TO {}").format(sql.Identifier(self._schema))
            )

    async def _migrate(self, conn: Connection) -> None:
        async with conn.transaction():
            lock_name = f"consent-agent-schema:{self._schema or ''}"
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (lock_name,))
            if self._schema:
                await conn.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self._schema))
                )
            await self._use_schema(conn)
            await migrate(_tx(conn))

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Tx]:
        async with self._pool.connection() as conn:
            yield _tx(conn)

    @asynccontextmanager
    async def _transaction(self, *, snapshot: bool = False) -> AsyncIterator[Tx]:
        async with self._pool.connection() as conn, conn.transaction():
            if snapshot:
                await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield _tx(conn)

    async def close(self) -> None:
        await self._pool.close()


def _tx(conn: Connection) -> Tx:
    async def run(query: str, params: dict[str, Any], fetch: bool) -> list[Row] | int:
        cursor = await conn.execute(query, params)  # type: ignore[arg-type]
        return await cursor.fetchall() if fetch else cursor.rowcount

    return Tx(POSTGRES, run)

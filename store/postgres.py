"""PostgreSQL backend (psycopg 3, async), for fleets of workers sharing one store.

`postgresql://user@host/db?schema=name` keeps every table in schema `name` (created if
missing); without it the server's default search_path applies. Outbox rows are claimed
with `SELECT ... FOR UPDATE SKIP LOCKED` and leased with `claimed_until`, so two senders
never hold the same row, and a dead sender's rows are picked up when its lease ends.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from store import chain
from store.base import (
    EndpointState,
    OutboxRow,
    OutboxStatus,
    RetentionResult,
    Store,
    StoredConsent,
    _ChainRow,
    check_states,
    consent_row_values,
    endpoint_key,
    format_ts,
    new_webhook_id,
    retention_cutoff,
    stored_consent,
    utcnow,
)
from store.call_record import CallRecord
from store.records import ConsentRecord

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE consent_chain (
            seq BIGINT PRIMARY KEY,
            recorded_at TEXT NOT NULL,
            job_id TEXT NOT NULL,
            content TEXT NOT NULL,
            identity_digest TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE
        )""",
        "CREATE INDEX consent_chain_job ON consent_chain (job_id)",
        "CREATE INDEX consent_chain_recorded ON consent_chain (recorded_at)",
        """CREATE TABLE consent_identity (
            seq BIGINT PRIMARY KEY REFERENCES consent_chain (seq),
            identity TEXT,
            salt TEXT,
            erased_at TIMESTAMPTZ
        )""",
        """CREATE TABLE consent_head (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            seq BIGINT NOT NULL,
            hash TEXT NOT NULL
        )""",
        f"INSERT INTO consent_head (id, seq, hash) VALUES (1, 0, '{chain.GENESIS_HASH}')",
        """CREATE TABLE call_records (
            id BIGSERIAL PRIMARY KEY,
            webhook_id TEXT NOT NULL UNIQUE,
            job_id TEXT NOT NULL,
            room TEXT NOT NULL,
            status TEXT NOT NULL,
            started_at TIMESTAMPTZ NOT NULL,
            ended_at TIMESTAMPTZ NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            payload TEXT NOT NULL
        )""",
        "CREATE INDEX call_records_job ON call_records (job_id)",
        """CREATE TABLE outbox (
            webhook_id TEXT PRIMARY KEY REFERENCES call_records (webhook_id),
            job_id TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at TIMESTAMPTZ NOT NULL,
            next_attempt_at TIMESTAMPTZ NOT NULL,
            claimed_until TIMESTAMPTZ,
            claimed_by TEXT,
            last_attempt_at TIMESTAMPTZ,
            last_status INTEGER,
            last_error TEXT,
            delivered_at TIMESTAMPTZ
        )""",
        "CREATE INDEX outbox_due ON outbox (status, next_attempt_at)",
        """CREATE TABLE endpoint_state (
            key TEXT PRIMARY KEY,
            display TEXT NOT NULL,
            disabled_at TIMESTAMPTZ NOT NULL,
            reason TEXT NOT NULL
        )""",
    ],
]

_OUTBOX_COLUMNS = (
    "o.webhook_id, o.job_id, o.status, o.attempts, o.created_at, o.next_attempt_at, "
    "o.claimed_until, o.claimed_by, o.last_attempt_at, o.last_status, o.last_error, "
    "o.delivered_at"
)


def split_schema(database_url: str) -> tuple[str, str | None]:
    """(conninfo for psycopg, schema or None): `?schema=` is ours, the rest is libpq's."""
    parts = urlsplit(database_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = None
    kept = []
    for key, value in query:
        if key == "schema":
            schema = value
        else:
            kept.append((key, value))
    if schema is not None and not _SCHEMA_NAME.match(schema):
        raise ValueError(
            "the schema in the database URL must be lower-case letters, digits and _, "
            "starting with a letter or _ (at most 63 characters)"
        )
    scheme = "postgresql" if parts.scheme == "postgres" else parts.scheme
    return urlunsplit((scheme, parts.netloc, parts.path, urlencode(kept), "")), schema


def _outbox_row(r: dict[str, Any]) -> OutboxRow:
    return OutboxRow(
        webhook_id=r["webhook_id"],
        job_id=r["job_id"],
        status=r["status"],
        attempts=r["attempts"],
        created_at=r["created_at"],
        next_attempt_at=r["next_attempt_at"],
        claimed_until=r["claimed_until"],
        claimed_by=r["claimed_by"],
        last_attempt_at=r["last_attempt_at"],
        last_status=r["last_status"],
        last_error=r["last_error"],
        delivered_at=r["delivered_at"],
        payload=r.get("payload") or "",
    )


class _Pool:
    """A few lazily opened autocommit connections; a broken one is replaced on next use."""

    def __init__(self, conninfo: str, schema: str | None, size: int) -> None:
        self._conninfo = conninfo
        self._schema = schema
        self._queue: asyncio.Queue[psycopg.AsyncConnection[dict[str, Any]] | None] = asyncio.Queue()
        self._all: list[psycopg.AsyncConnection[dict[str, Any]]] = []
        for _ in range(size):
            self._queue.put_nowait(None)

    async def _connect(self) -> psycopg.AsyncConnection[dict[str, Any]]:
        conn = await psycopg.AsyncConnection.connect(
            self._conninfo, autocommit=True, row_factory=dict_row, connect_timeout=10
        )
        if self._schema:
            await conn.execute(
                sql.SQL("SET search_path TO {}").format(sql.Identifier(self._schema))
            )
        self._all.append(conn)
        return conn

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[dict[str, Any]]]:
        conn = await self._queue.get()
        try:
            if conn is None or conn.closed or conn.broken:
                if conn is not None:
                    self._all.remove(conn)
                conn = None
                conn = await self._connect()
            yield conn
        finally:
            self._queue.put_nowait(conn)

    async def close(self) -> None:
        for conn in self._all:
            await conn.close()
        self._all.clear()


class PostgresStore(Store):
    def __init__(self, conninfo: str, schema: str | None, *, pool_size: int = 3) -> None:
        self._schema = schema
        self._pool = _Pool(conninfo, schema, pool_size)

    @classmethod
    async def open(cls, database_url: str, *, pool_size: int = 3) -> PostgresStore:
        conninfo, schema = split_schema(database_url)
        store = cls(conninfo, schema, pool_size=pool_size)
        try:
            await store._migrate()
        except BaseException:
            await store.close()
            raise
        return store

    async def _migrate(self) -> None:
        async with self._pool.connection() as conn, conn.transaction():
            lock_name = f"consent-agent-schema:{self._schema or ''}"
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (lock_name,))
            if self._schema:
                await conn.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self._schema))
                )
            await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)")
            cur = await conn.execute("SELECT max(version) AS v FROM schema_version")
            current = (await cur.fetchone() or {}).get("v") or 0
            for version, statements in enumerate(MIGRATIONS, start=1):
                if version <= current:
                    continue
                for statement in statements:
                    await conn.execute(statement)  # type: ignore[arg-type]
                await conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))

    async def _fetch(self, query: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        async with self._pool.connection() as conn:
            cur = await conn.execute(query, params)  # type: ignore[arg-type]
            return await cur.fetchall()

    async def _exec(self, query: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        async with self._pool.connection() as conn:
            cur = await conn.execute(query, params)  # type: ignore[arg-type]
            return cur.rowcount

    async def close(self) -> None:
        await self._pool.close()

    # -- consent --------------------------------------------------------------------------

    async def append_consent(self, record: ConsentRecord) -> StoredConsent:
        async with self._pool.connection() as conn, conn.transaction():
            cur = await conn.execute("SELECT seq, hash FROM consent_head WHERE id = 1 FOR UPDATE")
            head = await cur.fetchone()
            assert head is not None
            v = consent_row_values(
                record, seq=head["seq"] + 1, prev_hash=head["hash"], now=utcnow()
            )
            await conn.execute(
                "INSERT INTO consent_chain (seq, recorded_at, job_id, content, identity_digest, "
                "prev_hash, hash) VALUES (%(seq)s, %(recorded_at)s, %(job_id)s, %(content)s, "
                "%(identity_digest)s, %(prev_hash)s, %(hash)s)",
                v,
            )
            await conn.execute(
                "INSERT INTO consent_identity (seq, identity, salt) "
                "VALUES (%(seq)s, %(identity)s, %(salt)s)",
                v,
            )
            await conn.execute(
                "UPDATE consent_head SET seq = %(seq)s, hash = %(hash)s WHERE id = 1", v
            )
        return stored_consent(
            seq=v["seq"],
            recorded_at=v["recorded_at"],
            prev_hash=v["prev_hash"],
            hash=v["hash"],
            content=v["content"],
            identity=v["identity"],
            erased_at=None,
        )

    async def consent_records(
        self, *, job_id: str | None = None, limit: int | None = None
    ) -> list[StoredConsent]:
        query = (
            "SELECT c.seq, c.recorded_at, c.prev_hash, c.hash, c.content, i.identity, "
            "i.erased_at FROM consent_chain c LEFT JOIN consent_identity i ON i.seq = c.seq"
        )
        params: list[Any] = []
        if job_id is not None:
            query += " WHERE c.job_id = %s"
            params.append(job_id)
        query += " ORDER BY c.seq"
        if limit is not None:
            query += " LIMIT %s"
            params.append(limit)
        return [stored_consent(**r) for r in await self._fetch(query, params)]

    async def _chain_rows(self) -> tuple[list[_ChainRow], tuple[int, str]]:
        async with self._pool.connection() as conn, conn.transaction():
            await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cur = await conn.execute(
                "SELECT c.seq, c.recorded_at, c.job_id, c.content, c.identity_digest, "
                "c.prev_hash, c.hash, i.identity, i.salt, i.erased_at FROM consent_chain c "
                "LEFT JOIN consent_identity i ON i.seq = c.seq ORDER BY c.seq"
            )
            rows = await cur.fetchall()
            cur = await conn.execute("SELECT seq, hash FROM consent_head WHERE id = 1")
            head = await cur.fetchone()
        assert head is not None
        return [_ChainRow(**r) for r in rows], (head["seq"], head["hash"])

    async def apply_retention(
        self, *, days: int, now: datetime | None = None, dry_run: bool = False
    ) -> RetentionResult:
        cutoff = retention_cutoff(days, now)
        params = {"cutoff": format_ts(cutoff), "now": now or utcnow()}
        subquery = "(SELECT seq FROM consent_chain WHERE recorded_at < %(cutoff)s)"
        if dry_run:
            rows = await self._fetch(
                "SELECT count(*) AS n FROM consent_identity "
                f"WHERE identity IS NOT NULL AND seq IN {subquery}",
                params,
            )
            return RetentionResult(erased=rows[0]["n"], cutoff=cutoff)
        erased = await self._exec(
            "UPDATE consent_identity SET identity = NULL, salt = NULL, erased_at = %(now)s "
            f"WHERE identity IS NOT NULL AND seq IN {subquery}",
            params,
        )
        return RetentionResult(erased=erased, cutoff=cutoff)

    # -- calls and the outbox -------------------------------------------------------------

    async def save_call(self, record: CallRecord) -> str:
        payload = chain.canonical_json(record.payload())
        webhook_id = new_webhook_id()
        now = utcnow()
        async with self._pool.connection() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO call_records (webhook_id, job_id, room, status, started_at, "
                "ended_at, created_at, payload) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    webhook_id,
                    record.job_id,
                    record.room,
                    record.status,
                    record.started_at,
                    record.ended_at,
                    now,
                    payload,
                ),
            )
            await conn.execute(
                "INSERT INTO outbox (webhook_id, job_id, status, created_at, next_attempt_at) "
                "VALUES (%s, %s, 'pending', %s, %s)",
                (webhook_id, record.job_id, now, now),
            )
        return webhook_id

    async def claim_outbox(
        self,
        *,
        sender_id: str,
        limit: int,
        lease_seconds: float,
        now: datetime | None = None,
        due_by: datetime | None = None,
    ) -> list[OutboxRow]:
        now = now or utcnow()
        rows = await self._fetch(
            "WITH due AS ("
            " SELECT webhook_id FROM outbox"
            " WHERE status = 'pending' AND next_attempt_at <= %(due_by)s"
            " AND (claimed_until IS NULL OR claimed_until < %(now)s)"
            " ORDER BY next_attempt_at, webhook_id LIMIT %(limit)s"
            " FOR UPDATE SKIP LOCKED)"
            " UPDATE outbox o SET claimed_until = %(until)s, claimed_by = %(sender)s"
            " FROM due, call_records r"
            " WHERE o.webhook_id = due.webhook_id AND r.webhook_id = o.webhook_id"
            f" RETURNING {_OUTBOX_COLUMNS}, r.payload",
            {
                "now": now,
                "due_by": due_by or now,
                "until": now + timedelta(seconds=lease_seconds),
                "sender": sender_id,
                "limit": limit,
            },
        )
        return sorted((_outbox_row(r) for r in rows), key=lambda r: r.next_attempt_at)

    async def mark_delivered(
        self, webhook_id: str, *, sender_id: str, status: int, now: datetime | None = None
    ) -> bool:
        n = await self._exec(
            "UPDATE outbox SET status = 'delivered', attempts = attempts + 1, "
            "delivered_at = %(now)s, last_attempt_at = %(now)s, last_status = %(status)s, "
            "last_error = NULL, claimed_until = NULL, claimed_by = NULL "
            "WHERE webhook_id = %(id)s AND claimed_by = %(sender)s AND status = 'pending'",
            {"now": now or utcnow(), "status": status, "id": webhook_id, "sender": sender_id},
        )
        return n == 1

    async def mark_failed(
        self,
        webhook_id: str,
        *,
        sender_id: str,
        error: str,
        status: int | None,
        next_attempt_at: datetime | None,
        now: datetime | None = None,
    ) -> bool:
        now = now or utcnow()
        n = await self._exec(
            "UPDATE outbox SET status = %(new_status)s, attempts = attempts + 1, "
            "next_attempt_at = %(next)s, last_attempt_at = %(now)s, last_status = %(status)s, "
            "last_error = %(error)s, claimed_until = NULL, claimed_by = NULL "
            "WHERE webhook_id = %(id)s AND claimed_by = %(sender)s AND status = 'pending'",
            {
                "new_status": "pending" if next_attempt_at is not None else "dead",
                "next": next_attempt_at or now,
                "now": now,
                "status": status,
                "error": error[:500],
                "id": webhook_id,
                "sender": sender_id,
            },
        )
        return n == 1

    async def release(
        self, webhook_ids: Sequence[str], *, sender_id: str, note: str | None = None
    ) -> int:
        if not webhook_ids:
            return 0
        return await self._exec(
            "UPDATE outbox SET claimed_until = NULL, claimed_by = NULL, "
            "last_error = coalesce(%(note)s, last_error) "
            "WHERE webhook_id = ANY(%(ids)s) AND claimed_by = %(sender)s AND status = 'pending'",
            {"note": note, "ids": list(webhook_ids), "sender": sender_id},
        )

    async def outbox_rows(
        self, *, status: OutboxStatus | None = None, limit: int = 100
    ) -> list[OutboxRow]:
        query = f"SELECT {_OUTBOX_COLUMNS} FROM outbox o"
        params: list[Any] = []
        if status is not None:
            query += " WHERE o.status = %s"
            params.append(status)
        query += " ORDER BY o.created_at, o.webhook_id LIMIT %s"
        params.append(limit)
        return [_outbox_row(r) for r in await self._fetch(query, params)]

    async def outbox_row(self, webhook_id: str) -> OutboxRow | None:
        rows = await self._fetch(
            f"SELECT {_OUTBOX_COLUMNS}, r.payload FROM outbox o "
            "JOIN call_records r ON r.webhook_id = o.webhook_id WHERE o.webhook_id = %s",
            (webhook_id,),
        )
        return _outbox_row(rows[0]) if rows else None

    async def outbox_counts(self) -> dict[str, int]:
        rows = await self._fetch("SELECT status, count(*) AS n FROM outbox GROUP BY status")
        counts = {"pending": 0, "delivered": 0, "dead": 0}
        counts.update({r["status"]: r["n"] for r in rows})
        return counts

    async def next_due_at(self, *, due_by: datetime | None = None) -> datetime | None:
        query = (
            "SELECT min(greatest(next_attempt_at, coalesce(claimed_until, next_attempt_at))) "
            "AS due FROM outbox WHERE status = 'pending'"
        )
        params: tuple[datetime, ...] = ()
        if due_by is not None:
            query += " AND next_attempt_at <= %s"
            params = (due_by,)
        rows = await self._fetch(query, params)
        return rows[0]["due"]

    async def _update_named(
        self, wanted: OutboxStatus, query: str, params: dict[str, Any], ids: Sequence[str] | None
    ) -> int:
        """Run `query` (an UPDATE ending in a WHERE clause) on every row in state `wanted`,
        or, with `ids`, on exactly those rows: all of them in that state, or none."""
        async with self._pool.connection() as conn, conn.transaction():
            if ids is not None:
                cur = await conn.execute(
                    "SELECT webhook_id, status FROM outbox WHERE webhook_id = ANY(%s) FOR UPDATE",
                    (list(ids),),
                )
                found = {r["webhook_id"]: r["status"] for r in await cur.fetchall()}
                check_states(wanted, ids, found)
                query += " AND webhook_id = ANY(%(ids)s)"
                params = {**params, "ids": list(ids)}
            cur = await conn.execute(query, params)  # type: ignore[arg-type]
            return cur.rowcount

    async def replay_dead(self, webhook_ids: Sequence[str] | None = None) -> int:
        return await self._update_named(
            "dead",
            "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = %(now)s, "
            "claimed_until = NULL, claimed_by = NULL WHERE status = 'dead'",
            {"now": utcnow()},
            webhook_ids,
        )

    async def retry_pending(
        self, webhook_ids: Sequence[str] | None = None, *, now: datetime | None = None
    ) -> int:
        return await self._update_named(
            "pending",
            "UPDATE outbox SET next_attempt_at = least(next_attempt_at, %(now)s) "
            "WHERE status = 'pending'",
            {"now": now or utcnow()},
            webhook_ids,
        )

    # -- endpoint state -------------------------------------------------------------------

    async def endpoint_state(self, url: str) -> EndpointState | None:
        key, _ = endpoint_key(url)
        rows = await self._fetch("SELECT * FROM endpoint_state WHERE key = %s", (key,))
        return EndpointState(**rows[0]) if rows else None

    async def disable_endpoint(self, url: str, reason: str, now: datetime | None = None) -> None:
        key, display = endpoint_key(url)
        await self._exec(
            "INSERT INTO endpoint_state (key, display, disabled_at, reason) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (key) DO UPDATE SET "
            "disabled_at = excluded.disabled_at, reason = excluded.reason",
            (key, display, now or utcnow(), reason),
        )

    async def enable_endpoint(self, url: str) -> bool:
        key, _ = endpoint_key(url)
        return await self._exec("DELETE FROM endpoint_state WHERE key = %s", (key,)) == 1

"""SQLite backend: one file, WAL, synchronous=FULL, one dedicated thread.

Every statement runs on a single worker thread that owns the connection, so the event
loop never waits on disk I/O. Several processes (a worker and `python -m delivery`) may
share the file: writers take `BEGIN IMMEDIATE` and wait up to `busy_timeout` for each
other, which is what makes an outbox claim atomic across processes.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

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
    parse_ts,
    retention_cutoff,
    stored_consent,
    utcnow,
)
from store.call_record import CallRecord
from store.records import ConsentRecord

T = TypeVar("T")

MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE consent_chain (
            seq INTEGER PRIMARY KEY,
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
            seq INTEGER PRIMARY KEY REFERENCES consent_chain (seq),
            identity TEXT,
            salt TEXT,
            erased_at TEXT
        )""",
        """CREATE TABLE consent_head (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            seq INTEGER NOT NULL,
            hash TEXT NOT NULL
        )""",
        f"INSERT INTO consent_head (id, seq, hash) VALUES (1, 0, '{chain.GENESIS_HASH}')",
        """CREATE TABLE call_records (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            webhook_id TEXT NOT NULL UNIQUE,
            job_id TEXT NOT NULL,
            room TEXT NOT NULL,
            status TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT NOT NULL,
            created_at TEXT NOT NULL,
            payload TEXT NOT NULL
        )""",
        "CREATE INDEX call_records_job ON call_records (job_id)",
        """CREATE TABLE outbox (
            webhook_id TEXT PRIMARY KEY REFERENCES call_records (webhook_id),
            job_id TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            next_attempt_at TEXT NOT NULL,
            claimed_until TEXT,
            claimed_by TEXT,
            last_attempt_at TEXT,
            last_status INTEGER,
            last_error TEXT,
            delivered_at TEXT
        )""",
        "CREATE INDEX outbox_due ON outbox (status, next_attempt_at)",
        """CREATE TABLE endpoint_state (
            key TEXT PRIMARY KEY,
            display TEXT NOT NULL,
            disabled_at TEXT NOT NULL,
            reason TEXT NOT NULL
        )""",
    ],
]

_OUTBOX_COLUMNS = (
    "o.webhook_id, o.job_id, o.status, o.attempts, o.created_at, o.next_attempt_at, "
    "o.claimed_until, o.claimed_by, o.last_attempt_at, o.last_status, o.last_error, "
    "o.delivered_at"
)


def sqlite_path(database_url: str) -> str:
    if not database_url.startswith("sqlite:///"):
        raise ValueError("an SQLite URL looks like sqlite:///relative/path.db or sqlite:////abs.db")
    path = database_url.removeprefix("sqlite:///").split("?", 1)[0]
    if not path:
        raise ValueError("the SQLite URL names no file: use sqlite:///data/calls.db")
    return path


def _outbox_row(r: sqlite3.Row, payload: str = "") -> OutboxRow:
    return OutboxRow(
        webhook_id=r["webhook_id"],
        job_id=r["job_id"],
        status=r["status"],
        attempts=r["attempts"],
        created_at=parse_ts(r["created_at"]),  # type: ignore[arg-type]
        next_attempt_at=parse_ts(r["next_attempt_at"]),  # type: ignore[arg-type]
        claimed_until=parse_ts(r["claimed_until"]),
        claimed_by=r["claimed_by"],
        last_attempt_at=parse_ts(r["last_attempt_at"]),
        last_status=r["last_status"],
        last_error=r["last_error"],
        delivered_at=parse_ts(r["delivered_at"]),
        payload=payload,
    )


class SQLiteStore(Store):
    def __init__(self, path: str, *, busy_timeout_ms: int = 10_000) -> None:
        self._path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-store")
        self._conn: sqlite3.Connection | None = None
        self._closed = False

    @classmethod
    async def open(cls, database_url: str) -> SQLiteStore:
        store = cls(sqlite_path(database_url))
        try:
            await store._call(store._connect)
        except BaseException:
            await store.close()
            raise
        return store

    # -- plumbing -------------------------------------------------------------------------

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
        with self._tx() as c:
            c.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = c.execute("SELECT max(version) AS v FROM schema_version").fetchone()
            current = row["v"] or 0
            for version, statements in enumerate(MIGRATIONS, start=1):
                if version <= current:
                    continue
                for statement in statements:
                    c.execute(statement)
                c.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn
        if conn is None:
            raise RuntimeError("the store is closed")
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        if self._closed:
            raise RuntimeError("the store is closed")
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        assert self._conn is not None
        return self._conn.execute(sql, params).fetchall()

    async def close(self) -> None:
        if self._closed:
            return

        def _close() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, _close)
        finally:
            self._closed = True
            self._executor.shutdown(wait=False)

    # -- consent --------------------------------------------------------------------------

    async def append_consent(self, record: ConsentRecord) -> StoredConsent:
        def _append() -> dict[str, Any]:
            with self._tx() as c:
                head = c.execute("SELECT seq, hash FROM consent_head WHERE id = 1").fetchone()
                v = consent_row_values(
                    record, seq=head["seq"] + 1, prev_hash=head["hash"], now=utcnow()
                )
                c.execute(
                    "INSERT INTO consent_chain (seq, recorded_at, job_id, content, "
                    "identity_digest, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        v["seq"],
                        v["recorded_at"],
                        v["job_id"],
                        v["content"],
                        v["identity_digest"],
                        v["prev_hash"],
                        v["hash"],
                    ),
                )
                c.execute(
                    "INSERT INTO consent_identity (seq, identity, salt) VALUES (?, ?, ?)",
                    (v["seq"], v["identity"], v["salt"]),
                )
                c.execute(
                    "UPDATE consent_head SET seq = ?, hash = ? WHERE id = 1", (v["seq"], v["hash"])
                )
                return v

        v = await self._call(_append)
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
        sql = (
            "SELECT c.seq, c.recorded_at, c.prev_hash, c.hash, c.content, i.identity, "
            "i.erased_at FROM consent_chain c LEFT JOIN consent_identity i ON i.seq = c.seq"
        )
        params: list[Any] = []
        if job_id is not None:
            sql += " WHERE c.job_id = ?"
            params.append(job_id)
        sql += " ORDER BY c.seq"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = await self._call(self._read, sql, params)
        return [stored_consent(**dict(r)) for r in rows]

    async def _chain_rows(self) -> tuple[list[_ChainRow], tuple[int, str]]:
        def _load() -> tuple[list[_ChainRow], tuple[int, str]]:
            assert self._conn is not None
            self._conn.execute("BEGIN")  # one consistent snapshot
            try:
                rows = self._read(
                    "SELECT c.seq, c.recorded_at, c.job_id, c.content, c.identity_digest, "
                    "c.prev_hash, c.hash, i.identity, i.salt, i.erased_at FROM consent_chain c "
                    "LEFT JOIN consent_identity i ON i.seq = c.seq ORDER BY c.seq"
                )
                head = self._read("SELECT seq, hash FROM consent_head WHERE id = 1")[0]
            finally:
                self._conn.execute("COMMIT")
            return [_ChainRow(**dict(r)) for r in rows], (head["seq"], head["hash"])

        return await self._call(_load)

    async def apply_retention(
        self, *, days: int, now: datetime | None = None, dry_run: bool = False
    ) -> RetentionResult:
        cutoff = retention_cutoff(days, now)

        def _erase() -> int:
            with self._tx() as c:
                where = (
                    "FROM consent_identity WHERE identity IS NOT NULL AND seq IN "
                    "(SELECT seq FROM consent_chain WHERE recorded_at < ?)"
                )
                if dry_run:
                    return c.execute(f"SELECT count(*) {where}", (format_ts(cutoff),)).fetchone()[0]
                cur = c.execute(
                    "UPDATE consent_identity SET identity = NULL, salt = NULL, erased_at = ? "
                    "WHERE identity IS NOT NULL AND seq IN "
                    "(SELECT seq FROM consent_chain WHERE recorded_at < ?)",
                    (format_ts(now or utcnow()), format_ts(cutoff)),
                )
                return cur.rowcount

        return RetentionResult(erased=await self._call(_erase), cutoff=cutoff)

    # -- calls and the outbox -------------------------------------------------------------

    async def save_call(self, record: CallRecord) -> str:
        payload = chain.canonical_json(record.payload())
        webhook_id = new_webhook_id()
        now = format_ts(utcnow())

        def _save() -> None:
            with self._tx() as c:
                c.execute(
                    "INSERT INTO call_records (webhook_id, job_id, room, status, started_at, "
                    "ended_at, created_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        webhook_id,
                        record.job_id,
                        record.room,
                        record.status,
                        format_ts(record.started_at),
                        format_ts(record.ended_at),
                        now,
                        payload,
                    ),
                )
                c.execute(
                    "INSERT INTO outbox (webhook_id, job_id, status, created_at, next_attempt_at) "
                    "VALUES (?, ?, 'pending', ?, ?)",
                    (webhook_id, record.job_id, now, now),
                )

        await self._call(_save)
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
        now_s = format_ts(now)
        due_s = format_ts(due_by or now)
        until = format_ts(now + timedelta(seconds=lease_seconds))

        def _claim() -> list[OutboxRow]:
            with self._tx() as c:
                rows = c.execute(
                    f"SELECT {_OUTBOX_COLUMNS}, r.payload FROM outbox o "
                    "JOIN call_records r ON r.webhook_id = o.webhook_id "
                    "WHERE o.status = 'pending' AND o.next_attempt_at <= ? "
                    "AND (o.claimed_until IS NULL OR o.claimed_until < ?) "
                    "ORDER BY o.next_attempt_at, o.webhook_id LIMIT ?",
                    (due_s, now_s, limit),
                ).fetchall()
                c.executemany(
                    "UPDATE outbox SET claimed_until = ?, claimed_by = ? WHERE webhook_id = ?",
                    [(until, sender_id, r["webhook_id"]) for r in rows],
                )
            return [
                OutboxRow(
                    **{
                        **_outbox_row(r, r["payload"]).__dict__,
                        "claimed_until": parse_ts(until),
                        "claimed_by": sender_id,
                    }
                )
                for r in rows
            ]

        return await self._call(_claim)

    async def mark_delivered(
        self, webhook_id: str, *, sender_id: str, status: int, now: datetime | None = None
    ) -> bool:
        now_s = format_ts(now or utcnow())

        def _mark() -> int:
            with self._tx() as c:
                return c.execute(
                    "UPDATE outbox SET status = 'delivered', attempts = attempts + 1, "
                    "delivered_at = ?, last_attempt_at = ?, last_status = ?, last_error = NULL, "
                    "claimed_until = NULL, claimed_by = NULL "
                    "WHERE webhook_id = ? AND claimed_by = ? AND status = 'pending'",
                    (now_s, now_s, status, webhook_id, sender_id),
                ).rowcount

        return await self._call(_mark) == 1

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
        now_s = format_ts(now or utcnow())
        new_status = "pending" if next_attempt_at is not None else "dead"
        next_s = format_ts(next_attempt_at) if next_attempt_at is not None else now_s

        def _mark() -> int:
            with self._tx() as c:
                return c.execute(
                    "UPDATE outbox SET status = ?, attempts = attempts + 1, next_attempt_at = ?, "
                    "last_attempt_at = ?, last_status = ?, last_error = ?, "
                    "claimed_until = NULL, claimed_by = NULL "
                    "WHERE webhook_id = ? AND claimed_by = ? AND status = 'pending'",
                    (new_status, next_s, now_s, status, error[:500], webhook_id, sender_id),
                ).rowcount

        return await self._call(_mark) == 1

    async def release(
        self, webhook_ids: Sequence[str], *, sender_id: str, note: str | None = None
    ) -> int:
        ids = list(webhook_ids)

        def _release() -> int:
            with self._tx() as c:
                n = 0
                for wid in ids:
                    n += c.execute(
                        "UPDATE outbox SET claimed_until = NULL, claimed_by = NULL, "
                        "last_error = coalesce(?, last_error) "
                        "WHERE webhook_id = ? AND claimed_by = ? AND status = 'pending'",
                        (note, wid, sender_id),
                    ).rowcount
                return n

        return await self._call(_release) if ids else 0

    async def outbox_rows(
        self, *, status: OutboxStatus | None = None, limit: int = 100
    ) -> list[OutboxRow]:
        sql = f"SELECT {_OUTBOX_COLUMNS} FROM outbox o"
        params: list[Any] = []
        if status is not None:
            sql += " WHERE o.status = ?"
            params.append(status)
        sql += " ORDER BY o.created_at, o.webhook_id LIMIT ?"
        params.append(limit)
        return [_outbox_row(r) for r in await self._call(self._read, sql, params)]

    async def outbox_row(self, webhook_id: str) -> OutboxRow | None:
        rows = await self._call(
            self._read,
            f"SELECT {_OUTBOX_COLUMNS}, r.payload FROM outbox o "
            "JOIN call_records r ON r.webhook_id = o.webhook_id WHERE o.webhook_id = ?",
            (webhook_id,),
        )
        return _outbox_row(rows[0], rows[0]["payload"]) if rows else None

    async def outbox_counts(self) -> dict[str, int]:
        rows = await self._call(
            self._read, "SELECT status, count(*) AS n FROM outbox GROUP BY status"
        )
        counts = {"pending": 0, "delivered": 0, "dead": 0}
        counts.update({r["status"]: r["n"] for r in rows})
        return counts

    async def next_due_at(self, *, due_by: datetime | None = None) -> datetime | None:
        sql = (
            "SELECT min(max(next_attempt_at, coalesce(claimed_until, next_attempt_at))) AS due "
            "FROM outbox WHERE status = 'pending'"
        )
        params: tuple[str, ...] = ()
        if due_by is not None:
            sql += " AND next_attempt_at <= ?"
            params = (format_ts(due_by),)
        rows = await self._call(self._read, sql, params)
        return parse_ts(rows[0]["due"])

    def _statuses(self, c: sqlite3.Connection, ids: Sequence[str]) -> dict[str, Any]:
        return {
            wid: row["status"]
            for wid in ids
            for row in c.execute("SELECT status FROM outbox WHERE webhook_id = ?", (wid,))
        }

    async def replay_dead(self, webhook_ids: Sequence[str] | None = None) -> int:
        now_s = format_ts(utcnow())

        def _replay() -> int:
            with self._tx() as c:
                sql = (
                    "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, "
                    "claimed_until = NULL, claimed_by = NULL WHERE status = 'dead'"
                )
                if webhook_ids is None:
                    return c.execute(sql, (now_s,)).rowcount
                check_states("dead", webhook_ids, self._statuses(c, webhook_ids))
                return sum(
                    c.execute(sql + " AND webhook_id = ?", (now_s, wid)).rowcount
                    for wid in dict.fromkeys(webhook_ids)
                )

        return await self._call(_replay)

    async def retry_pending(
        self, webhook_ids: Sequence[str] | None = None, *, now: datetime | None = None
    ) -> int:
        now_s = format_ts(now or utcnow())

        def _retry() -> int:
            with self._tx() as c:
                sql = (
                    "UPDATE outbox SET next_attempt_at = min(next_attempt_at, ?) "
                    "WHERE status = 'pending'"
                )
                if webhook_ids is None:
                    return c.execute(sql, (now_s,)).rowcount
                check_states("pending", webhook_ids, self._statuses(c, webhook_ids))
                return sum(
                    c.execute(sql + " AND webhook_id = ?", (now_s, wid)).rowcount
                    for wid in dict.fromkeys(webhook_ids)
                )

        return await self._call(_retry)

    # -- endpoint state -------------------------------------------------------------------

    async def endpoint_state(self, url: str) -> EndpointState | None:
        key, _ = endpoint_key(url)
        rows = await self._call(self._read, "SELECT * FROM endpoint_state WHERE key = ?", (key,))
        if not rows:
            return None
        r = rows[0]
        return EndpointState(
            key=r["key"],
            display=r["display"],
            disabled_at=parse_ts(r["disabled_at"]),  # type: ignore[arg-type]
            reason=r["reason"],
        )

    async def disable_endpoint(self, url: str, reason: str, now: datetime | None = None) -> None:
        key, display = endpoint_key(url)

        def _disable() -> None:
            with self._tx() as c:
                c.execute(
                    "INSERT INTO endpoint_state (key, display, disabled_at, reason) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
                    "disabled_at = excluded.disabled_at, reason = excluded.reason",
                    (key, display, format_ts(now or utcnow()), reason),
                )

        await self._call(_disable)

    async def enable_endpoint(self, url: str) -> bool:
        key, _ = endpoint_key(url)

        def _enable() -> int:
            with self._tx() as c:
                return c.execute("DELETE FROM endpoint_state WHERE key = ?", (key,)).rowcount

        return await self._call(_enable) == 1

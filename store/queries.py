"""The storage API the agent, the sender and the operator CLI share: every query, once.

A backend (store/sqlite.py, store/postgres.py) only says how to reach its database:
`_connection()` (statements that each commit on their own), `_transaction()`
(statements that commit together, or not at all) and `close()`. Statements are written
in the shim's one SQL (store/sql.py).
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from typing import Any

from store import chain
from store.base import (
    ChainReport,
    EndpointState,
    OutboxRow,
    OutboxStatus,
    RetentionResult,
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
    verify_rows,
)
from store.call_record import CallRecord
from store.records import ConsentRecord
from store.sql import Row, Tx

_OUTBOX_COLUMNS = (
    "o.webhook_id, o.job_id, o.status, o.attempts, o.created_at, o.next_attempt_at, "
    "o.claimed_until, o.claimed_by, o.last_attempt_at, o.last_status, o.last_error, "
    "o.delivered_at"
)
_TIMESTAMPS = ("created_at", "next_attempt_at", "claimed_until", "last_attempt_at", "delivered_at")


def _outbox_row(r: Row) -> OutboxRow:
    """A row of _OUTBOX_COLUMNS (and r.payload, where selected)."""
    return OutboxRow(**{**r, **{k: parse_ts(r[k]) for k in _TIMESTAMPS}})


class Store(abc.ABC):
    """Consent records, call records and the delivery outbox, in one database.

    Open one with `await open_store(database_url)`; every method is a coroutine and none
    blocks the event loop.
    """

    @abc.abstractmethod
    def _connection(self) -> AbstractAsyncContextManager[Tx]:
        """A connection on which each statement commits on its own."""

    @abc.abstractmethod
    def _transaction(self, *, snapshot: bool = False) -> AbstractAsyncContextManager[Tx]:
        """A write transaction (holding the write lock from the start where the database
        has one); with `snapshot`, a read-only one that sees one consistent state."""

    @abc.abstractmethod
    async def close(self) -> None: ...

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _fetch(self, query: str, **params: Any) -> list[Row]:
        async with self._connection() as c:
            return await c.fetch(query, **params)

    async def _execute(self, query: str, **params: Any) -> int:
        async with self._connection() as c:
            return await c.execute(query, **params)

    # -- consent --------------------------------------------------------------------------

    async def append_consent(self, record: ConsentRecord) -> StoredConsent:
        """Append a consent decision to the hash chain (never updated afterwards)."""
        async with self._transaction() as tx:
            [head] = await tx.fetch("SELECT seq, hash FROM consent_head WHERE id = 1 {FOR_UPDATE}")
            v = consent_row_values(
                record, seq=head["seq"] + 1, prev_hash=head["hash"], now=utcnow()
            )
            await tx.execute(
                "INSERT INTO consent_chain (seq, recorded_at, job_id, content, identity_digest, "
                "prev_hash, hash) VALUES (:seq, :recorded_at, :job_id, :content, "
                ":identity_digest, :prev_hash, :hash)",
                **v,
            )
            await tx.execute(
                "INSERT INTO consent_identity (seq, identity, salt) "
                "VALUES (:seq, :identity, :salt)",
                **v,
            )
            await tx.execute("UPDATE consent_head SET seq = :seq, hash = :hash WHERE id = 1", **v)
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
        """Consent rows in chain order (oldest first)."""
        query = (
            "SELECT c.seq, c.recorded_at, c.prev_hash, c.hash, c.content, i.identity, "
            "i.erased_at FROM consent_chain c LEFT JOIN consent_identity i ON i.seq = c.seq"
        )
        if job_id is not None:
            query += " WHERE c.job_id = :job_id"
        query += " ORDER BY c.seq"
        if limit is not None:
            query += " LIMIT :limit"
        rows = await self._fetch(query, job_id=job_id, limit=limit)
        return [stored_consent(**r) for r in rows]

    async def verify_consent_chain(self) -> ChainReport:
        """Recompute every row's hash and link; report the first broken one."""
        async with self._transaction(snapshot=True) as tx:
            rows = await tx.fetch(
                "SELECT c.seq, c.recorded_at, c.job_id, c.content, c.identity_digest, "
                "c.prev_hash, c.hash, i.identity, i.salt, i.erased_at FROM consent_chain c "
                "LEFT JOIN consent_identity i ON i.seq = c.seq ORDER BY c.seq"
            )
            [head] = await tx.fetch("SELECT seq, hash FROM consent_head WHERE id = 1")
        return verify_rows([_ChainRow(**r) for r in rows], (head["seq"], head["hash"]))

    async def apply_retention(
        self, *, days: int, now: datetime | None = None, dry_run: bool = False
    ) -> RetentionResult:
        """Erase caller identity of consent rows recorded more than `days` ago."""
        cutoff = retention_cutoff(days, now)
        old = (
            "WHERE identity IS NOT NULL AND seq IN "
            "(SELECT seq FROM consent_chain WHERE recorded_at < :cutoff)"
        )
        params = {"cutoff": format_ts(cutoff), "now": now or utcnow()}  # recorded_at is text
        if dry_run:
            [row] = await self._fetch(f"SELECT count(*) AS n FROM consent_identity {old}", **params)
            return RetentionResult(erased=row["n"], cutoff=cutoff)
        erased = await self._execute(
            f"UPDATE consent_identity SET identity = NULL, salt = NULL, erased_at = :now {old}",
            **params,
        )
        return RetentionResult(erased=erased, cutoff=cutoff)

    # -- calls and the outbox -------------------------------------------------------------

    async def save_call(self, record: CallRecord) -> str:
        """Store a call record and its outbox row in one transaction; returns the webhook id
        (`msg_...`) the receiver will see on every delivery attempt. No network I/O."""
        call = {
            "id": new_webhook_id(),
            "job_id": record.job_id,
            "room": record.room,
            "status": record.status,
            "started_at": record.started_at,
            "ended_at": record.ended_at,
            "now": utcnow(),
            "payload": chain.canonical_json(record.payload()),
        }
        async with self._transaction() as tx:
            await tx.execute(
                "INSERT INTO call_records (webhook_id, job_id, room, status, started_at, "
                "ended_at, created_at, payload) VALUES (:id, :job_id, :room, :status, "
                ":started_at, :ended_at, :now, :payload)",
                **call,
            )
            await tx.execute(
                "INSERT INTO outbox (webhook_id, job_id, status, created_at, next_attempt_at) "
                "VALUES (:id, :job_id, 'pending', :now, :now)",
                **call,
            )
        return call["id"]

    async def claim_outbox(
        self,
        *,
        sender_id: str,
        limit: int,
        lease_seconds: float,
        now: datetime | None = None,
        due_by: datetime | None = None,
    ) -> list[OutboxRow]:
        """Lease up to `limit` pending rows due by `due_by` (default: now) to `sender_id`
        until now + lease_seconds. A row leased to a live sender is never handed to another
        one: PostgreSQL passes over rows another sender is claiming (SKIP LOCKED); SQLite's
        transaction holds the write lock throughout."""
        now = now or utcnow()
        until = parse_ts(now + timedelta(seconds=lease_seconds))
        async with self._transaction() as tx:
            rows = await tx.fetch(
                f"SELECT {_OUTBOX_COLUMNS}, r.payload FROM outbox o "
                "JOIN call_records r ON r.webhook_id = o.webhook_id "
                "WHERE o.status = 'pending' AND o.next_attempt_at <= :due_by "
                "AND (o.claimed_until IS NULL OR o.claimed_until < :now) "
                "ORDER BY o.next_attempt_at, o.webhook_id LIMIT :limit {SKIP_LOCKED}",
                due_by=due_by or now,
                now=now,
                limit=limit,
            )
            if rows:
                await tx.execute(
                    "UPDATE outbox SET claimed_until = :until, claimed_by = :sender "
                    "WHERE webhook_id IN :ids",
                    until=until,
                    sender=sender_id,
                    ids=[r["webhook_id"] for r in rows],
                )
        return [
            dataclasses.replace(_outbox_row(r), claimed_until=until, claimed_by=sender_id)
            for r in rows
        ]

    async def mark_delivered(
        self, webhook_id: str, *, sender_id: str, status: int, now: datetime | None = None
    ) -> bool:
        """Record a 2xx. Returns False if the lease was lost (another sender took over)."""
        changed = await self._execute(
            "UPDATE outbox SET status = 'delivered', attempts = attempts + 1, "
            "delivered_at = :now, last_attempt_at = :now, last_status = :status, "
            "last_error = NULL, claimed_until = NULL, claimed_by = NULL "
            "WHERE webhook_id = :id AND claimed_by = :sender AND status = 'pending'",
            now=now or utcnow(),
            status=status,
            id=webhook_id,
            sender=sender_id,
        )
        return changed == 1

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
        """Record a failed attempt: retry at `next_attempt_at`, or dead-letter when None."""
        now = now or utcnow()
        changed = await self._execute(
            "UPDATE outbox SET status = :new_status, attempts = attempts + 1, "
            "next_attempt_at = :next, last_attempt_at = :now, last_status = :status, "
            "last_error = :error, claimed_until = NULL, claimed_by = NULL "
            "WHERE webhook_id = :id AND claimed_by = :sender AND status = 'pending'",
            new_status="pending" if next_attempt_at is not None else "dead",
            next=next_attempt_at or now,
            now=now,
            status=status,
            error=error[:500],
            id=webhook_id,
            sender=sender_id,
        )
        return changed == 1

    async def release(
        self, webhook_ids: Sequence[str], *, sender_id: str, note: str | None = None
    ) -> int:
        """Give leased rows back without counting an attempt (shutdown, 410 Gone)."""
        if not webhook_ids:
            return 0
        return await self._execute(
            "UPDATE outbox SET claimed_until = NULL, claimed_by = NULL, "
            "last_error = coalesce(:note, last_error) "
            "WHERE webhook_id IN :ids AND claimed_by = :sender AND status = 'pending'",
            note=note,
            ids=list(webhook_ids),
            sender=sender_id,
        )

    async def outbox_rows(
        self, *, status: OutboxStatus | None = None, limit: int = 100
    ) -> list[OutboxRow]:
        query = f"SELECT {_OUTBOX_COLUMNS} FROM outbox o"
        if status is not None:
            query += " WHERE o.status = :status"
        query += " ORDER BY o.created_at, o.webhook_id LIMIT :limit"
        return [_outbox_row(r) for r in await self._fetch(query, status=status, limit=limit)]

    async def outbox_row(self, webhook_id: str) -> OutboxRow | None:
        rows = await self._fetch(
            f"SELECT {_OUTBOX_COLUMNS}, r.payload FROM outbox o "
            "JOIN call_records r ON r.webhook_id = o.webhook_id WHERE o.webhook_id = :id",
            id=webhook_id,
        )
        return _outbox_row(rows[0]) if rows else None

    async def outbox_counts(self) -> dict[str, int]:
        rows = await self._fetch("SELECT status, count(*) AS n FROM outbox GROUP BY status")
        return {"pending": 0, "delivered": 0, "dead": 0} | {r["status"]: r["n"] for r in rows}

    async def next_due_at(self, *, due_by: datetime | None = None) -> datetime | None:
        """When the earliest pending row becomes claimable (None: nothing pending). With
        `due_by`, only rows due by then count (those leased now: when their lease ends)."""
        query = (
            "SELECT min(CASE WHEN claimed_until > next_attempt_at THEN claimed_until "
            "ELSE next_attempt_at END) AS due FROM outbox WHERE status = 'pending'"
        )
        if due_by is not None:
            query += " AND next_attempt_at <= :due_by"
        [row] = await self._fetch(query, due_by=due_by)
        return parse_ts(row["due"])

    async def _update_named(
        self, wanted: OutboxStatus, query: str, ids: Sequence[str] | None, **params: Any
    ) -> int:
        """Run `query` (an UPDATE ending in a WHERE clause) on every row in state `wanted`,
        or, with `ids`, on exactly those rows: all of them in that state, or none."""
        async with self._transaction() as tx:
            if ids is not None:
                found = await tx.fetch(
                    "SELECT webhook_id, status FROM outbox WHERE webhook_id IN :ids {FOR_UPDATE}",
                    ids=list(ids),
                )
                check_states(wanted, ids, {r["webhook_id"]: r["status"] for r in found})
                query += " AND webhook_id IN :ids"
            return await tx.execute(query, ids=list(ids or ()), **params)

    async def replay_dead(self, webhook_ids: Sequence[str] | None = None) -> int:
        """Put dead rows (all of them when `webhook_ids` is None) back to pending, due now,
        with their attempt count reset. Named rows that are missing or not dead raise
        OutboxStateError, and then nothing changes."""
        return await self._update_named(
            "dead",
            "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = :now, "
            "claimed_until = NULL, claimed_by = NULL WHERE status = 'dead'",
            webhook_ids,
            now=utcnow(),
        )

    async def retry_pending(
        self, webhook_ids: Sequence[str] | None = None, *, now: datetime | None = None
    ) -> int:
        """Make pending rows (all of them when `webhook_ids` is None) due now instead of
        after their retry delay; attempts are kept. Returns how many pending rows there
        were. Named rows that are missing or not pending raise OutboxStateError, and then
        nothing changes."""
        return await self._update_named(
            "pending",
            "UPDATE outbox SET next_attempt_at = CASE WHEN next_attempt_at > :now THEN :now "
            "ELSE next_attempt_at END WHERE status = 'pending'",
            webhook_ids,
            now=now or utcnow(),
        )

    # -- endpoint state (410 Gone) --------------------------------------------------------

    async def endpoint_state(self, url: str) -> EndpointState | None:
        """The endpoint's disabled state, or None when it is enabled."""
        rows = await self._fetch(
            "SELECT key, display, disabled_at, reason FROM endpoint_state WHERE key = :key",
            key=endpoint_key(url)[0],
        )
        if not rows:
            return None
        return EndpointState(**{**rows[0], "disabled_at": parse_ts(rows[0]["disabled_at"])})

    async def disable_endpoint(self, url: str, reason: str, now: datetime | None = None) -> None:
        key, display = endpoint_key(url)
        await self._execute(
            "INSERT INTO endpoint_state (key, display, disabled_at, reason) "
            "VALUES (:key, :display, :now, :reason) ON CONFLICT (key) DO UPDATE SET "
            "disabled_at = excluded.disabled_at, reason = excluded.reason",
            key=key,
            display=display,
            now=now or utcnow(),
            reason=reason,
        )

    async def enable_endpoint(self, url: str) -> bool:
        key, _ = endpoint_key(url)
        return await self._execute("DELETE FROM endpoint_state WHERE key = :key", key=key) == 1

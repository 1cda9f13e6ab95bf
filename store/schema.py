"""The tables, for both databases, and how a store is brought up to date when it opens.

MIGRATIONS[n - 1] makes schema version n; `schema_version` holds the versions applied.
A version, once released, is never edited (existing databases already ran it): to
change the schema, append a new version.
"""

from __future__ import annotations

from store import chain
from store.sql import Tx

MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE consent_chain (
            seq {BIGINT} PRIMARY KEY,
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
            seq {BIGINT} PRIMARY KEY REFERENCES consent_chain (seq),
            identity TEXT,
            salt TEXT,
            erased_at {TIMESTAMP}
        )""",
        """CREATE TABLE consent_head (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            seq {BIGINT} NOT NULL,
            hash TEXT NOT NULL
        )""",
        f"INSERT INTO consent_head (id, seq, hash) VALUES (1, 0, '{chain.GENESIS_HASH}')",
        """CREATE TABLE call_records (
            id {SERIAL_KEY},
            webhook_id TEXT NOT NULL UNIQUE,
            job_id TEXT NOT NULL,
            room TEXT NOT NULL,
            status TEXT NOT NULL,
            started_at {TIMESTAMP} NOT NULL,
            ended_at {TIMESTAMP} NOT NULL,
            created_at {TIMESTAMP} NOT NULL,
            payload TEXT NOT NULL
        )""",
        "CREATE INDEX call_records_job ON call_records (job_id)",
        """CREATE TABLE outbox (
            webhook_id TEXT PRIMARY KEY REFERENCES call_records (webhook_id),
            job_id TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at {TIMESTAMP} NOT NULL,
            next_attempt_at {TIMESTAMP} NOT NULL,
            claimed_until {TIMESTAMP},
            claimed_by TEXT,
            last_attempt_at {TIMESTAMP},
            last_status INTEGER,
            last_error TEXT,
            delivered_at {TIMESTAMP}
        )""",
        "CREATE INDEX outbox_due ON outbox (status, next_attempt_at)",
        """CREATE TABLE endpoint_state (
            key TEXT PRIMARY KEY,
            display TEXT NOT NULL,
            disabled_at {TIMESTAMP} NOT NULL,
            reason TEXT NOT NULL
        )""",
    ],
]


async def migrate(tx: Tx) -> None:
    """Apply the versions `tx`'s database lacks, in one transaction (the caller's)."""
    await tx.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    [row] = await tx.fetch("SELECT max(version) AS v FROM schema_version")
    for version, statements in enumerate(MIGRATIONS, start=1):
        if version > (row["v"] or 0):
            for statement in statements:
                await tx.execute(statement)
            await tx.execute("INSERT INTO schema_version (version) VALUES (:v)", v=version)

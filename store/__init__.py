"""What must survive a crash: consent records, call records and the delivery outbox.

    store = await open_store(settings.store.database_url)
    await store.append_consent(consent_record)
    webhook_id = await store.save_call(call_record)   # record + outbox row, one transaction
    await store.close()

SQLite (`sqlite:///data/calls.db`, the default) or PostgreSQL (`postgresql://...`, for
fleets of workers; add `?schema=name` to keep the tables in their own schema).
"""

from __future__ import annotations

from store.base import (
    OUTBOX_STATUSES,
    ChainReport,
    EndpointState,
    OutboxRow,
    OutboxStateError,
    OutboxStatus,
    RetentionResult,
    Store,
    StoredConsent,
)
from store.call_record import CallRecord
from store.records import CallerInfo, ConsentRecord

__all__ = [
    "OUTBOX_STATUSES",
    "CallRecord",
    "CallerInfo",
    "ChainReport",
    "ConsentRecord",
    "EndpointState",
    "OutboxRow",
    "OutboxStateError",
    "OutboxStatus",
    "RetentionResult",
    "Store",
    "StoredConsent",
    "open_store",
]


async def open_store(database_url: str) -> Store:
    """Open (and create or migrate) the store the URL names."""
    if database_url.startswith("sqlite:///"):
        from store.sqlite import SQLiteStore

        return await SQLiteStore.open(database_url)
    if database_url.startswith(("postgresql://", "postgres://")):
        from store.postgres import PostgresStore

        return await PostgresStore.open(database_url)
    raise ValueError(
        "DATABASE_URL must start with sqlite:/// (a file) or postgresql:// (a server), "
        f"got {database_url.split(':', 1)[0]!r}"
    )

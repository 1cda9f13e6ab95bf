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
    StoredConsent,
)
from store.call_record import CallRecord
from store.queries import Store
from store.records import CallerInfo, ConsentRecord
from store.url import parse_database_url

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
    url = parse_database_url(database_url)
    if url.backend == "sqlite":
        from store.sqlite import SQLiteStore

        return await SQLiteStore.open(url)
    from store.postgres import PostgresStore

    return await PostgresStore.open(url)

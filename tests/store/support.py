"""Test support shared by tests/store, tests/delivery and tests/ops: store URLs for both
backends (PostgreSQL in a unique schema per test), records to store."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from store import CallerInfo, CallRecord, ConsentRecord, Store, open_store
from store.url import parse_database_url

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
RUN_ID = uuid.uuid4().hex[:8]
_counter = iter(range(1_000_000))
_pg_available: bool | None = None
_pg_reason = ""


def postgres_available() -> tuple[bool, str]:
    global _pg_available, _pg_reason
    if _pg_available is None:
        try:
            with psycopg.connect(TEST_DATABASE_URL, connect_timeout=3) as conn:
                conn.execute("SELECT 1")
            _pg_available = True
        except psycopg.OperationalError as exc:
            _pg_available = False
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            _pg_reason = f"no PostgreSQL server answers at TEST_DATABASE_URL ({first})"
    return _pg_available, _pg_reason


def new_pg_schema() -> str:
    return f"t_{RUN_ID}_{next(_counter)}"


def drop_pg_schema(schema: str) -> None:
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def pg_url(schema: str) -> str:
    sep = "&" if "?" in TEST_DATABASE_URL else "?"
    return f"{TEST_DATABASE_URL}{sep}schema={schema}"


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


def make_store_url(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'calls.db'}"
        return
    ok, reason = postgres_available()
    if not ok:
        pytest.skip(reason)
    schema = new_pg_schema()
    try:
        yield pg_url(schema)
    finally:
        drop_pg_schema(schema)


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from make_store_url(request.param, tmp_path)


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    s = await open_store(store_url)
    try:
        yield s
    finally:
        await s.close()


def consent_record(n: int = 0, *, phone: str = "+14155550123", decision: bool = True):
    asked = datetime(2026, 1, 1, 12, 0, tzinfo=UTC) + timedelta(minutes=n)
    return ConsentRecord(
        job_id=f"AJ_job{n}",
        room=f"call-_{phone}_room{n}",
        caller=CallerInfo(
            identity=f"sip_{phone}",
            phone_number=phone,
            trunk_number="+18005550100",
            sip_call_id=f"SCL_{n}",
        ),
        asked_at=asked,
        answered_at=asked + timedelta(seconds=4),
        wording="This call will be recorded. Do you consent?",
        wording_version="sha256:abc",
        method="voice",
        answer_text="yes",
        decision=decision,
        ending="answered",
    )


def call_record(n: int = 0) -> CallRecord:
    started = datetime(2026, 1, 1, 12, 0, tzinfo=UTC) + timedelta(minutes=n)
    return CallRecord(
        job_id=f"AJ_job{n}",
        room_id=f"RM_{n}",
        room=f"call-room{n}",
        started_at=started,
        ended_at=started + timedelta(minutes=3),
        summary=f"call {n}",
        results={"email": f"caller{n}@example.com", "n": n},
        status="complete",
        caller=CallerInfo(phone_number="+14155550123"),
    )


async def save_calls(store: Store, count: int) -> list[str]:
    return [await store.save_call(call_record(i)) for i in range(count)]


def run(coro):  # for sync tests (the CLI runs its own event loop)
    return asyncio.run(coro)


def raw_execute(url: str, statement: str, params: tuple = ()) -> None:
    """Change the database behind the store's back (tampering, fault injection). SQL uses
    `?` placeholders; they are translated for PostgreSQL."""
    parsed = parse_database_url(url)
    if parsed.backend == "sqlite":
        conn = sqlite3.connect(parsed.path)
        try:
            conn.executescript(statement) if not params else conn.execute(statement, params)
            conn.commit()
        finally:
            conn.close()
        return
    with psycopg.connect(parsed.conninfo, autocommit=True) as pg:
        pg.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(parsed.schema or "")))
        pg.execute(statement.replace("?", "%s"), params)  # type: ignore[arg-type]


def raw_query(url: str, statement: str) -> list[tuple]:
    parsed = parse_database_url(url)
    if parsed.backend == "sqlite":
        conn = sqlite3.connect(parsed.path)
        try:
            return conn.execute(statement).fetchall()
        finally:
            conn.close()
    with psycopg.connect(parsed.conninfo) as pg:
        pg.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(parsed.schema or "")))
        return pg.execute(statement).fetchall()  # type: ignore[arg-type]

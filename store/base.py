"""The store's row types and what it computes outside SQL: timestamps, ids, the chain check.

The queries are in store/queries.py."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

from store import chain
from store.records import CallerInfo, ConsentRecord

OutboxStatus = Literal["pending", "delivered", "dead"]
OUTBOX_STATUSES: tuple[OutboxStatus, ...] = ("pending", "delivered", "dead")

_TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%f+00:00"


def utcnow() -> datetime:
    return datetime.now(UTC)


def format_ts(value: datetime) -> str:
    """Fixed-width UTC text, so timestamps compare correctly as strings (SQLite, hashes)."""
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return value.astimezone(UTC).strftime(_TS_FORMAT)


def parse_ts(value: str | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(value).astimezone(UTC)


def new_webhook_id() -> str:
    """`msg_` + 12 hex digits of milliseconds (sortable by creation) + 16 random hex digits."""
    return f"msg_{int(time.time() * 1000):012x}{secrets.token_hex(8)}"


def endpoint_key(url: str) -> tuple[str, str]:
    """(key, display) for an endpoint: the key is a hash of the full URL (which may carry a
    token in its query), the display form drops query, fragment and user info."""
    parts = urlsplit(url)
    display = f"{parts.scheme}://{parts.hostname or ''}"
    if parts.port:
        display += f":{parts.port}"
    display += parts.path or "/"
    return hashlib.sha256(url.encode()).hexdigest()[:32], display


@dataclass(frozen=True)
class StoredConsent:
    """A consent row as stored: its chain position and hashes, the chained content, and the
    caller identity (None once retention has erased it)."""

    seq: int
    recorded_at: datetime
    prev_hash: str
    hash: str
    content: dict[str, Any]
    caller: CallerInfo | None
    room: str | None
    identity_erased_at: datetime | None = None

    @property
    def job_id(self) -> str:
        return self.content["job_id"]

    @property
    def decision(self) -> bool:
        return bool(self.content["decision"])

    @property
    def identity_erased(self) -> bool:
        return self.identity_erased_at is not None

    def record(self) -> ConsentRecord:
        """The original record; the caller is empty and the room blank once erased."""
        return ConsentRecord.model_validate(
            {**self.content, "caller": self.caller or CallerInfo(), "room": self.room or ""}
        )

    def export(self) -> dict[str, Any]:
        """A flat dict for CSV/JSON export."""
        caller = self.caller.model_dump() if self.caller else dict.fromkeys(CallerInfo.model_fields)
        return {
            "seq": self.seq,
            "recorded_at": format_ts(self.recorded_at),
            **{k: v for k, v in self.content.items()},
            "room": self.room,
            **{f"caller_{k}": v for k, v in caller.items()},
            "identity_erased_at": (
                format_ts(self.identity_erased_at) if self.identity_erased_at else None
            ),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


@dataclass(frozen=True)
class ChainReport:
    """The result of verifying the consent chain. `ok` is False at the first broken link."""

    ok: bool
    rows_checked: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    problem: str | None = None

    def describe(self) -> str:
        if self.ok:
            return (
                f"consent chain OK: {self.rows_checked} row(s), head #{self.head_seq} "
                f"{self.head_hash}"
            )
        return f"consent chain BROKEN at row #{self.broken_seq}: {self.problem}"


@dataclass(frozen=True)
class RetentionResult:
    erased: int
    cutoff: datetime


@dataclass(frozen=True)
class OutboxRow:
    webhook_id: str
    job_id: str
    status: OutboxStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    claimed_until: datetime | None = None
    claimed_by: str | None = None
    last_attempt_at: datetime | None = None
    last_status: int | None = None
    last_error: str | None = None
    delivered_at: datetime | None = None
    payload: str = field(default="", repr=False)

    def summary(self) -> dict[str, Any]:
        def ts(v: datetime | None) -> str | None:
            return format_ts(v) if v else None

        return {
            "webhook_id": self.webhook_id,
            "job_id": self.job_id,
            "status": self.status,
            "attempts": self.attempts,
            "created_at": ts(self.created_at),
            "next_attempt_at": ts(self.next_attempt_at) if self.status == "pending" else None,
            "last_attempt_at": ts(self.last_attempt_at),
            "last_status": self.last_status,
            "last_error": self.last_error,
            "delivered_at": ts(self.delivered_at),
        }


class OutboxStateError(Exception):
    """Some rows named for an operator action are missing or not in the state it needs;
    nothing was changed. `found` maps each such id to its status (None: no such row)."""

    def __init__(self, wanted: OutboxStatus, found: dict[str, OutboxStatus | None]) -> None:
        self.wanted = wanted
        self.found = found
        super().__init__(
            "; ".join(
                f"{wid}: no such row" if status is None else f"{wid} is {status}, not {wanted}"
                for wid, status in found.items()
            )
        )


def check_states(wanted: OutboxStatus, ids: Sequence[str], found: dict[str, OutboxStatus]) -> None:
    """Raise OutboxStateError unless every id in `ids` is a row in state `wanted`."""
    wrong = {wid: found.get(wid) for wid in dict.fromkeys(ids) if found.get(wid) != wanted}
    if wrong:
        raise OutboxStateError(wanted, wrong)


@dataclass(frozen=True)
class EndpointState:
    key: str
    display: str
    disabled_at: datetime
    reason: str


@dataclass
class _ChainRow:
    """A consent row as verify_rows reads it."""

    seq: int
    recorded_at: str
    job_id: str
    content: str
    identity_digest: str
    prev_hash: str
    hash: str
    identity: str | None
    salt: str | None
    erased_at: Any = None


def consent_row_values(
    record: ConsentRecord, *, seq: int, prev_hash: str, now: datetime
) -> dict[str, Any]:
    """Everything a backend writes for one appended consent row."""
    content, identity = chain.split_consent(record)
    content_json = chain.canonical_json(content)
    identity_json = chain.canonical_json(identity)
    salt = chain.new_salt()
    digest = chain.identity_digest(identity_json, salt)
    recorded_at = format_ts(now)
    row_hash = chain.row_hash(
        seq=seq,
        recorded_at=recorded_at,
        content_json=content_json,
        identity_digest=digest,
        prev_hash=prev_hash,
    )
    return {
        "seq": seq,
        "recorded_at": recorded_at,
        "job_id": record.job_id,
        "content": content_json,
        "identity_digest": digest,
        "prev_hash": prev_hash,
        "hash": row_hash,
        "identity": identity_json,
        "salt": salt,
    }


def stored_consent(
    *,
    seq: int,
    recorded_at: str,
    prev_hash: str,
    hash: str,
    content: str,
    identity: str | None,
    erased_at: str | datetime | None,
) -> StoredConsent:
    ident: dict[str, Any] = chain.json_loads(identity) if identity else {}
    return StoredConsent(
        seq=seq,
        recorded_at=parse_ts(recorded_at),  # type: ignore[arg-type]
        prev_hash=prev_hash,
        hash=hash,
        content=chain.json_loads(content),
        caller=CallerInfo.model_validate(ident["caller"]) if identity else None,
        room=ident.get("room") if identity else None,
        identity_erased_at=parse_ts(erased_at),
    )


def verify_rows(rows: list[_ChainRow], head: tuple[int, str]) -> ChainReport:
    expected_prev = chain.GENESIS_HASH
    expected_seq = 1
    last_seq, last_hash = 0, chain.GENESIS_HASH

    def broken(seq: int, problem: str, checked: int) -> ChainReport:
        return ChainReport(
            ok=False,
            rows_checked=checked,
            head_seq=head[0],
            head_hash=head[1],
            broken_seq=seq,
            problem=problem,
        )

    for checked, row in enumerate(rows):
        if row.seq != expected_seq:
            return broken(
                expected_seq,
                f"row #{expected_seq} is missing (next row found is #{row.seq}): deleted?",
                checked,
            )
        if row.prev_hash != expected_prev:
            return broken(
                row.seq,
                "prev_hash does not match the previous row's hash: a row before it was "
                "edited, deleted or inserted",
                checked,
            )
        recomputed = chain.row_hash(
            seq=row.seq,
            recorded_at=row.recorded_at,
            content_json=row.content,
            identity_digest=row.identity_digest,
            prev_hash=row.prev_hash,
        )
        if recomputed != row.hash:
            return broken(row.seq, "content does not match its hash: the row was edited", checked)
        chained_job = chain.json_loads(row.content).get("job_id")
        if row.job_id != chained_job:
            return broken(
                row.seq,
                f"its job_id column says {row.job_id!r} but the chained content says "
                f"{chained_job!r}: the row was moved to another call",
                checked,
            )
        if row.identity is None and row.erased_at is None:
            return broken(
                row.seq,
                "caller identity is missing but retention never erased it: deleted?",
                checked,
            )
        if row.identity is not None and row.erased_at is not None:
            return broken(
                row.seq, "caller identity is present on a row marked as erased: restored?", checked
            )
        if row.identity is not None and (
            row.salt is None or chain.identity_digest(row.identity, row.salt) != row.identity_digest
        ):
            return broken(
                row.seq, "caller identity does not match its digest: it was edited", checked
            )
        expected_prev = row.hash
        expected_seq += 1
        last_seq, last_hash = row.seq, row.hash
    if (last_seq, last_hash) != tuple(head):
        return broken(
            last_seq + 1,
            f"the chain ends at #{last_seq} but its recorded head is #{head[0]}: "
            "rows at the end were deleted",
            len(rows),
        )
    return ChainReport(ok=True, rows_checked=len(rows), head_seq=last_seq, head_hash=last_hash)


def retention_cutoff(days: int, now: datetime | None) -> datetime:
    if days < 0:
        raise ValueError("retention days must be >= 0")
    return (now or utcnow()) - timedelta(days=days)

"""The consent hash chain: canonical JSON, row hashes and erasable caller identity.

Each consent row is split in two:

- the *chained* part (decision, wording, method, timestamps, job id, ...), stored as the
  exact canonical JSON text that was hashed, and never changed;
- the *identity* part (the caller's `CallerInfo` and the room name, which for SIP calls
  usually embeds the caller's number), stored in a separate table with a random salt.

The chain hashes only a salted digest of the identity. Retention deletes the identity row
(identity and salt); the digest stays in the chain, so verification still passes, and
without the salt the digest can't be brute-forced back into a phone number.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

from store.records import ConsentRecord

GENESIS_HASH = "0" * 64
IDENTITY_FIELDS = ("caller", "room")


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def split_consent(record: ConsentRecord) -> tuple[dict[str, Any], dict[str, Any]]:
    """(chained content, erasable identity) of a consent record."""
    data = record.model_dump(mode="json")
    identity = {name: data.pop(name) for name in IDENTITY_FIELDS}
    return data, identity


def new_salt() -> str:
    return secrets.token_hex(16)


def identity_digest(identity_json: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{identity_json}".encode()).hexdigest()


def row_hash(
    *, seq: int, recorded_at: str, content_json: str, identity_digest: str, prev_hash: str
) -> str:
    """The hash a consent row carries: over its position, content, identity digest and the
    previous row's hash."""
    envelope = canonical_json(
        {
            "seq": seq,
            "recorded_at": recorded_at,
            "content": content_json,
            "identity_digest": identity_digest,
            "prev_hash": prev_hash,
        }
    )
    return hashlib.sha256(envelope.encode()).hexdigest()


def json_loads(text: str) -> Any:
    return json.loads(text)

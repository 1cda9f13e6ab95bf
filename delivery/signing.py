"""Standard Webhooks signing: the headers every request we sign carries (call records to
WEBHOOK_URL, caller lookups to LOOKUP_URL)."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime

from standardwebhooks import Webhook


def signed_headers(
    webhook: Webhook,
    *,
    msg_id: str,
    payload: str,
    now: float | None = None,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """`webhook-id`, `webhook-timestamp` and `webhook-signature` for `payload` (plus JSON's
    content type and `extra` headers, which can't override them)."""
    timestamp = math.floor(now if now is not None else time.time())
    signature = webhook.sign(
        msg_id=msg_id, timestamp=datetime.fromtimestamp(timestamp, UTC), data=payload
    )
    return {
        **(extra or {}),
        "Content-Type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }

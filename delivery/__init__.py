"""Signed, retried delivery of call records from the store's outbox (Standard Webhooks).

sender = OutboxSender(store, settings.delivery)
sender.start()           # background task; sender.notify() after store.save_call()
...
await sender.aclose()
"""

from delivery.sender import OutboxSender, SendStats, next_delay, parse_retry_after
from delivery.settings import DeliverySettings

__all__ = ["DeliverySettings", "OutboxSender", "SendStats", "next_delay", "parse_retry_after"]

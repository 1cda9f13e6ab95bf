"""Signed, retried delivery of call records from the store's outbox (Standard Webhooks).

sender = OutboxSender(store, settings.delivery)
sender.start()           # background task; sender.notify() after store.save_call()
...
await sender.aclose()
"""

from config.delivery import DeliverySettings
from delivery.sender import OutboxSender, SendStats, next_delay, parse_retry_after

__all__ = ["DeliverySettings", "OutboxSender", "SendStats", "next_delay", "parse_retry_after"]

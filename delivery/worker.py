"""The outbox sender that runs beside the worker, in its main process: jobs only write
records to the store; this delivers them (fleets may run `python -m delivery` instead)."""

from __future__ import annotations

import logging

from config.settings import Settings
from delivery.sender import WORKER_POLL_SECONDS, OutboxSender
from store import open_store

logger = logging.getLogger("consent-agent.delivery")


class WorkerDelivery:
    """Started when the worker starts, closed when it closes."""

    def __init__(self) -> None:
        self.sender: OutboxSender | None = None

    async def start(self, settings: Settings) -> None:
        """Records a job stored are picked up within the poll interval; rows left by a crash
        or a redeploy are sent again now."""
        if not settings.delivery.webhook_url:
            logger.info("WEBHOOK_URL is not set: call records are stored, not delivered")
            return
        store = await open_store(settings.store.database_url)
        self.sender = OutboxSender(store, settings.delivery, poll_interval=WORKER_POLL_SECONDS)
        self.sender.start()

    async def aclose(self) -> None:
        sender, self.sender = self.sender, None
        if sender is not None:
            await sender.aclose()
            await sender.store.close()

"""Run the outbox sender on its own: `python -m delivery [--once]`.

Reads DATABASE_URL and the WEBHOOK_* settings from the environment (and `.env.local`).
Useful beside a fleet of workers sharing a PostgreSQL store, or to flush the outbox by
hand. Stops cleanly on SIGTERM/SIGINT; if killed outright, its leased rows are picked up
again once their lease ends.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from pydantic import ValidationError

import logsafe
from config.env_file import load_env_file
from config.store import StoreSettings
from delivery.sender import WORKER_POLL_SECONDS, OutboxSender
from delivery.settings import DeliverySettings
from store import open_store

logger = logging.getLogger("delivery")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m delivery", description="Deliver stored call records to WEBHOOK_URL."
    )
    parser.add_argument("--once", action="store_true", help="drain the outbox, then exit")
    parser.add_argument("--batch-size", type=int, default=10, help="rows claimed at a time")
    parser.add_argument(
        "--poll-seconds",
        type=float,
        default=WORKER_POLL_SECONDS,
        help=f"how often to look for new rows (default {WORKER_POLL_SECONDS:g} s)",
    )
    parser.add_argument(
        "--lease-seconds",
        type=float,
        default=None,
        help="how long a claimed row is reserved (default: timeout + 30 s)",
    )
    parser.add_argument("--max-seconds", type=float, default=None, help="with --once: give up")
    return parser


async def _main(args: argparse.Namespace) -> int:
    load_env_file()
    try:
        store_settings = StoreSettings()
        settings = DeliverySettings()
    except ValidationError as exc:
        for error in exc.errors():
            variable = "_".join(str(p) for p in error["loc"]).upper()
            print(
                f"error: {variable}: {error['msg'].removeprefix('Value error, ')}", file=sys.stderr
            )
        return 2
    logsafe.install(secrets=settings.secrets())
    if not settings.enabled:
        print("error: WEBHOOK_URL is not set: there is nowhere to deliver to", file=sys.stderr)
        return 2
    store = await open_store(store_settings.database_url)
    sender = OutboxSender(
        store,
        settings,
        batch_size=args.batch_size,
        poll_interval=args.poll_seconds,
        lease_seconds=args.lease_seconds,
    )
    try:
        if args.once:
            stats = await sender.drain(max_seconds=args.max_seconds)
            counts = await store.outbox_counts()
            print(
                f"delivered {stats.delivered}, retrying {stats.retrying}, dead {stats.dead}; "
                f"outbox now: {counts}"
                + ("; endpoint DISABLED (410 Gone)" if stats.endpoint_disabled else "")
            )
            return 0 if counts["pending"] == 0 else 1
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        sender.start()
        await stop.wait()
        return 0
    finally:
        await sender.aclose()
        await store.close()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return asyncio.run(_main(args))


if __name__ == "__main__":
    sys.exit(main())

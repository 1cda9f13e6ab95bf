"""Run the outbox sender on its own: `python -m delivery [--once]`.

Reads DATABASE_URL and the WEBHOOK_* settings from the environment (and `.env.local`).
Useful beside a fleet of workers sharing a PostgreSQL store, or to flush the outbox by
hand: `--once` tries every pending row once, now, says what happened and exits (1 if
any row is still pending). Stops cleanly on SIGTERM/SIGINT; if killed outright, its
leased rows are picked up again once their lease ends.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from pydantic import ValidationError

import logsafe
from config.delivery import DeliverySettings
from config.env_file import load_env_file
from config.store import StoreSettings
from delivery.sender import WORKER_POLL_SECONDS, OutboxSender, SendStats
from store import open_store
from store.probe import describe_open_error

logger = logging.getLogger("delivery")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m delivery", description="Deliver stored call records to WEBHOOK_URL."
    )
    parser.add_argument(
        "--once",
        action="store_true",
        help="try every pending row once, now (retry delays or not), report, then exit: "
        "0 when all were delivered and none is left pending, 1 otherwise",
    )
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
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=None,
        help="with --once: stop starting new attempts after this many seconds and report "
        "what is left (default: no limit; a run ends once every row was tried, which can "
        "take up to WEBHOOK_TIMEOUT_SECONDS per batch, or a lease length for rows another "
        "sender holds)",
    )
    return parser


def report(stats: SendStats, counts: dict[str, int]) -> list[str]:
    """What `--once` did, in the operator's words."""
    lines = [
        f"tried {stats.delivered + stats.retrying + stats.dead} row(s): "
        f"{stats.delivered} delivered, {stats.retrying} failed and will be retried, "
        f"{stats.dead} failed for the last time (dead)"
    ]
    lines += [f"  {n} x {error}" for error, n in stats.errors.most_common()]
    if stats.endpoint_disabled:
        lines.append(
            "the endpoint is DISABLED (it answered 410 Gone): nothing more is sent until "
            "`python -m ops endpoint enable`"
        )
    if stats.timed_out:
        lines.append("stopped by --max-seconds before every row was tried")
    lines.append(
        f"outbox now: {counts['pending']} pending, {counts['delivered']} delivered, "
        f"{counts['dead']} dead"
    )
    if counts["pending"]:
        lines.append(
            f"{counts['pending']} row(s) still pending: a running sender retries them on "
            "WEBHOOK_RETRY_SCHEDULE; run `python -m delivery --once` again to try them now"
        )
    if stats.dead:
        lines.append("dead rows are kept: `python -m ops outbox replay --all-dead` sends them")
    return lines


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
    try:
        store = await open_store(store_settings.database_url)
    except Exception as exc:
        print(f"error: {describe_open_error(store_settings.database_url, exc)}", file=sys.stderr)
        return 1
    sender = OutboxSender(
        store,
        settings,
        batch_size=args.batch_size,
        poll_interval=args.poll_seconds,
        lease_seconds=args.lease_seconds,
    )
    try:
        if args.once:
            stats = await sender.try_all_once(max_seconds=args.max_seconds)
            counts = await store.outbox_counts()
            print("\n".join(report(stats, counts)))
            return 0 if counts["pending"] == 0 and not stats.dead else 1
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
    parser = _parser()
    args = parser.parse_args(argv)
    if args.max_seconds is not None and not args.once:
        parser.error("--max-seconds applies to --once only")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return asyncio.run(_main(args))


if __name__ == "__main__":
    sys.exit(main())

"""`python -m ops outbox ...`: list, show, retry and replay delivery rows.

`retry` and `replay` act on every row named or on none: an id that is unknown, or a row
in the wrong state, is reported (exit 1) and nothing is changed.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ops.common import EXIT_FAILED, OpsError, print_json, print_table, store_options, with_store
from store import OUTBOX_STATUSES, OutboxStateError, Store

_COLUMNS = ["webhook_id", "job_id", "status", "attempts", "last_status", "last_error"]


def register(groups: Any) -> None:
    parser = groups.add_parser(
        "outbox", help="delivery rows: list, show, retry pending ones, replay dead ones"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = store_options()

    ls = commands.add_parser("list", parents=[common], help="list rows by status")
    ls.add_argument("--status", choices=[*OUTBOX_STATUSES, "all"], default="pending")
    ls.add_argument("--limit", type=int, default=100)
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.set_defaults(handler=cmd_list)

    stats = commands.add_parser("stats", parents=[common], help="count rows by status")
    stats.set_defaults(handler=cmd_stats)

    show = commands.add_parser("show", parents=[common], help="one row with its payload")
    show.add_argument("webhook_id", help="msg_...")
    show.set_defaults(handler=cmd_show)

    replay = commands.add_parser(
        "replay", parents=[common], help="put dead rows back to pending (attempts reset)"
    )
    replay.add_argument("webhook_ids", nargs="*", metavar="WEBHOOK_ID")
    replay.add_argument("--all-dead", action="store_true", help="replay every dead row")
    replay.set_defaults(handler=cmd_replay)

    retry = commands.add_parser(
        "retry",
        parents=[common],
        help="make pending rows due now instead of after their retry delay",
    )
    retry.add_argument("webhook_ids", nargs="*", metavar="WEBHOOK_ID")
    retry.add_argument("--all-pending", action="store_true", help="retry every pending row")
    retry.set_defaults(handler=cmd_retry)


def cmd_list(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise OpsError("--limit must be at least 1")
    status = None if args.status == "all" else args.status

    async def run(store: Store) -> list[dict[str, Any]]:
        return [r.summary() for r in await store.outbox_rows(status=status, limit=args.limit)]

    rows = with_store(args, run)
    if args.json:
        print_json(rows)
    else:
        print_table(rows, _COLUMNS)
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    async def run(store: Store) -> dict[str, int]:
        return await store.outbox_counts()

    print_json(with_store(args, run))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    if not args.webhook_id.startswith("msg_"):
        raise OpsError(f"{args.webhook_id!r} is not a webhook id: they look like msg_01a2...")

    async def run(store: Store) -> Any:
        return await store.outbox_row(args.webhook_id)

    row = with_store(args, run)
    if row is None:
        raise OpsError(f"no outbox row {args.webhook_id}", EXIT_FAILED)
    print_json({**row.summary(), "payload": json.loads(row.payload)})
    return 0


def _named(args: argparse.Namespace, every: bool, state: str, flag: str) -> list[str] | None:
    """The ids named on the command line (None: every row in `state`), checked."""
    if bool(args.webhook_ids) == every:
        raise OpsError(f"name the {state} rows (msg_...), or pass {flag}")
    bad = [w for w in args.webhook_ids if not w.startswith("msg_")]
    if bad:
        raise OpsError(f"not webhook ids: {', '.join(bad)} (they look like msg_01a2...)")
    return None if every else list(dict.fromkeys(args.webhook_ids))


def _refused(exc: OutboxStateError, command: str) -> OpsError:
    hints = {
        "pending": "`python -m ops outbox retry` sends a pending row now",
        "dead": "`python -m ops outbox replay` sends a dead row again",
        "delivered": "a delivered row is done",
    }
    found = {s for s in exc.found.values() if s is not None}
    advice = "; ".join(hints[s] for s in OUTBOX_STATUSES if s in found)
    return OpsError(f"nothing {command}: {exc}" + (f" ({advice})" if advice else ""), EXIT_FAILED)


def cmd_replay(args: argparse.Namespace) -> int:
    ids = _named(args, args.all_dead, "dead", "--all-dead")

    async def run(store: Store) -> int:
        try:
            return await store.replay_dead(ids)
        except OutboxStateError as exc:
            raise _refused(exc, "replayed") from None

    replayed = with_store(args, run)
    print(
        f"replayed {replayed} dead row(s): pending again with attempts reset, "
        "sent by the next sender that runs"
    )
    return 0


def cmd_retry(args: argparse.Namespace) -> int:
    ids = _named(args, args.all_pending, "pending", "--all-pending")

    async def run(store: Store) -> int:
        try:
            return await store.retry_pending(ids)
        except OutboxStateError as exc:
            raise _refused(exc, "retried") from None

    retried = with_store(args, run)
    print(
        f"{retried} pending row(s) due now: a running sender (the worker, or "
        "`python -m delivery`) sends them within a second; `python -m delivery --once` "
        "sends them and reports"
    )
    return 0

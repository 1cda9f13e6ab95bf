"""`python -m ops outbox ...`: list, show and replay delivery rows."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ops.common import EXIT_FAILED, OpsError, print_json, print_table, store_options, with_store
from store import OUTBOX_STATUSES, Store

_COLUMNS = ["webhook_id", "job_id", "status", "attempts", "last_status", "last_error"]


def register(groups: Any) -> None:
    parser = groups.add_parser("outbox", help="delivery rows: list, show, replay dead ones")
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


def cmd_replay(args: argparse.Namespace) -> int:
    if bool(args.webhook_ids) == bool(args.all_dead):
        raise OpsError("name the dead rows to replay (msg_...), or pass --all-dead")
    bad = [w for w in args.webhook_ids if not w.startswith("msg_")]
    if bad:
        raise OpsError(f"not webhook ids: {', '.join(bad)} (they look like msg_01a2...)")

    async def run(store: Store) -> int:
        return await store.replay_dead(None if args.all_dead else args.webhook_ids)

    replayed = with_store(args, run)
    print(f"replayed {replayed} dead row(s): they will be delivered again shortly")
    if args.webhook_ids and replayed < len(args.webhook_ids):
        print(
            f"{len(args.webhook_ids) - replayed} of the ids named were not dead (or not found)",
        )
        return EXIT_FAILED
    return 0

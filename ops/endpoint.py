"""`python -m ops endpoint ...`: see or clear the disabled state a 410 Gone leaves."""

from __future__ import annotations

import argparse
import os
from typing import Any

from ops.common import EXIT_FAILED, OpsError, store_options, with_store
from store import Store


def register(groups: Any) -> None:
    parser = groups.add_parser("endpoint", help="the webhook endpoint's state (410 Gone)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = store_options()
    common.add_argument("--url", default=None, help="endpoint URL (default: WEBHOOK_URL)")
    status = commands.add_parser("status", parents=[common], help="enabled or disabled, and why")
    status.set_defaults(handler=cmd_status)
    enable = commands.add_parser(
        "enable", parents=[common], help="resume delivery after the endpoint answered 410 Gone"
    )
    enable.set_defaults(handler=cmd_enable)


def _url(args: argparse.Namespace) -> str:
    # as the worker reads it (config.delivery strips it): the endpoint state is keyed by it
    url = (args.url or os.environ.get("WEBHOOK_URL") or "").strip()
    if not url:
        raise OpsError("no endpoint: pass --url or set WEBHOOK_URL")
    return url


def cmd_status(args: argparse.Namespace) -> int:
    url = _url(args)

    async def run(store: Store) -> Any:
        return await store.endpoint_state(url)

    state = with_store(args, run)
    if state is None:
        print("enabled")
        return 0
    print(f"DISABLED since {state.disabled_at.isoformat()} ({state.reason}): {state.display}")
    print("records are kept pending; run `python -m ops endpoint enable` once it is fixed")
    return EXIT_FAILED


def cmd_enable(args: argparse.Namespace) -> int:
    url = _url(args)

    async def run(store: Store) -> bool:
        return await store.enable_endpoint(url)

    if with_store(args, run):
        print("enabled: pending records will be delivered again")
    else:
        print("already enabled")
    return 0

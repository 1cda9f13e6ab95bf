"""The operator CLI: one module per command group, each with `register(subparsers)`.

To add a group, write `ops/<name>.py` with a `register(subparsers)` function whose leaf
commands set `handler=<function(args) -> int>`, and add its module name to `GROUPS`.
Exit codes: 0 success, 1 the check failed or the thing wasn't found, 2 bad input.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ops.common import OpsError

GROUPS: list[str] = ["ops.outbox", "ops.endpoint", "ops.consent", "ops.webhook"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ops",
        description="Inspect and repair the call-record store and webhook delivery.",
    )
    groups = parser.add_subparsers(dest="group", metavar="GROUP", required=True)
    for name in GROUPS:
        importlib.import_module(name).register(groups)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:  # a group without a command
        parser.parse_args([*(argv if argv is not None else sys.argv[1:]), "--help"])
        return 2
    try:
        return int(handler(args))
    except OpsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130

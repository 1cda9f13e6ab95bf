"""Shared pieces of the operator commands: errors, the store option, output helpers."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from config.settings import SettingsError, load_section
from config.store import StoreSettings
from store import Store, open_store
from store.probe import describe_open_error
from store.url import parse_database_url

T = TypeVar("T")

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


class OpsError(Exception):
    """A message for the operator and the exit code to leave with."""

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.code = code


def store_options() -> argparse.ArgumentParser:
    """A parent parser for commands that open the store."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--database-url",
        default=None,
        help="sqlite:///path.db or postgresql://... (default: DATABASE_URL, "
        "else sqlite:///data/calls.db)",
    )
    return parent


def store_settings(args: argparse.Namespace) -> StoreSettings:
    """The settings' store section, as the agent reads it (DATABASE_URL,
    CALLER_IDENTITY_RETENTION_DAYS, from the environment and .env.local), with
    --database-url, when given, in place of DATABASE_URL."""
    flags = {}
    if args.database_url:
        try:
            parse_database_url(args.database_url)
        except ValueError as exc:
            raise OpsError(f"--database-url: {exc}") from None
        flags["database_url"] = args.database_url
    try:
        return load_section(StoreSettings, **flags)
    except SettingsError as exc:
        raise OpsError("; ".join(exc.problems)) from None


def database_url(args: argparse.Namespace) -> str:
    url = store_settings(args).database_url
    path = parse_database_url(url).path
    if path and not os.path.exists(path):
        raise OpsError(f"no store at {path!r}: check --database-url or DATABASE_URL")
    return url


def with_store(args: argparse.Namespace, action: Callable[[Store], Awaitable[T]]) -> T:
    """Open the store, run `action` on it, close it."""
    url = database_url(args)

    async def run() -> T:
        try:
            store = await open_store(url)
        except Exception as exc:  # unreachable server, wrong database, unwritable file...
            raise OpsError(describe_open_error(url, exc), EXIT_FAILED) from None
        try:
            return await action(store)
        finally:
            await store.close()

    return asyncio.run(run())


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def print_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    if not rows:
        print("(none)")
        return
    cells = [[("" if r.get(c) is None else str(r.get(c))) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())

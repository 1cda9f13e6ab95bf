"""`python -m ops consent ...`: export, verify the hash chain, apply retention."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from typing import Any

from ops.common import EXIT_FAILED, OpsError, store_options, store_settings, with_store
from store import ChainReport, RetentionResult, Store


def register(groups: Any) -> None:
    parser = groups.add_parser("consent", help="consent records: export, verify, retention")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = store_options()

    export = commands.add_parser("export", parents=[common], help="write records as CSV or JSON")
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument("--output", "-o", default="-", help="file to write (default: stdout)")
    export.add_argument("--job-id", default=None, help="only this job's records")
    export.set_defaults(handler=cmd_export)

    verify = commands.add_parser(
        "verify", parents=[common], help="check the hash chain; report the first broken link"
    )
    verify.set_defaults(handler=cmd_verify)

    retention = commands.add_parser(
        "retention", parents=[common], help="erase caller identity older than the retention"
    )
    retention.add_argument(
        "--days",
        type=int,
        default=None,
        help="keep identity this many days (default: CALLER_IDENTITY_RETENTION_DAYS, 90)",
    )
    retention.add_argument("--dry-run", action="store_true", help="count, don't erase")
    retention.set_defaults(handler=cmd_retention)


def cmd_export(args: argparse.Namespace) -> int:
    async def run(store: Store) -> list[dict[str, Any]]:
        return [r.export() for r in await store.consent_records(job_id=args.job_id)]

    rows = with_store(args, run)
    if args.format == "json":
        text = json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    else:
        buffer = io.StringIO()
        columns = list(rows[0]) if rows else ["seq"]
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        text = buffer.getvalue()
    if args.output == "-":
        sys.stdout.write(text)
    else:
        try:
            with open(args.output, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        except OSError as exc:
            raise OpsError(f"cannot write {args.output}: {exc.strerror}") from None
        print(f"wrote {len(rows)} consent record(s) to {args.output}", file=sys.stderr)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    async def run(store: Store) -> ChainReport:
        return await store.verify_consent_chain()

    report = with_store(args, run)
    print(report.describe())
    return 0 if report.ok else EXIT_FAILED


def cmd_retention(args: argparse.Namespace) -> int:
    days = args.days
    if days is None:
        days = store_settings(args).caller_identity_retention_days
        if days is None:
            print("CALLER_IDENTITY_RETENTION_DAYS is empty: identity is kept forever")
            return 0
    if days < 0:
        raise OpsError("--days must be 0 or more")

    async def run(store: Store) -> RetentionResult:
        return await store.apply_retention(days=days, dry_run=args.dry_run)

    result = with_store(args, run)
    verb = "would erase" if args.dry_run else "erased"
    print(
        f"{verb} caller identity on {result.erased} consent record(s) older than "
        f"{result.cutoff.isoformat()} ({days} days); decisions and timestamps are kept"
    )
    return 0

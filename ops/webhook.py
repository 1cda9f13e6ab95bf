"""`python -m ops webhook ...`: a receiver's helpers: verify a payload, make a secret."""

from __future__ import annotations

import argparse
import base64
import hmac
import json
import os
import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from ops.common import EXIT_FAILED, OpsError


def register(groups: Any) -> None:
    parser = groups.add_parser("webhook", help="receiver helpers: verify a signature, new secret")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    verify = commands.add_parser(
        "verify",
        help="check a received payload's Standard Webhooks signature",
        description=(
            "Verify a payload as a receiver would. The secret is read from an environment "
            "variable or a file, never from the command line (where `ps` would show it)."
        ),
    )
    verify.add_argument("--body", required=True, help="file with the exact request body (- stdin)")
    verify.add_argument(
        "--headers",
        default=None,
        help="file with the headers: a JSON object, or 'Name: value' lines",
    )
    verify.add_argument(
        "--header", "-H", action="append", default=[], help="'Name: value' (repeatable)"
    )
    verify.add_argument("--secret-env", default="WEBHOOK_SECRET", help="variable with the secret")
    verify.add_argument("--secret-file", default=None, help="file with the secret instead")
    verify.add_argument(
        "--ignore-timestamp",
        action="store_true",
        help="accept old payloads (the library rejects timestamps more than 5 minutes off)",
    )
    verify.set_defaults(handler=cmd_verify)

    new_secret = commands.add_parser("new-secret", help="print a fresh whsec_ secret")
    new_secret.set_defaults(handler=cmd_new_secret)


def _read(path: str, what: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise OpsError(f"cannot read the {what} file {path!r}: {exc.strerror}") from None


def _parse_header_line(line: str) -> tuple[str, str]:
    name, sep, value = line.partition(":")
    if not sep or not name.strip():
        raise OpsError(f"{line.strip()!r} is not a header: write it as 'Name: value'")
    return name.strip().lower(), value.strip()


def _headers(args: argparse.Namespace) -> dict[str, str]:
    headers: dict[str, str] = {}
    if args.headers:
        text = _read(args.headers, "headers").decode("utf-8", "replace")
        if text.lstrip().startswith("{"):
            try:
                data = json.loads(text)
            except ValueError as exc:
                raise OpsError(f"the headers file is not valid JSON: {exc}") from None
            headers.update({str(k).lower(): str(v) for k, v in data.items()})
        else:
            for line in text.splitlines():
                if line.strip() and not line.startswith(("HTTP/", "POST ")):
                    name, value = _parse_header_line(line)
                    headers[name] = value
    for line in args.header:
        name, value = _parse_header_line(line)
        headers[name] = value
    missing = [
        h for h in ("webhook-id", "webhook-timestamp", "webhook-signature") if h not in headers
    ]
    if missing:
        raise OpsError(f"missing header(s): {', '.join(missing)}")
    return headers


def _secret(args: argparse.Namespace) -> str:
    if args.secret_file:
        secret = _read(args.secret_file, "secret").decode().strip()
    else:
        secret = os.environ.get(args.secret_env, "").strip()
        if not secret:
            raise OpsError(f"no secret: set {args.secret_env} or pass --secret-file")
    if not secret.startswith("whsec_"):
        raise OpsError("the secret must start with whsec_")
    return secret


def cmd_verify(args: argparse.Namespace) -> int:
    body = _read(args.body, "body")
    headers = _headers(args)
    try:
        webhook = Webhook(_secret(args))
    except OpsError:
        raise
    except Exception:
        raise OpsError("the secret is not valid base64 after whsec_") from None
    try:
        if args.ignore_timestamp:
            timestamp = datetime.fromtimestamp(int(headers["webhook-timestamp"]), UTC)
            expected = webhook.sign(headers["webhook-id"], timestamp, body.decode())
            offered = headers["webhook-signature"].split()
            if not any(hmac.compare_digest(expected, sig) for sig in offered):
                raise WebhookVerificationError("No matching signature found")
        else:
            webhook.verify(body, headers)
    except (WebhookVerificationError, ValueError, UnicodeDecodeError) as exc:
        print(f"INVALID: {exc}")
        return EXIT_FAILED
    print(f"valid signature for {headers['webhook-id']}")
    return 0


def cmd_new_secret(args: argparse.Namespace) -> int:
    print("whsec_" + base64.b64encode(secrets.token_bytes(32)).decode())
    return 0

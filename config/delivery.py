"""Where call records are delivered, and how they are signed."""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlsplit

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import NoDecode
from standardwebhooks import Webhook

from config.section import INVALID, Section

DEFAULT_RETRY_SCHEDULE = "5s,30s,2m,10m,30m,1h,2h,4h,8h,8h"
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$")
_HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_RESERVED_HEADERS = {
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "content-type",
    "content-length",
    "host",
    "transfer-encoding",
}


def parse_duration(text: str) -> float:
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise ValueError(
            f"{text.strip()!r} is not a duration: use seconds (30) or a number with a unit "
            "ms, s, m, h or d (30s, 2m, 8h)"
        )
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]


def parse_schedule(text: str) -> tuple[float, ...]:
    parts = [p for p in text.split(",") if p.strip()]
    if not parts:
        raise ValueError(f"needs at least one delay, e.g. {DEFAULT_RETRY_SCHEDULE}")
    return tuple(parse_duration(p) for p in parts)


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint_url_problem(
    value: str, *, allow_http: bool = False, allow_http_setting: str | None = None
) -> str | None:
    """What is wrong with an endpoint URL we send signed data to, or None. Plain http:// is
    allowed only to loopback hosts (unless `allow_http`), so nothing a call carries (a
    record, the caller's number) crosses a network unencrypted."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an absolute http(s) URL, e.g. https://example.com/hooks"
    if parts.username or parts.password:
        return "must not carry user:password"
    if parts.scheme == "http" and not is_loopback(parts.hostname) and not allow_http:
        also = (
            f", or set {allow_http_setting}=true if the endpoint is on a private network you trust"
            if allow_http_setting
            else ""
        )
        return f"plain http:// is only allowed to loopback hosts: use https://{also}"
    return None


def signing_secret_problem(secret: str) -> str | None:
    """What is wrong with a Standard Webhooks signing secret (`whsec_<base64>`), or None."""
    if not secret.startswith("whsec_"):
        return "must start with whsec_ followed by base64 (Standard Webhooks)"
    encoded = secret.removeprefix("whsec_")
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        Webhook(secret)
    except Exception:
        key = b""
    if len(key) < 16:
        return (
            "the part after whsec_ must be base64 of at least 16 random bytes "
            "(python -m ops webhook new-secret makes one)"
        )
    return None


class DeliverySettings(Section):
    """Read from WEBHOOK_*. With WEBHOOK_URL unset, call records are stored but nothing is
    delivered."""

    webhook_allow_http: bool = Field(
        default=False,
        description="Allow plain http:// to non-loopback hosts (loopback is always allowed).",
    )
    webhook_url: str | None = Field(
        default=None,
        description="Where call records are POSTed (https://...). Unset: store only.",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        validate_default=True,
        description="Standard Webhooks signing secret, whsec_<base64>. Required with a URL.",
    )
    webhook_headers: Annotated[dict[str, SecretStr], NoDecode] = Field(
        default_factory=dict,
        description='Extra headers as a JSON object, e.g. {"Authorization": "Bearer ..."}.',
    )
    webhook_retry_schedule: Annotated[tuple[float, ...], NoDecode] = Field(
        default=parse_schedule(DEFAULT_RETRY_SCHEDULE),
        description=(
            "Delays before each retry, comma separated (5s,30s,2m,...,8h); after the last "
            "one fails the record is dead-lettered."
        ),
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, le=120, description="Per-attempt HTTP timeout."
    )

    @model_validator(mode="before")
    @classmethod
    def _hide_secrets(cls, data: Any) -> Any:
        """Wrap secret inputs before any validation, so no error (and no `input` an error
        carries, which config.settings prints) can ever contain them."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        secret = data.get("webhook_secret")
        if isinstance(secret, str):
            data["webhook_secret"] = SecretStr(secret)
        headers = data.get("webhook_headers")
        if isinstance(headers, str):
            try:
                headers = json.loads(headers) if headers.strip() else {}
            except ValueError:
                headers = SecretStr(headers)  # reported as "not a JSON object" below
        if isinstance(headers, dict):
            headers = {k: SecretStr(v) if isinstance(v, str) else v for k, v in headers.items()}
        if "webhook_headers" in data:
            data["webhook_headers"] = headers
        return data

    @field_validator("webhook_url")
    @classmethod
    def _check_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        allow_http = cls.earlier(info, "webhook_allow_http") is True  # INVALID: not allowed
        problem = endpoint_url_problem(
            value, allow_http=allow_http, allow_http_setting="WEBHOOK_ALLOW_HTTP"
        )
        if problem == "must not carry user:password":
            problem += "; put credentials in WEBHOOK_HEADERS instead"
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _check_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            value = None
        if value is None:
            url = cls.earlier(info, "webhook_url")
            if url is INVALID or url:  # a URL was given, even a wrong one: it needs a secret
                raise ValueError(
                    "is required when WEBHOOK_URL is set: use the whsec_... secret your "
                    "endpoint gave you (or generate one: python -m ops webhook new-secret)"
                )
            return None
        secret = value.get_secret_value().strip()
        problem = signing_secret_problem(secret)
        if problem:
            raise ValueError(problem)
        return SecretStr(secret)

    @field_validator("webhook_headers", mode="before")
    @classmethod
    def _check_headers(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            raise ValueError(
                "must be a JSON object of header names to string values, e.g. "
                '{"Authorization": "Bearer ..."}'
            )
        for name, header_value in value.items():
            if not isinstance(name, str) or not _HEADER_NAME.match(name):
                raise ValueError(f"{name!r} is not a valid HTTP header name")
            if name.lower() in _RESERVED_HEADERS:
                raise ValueError(f"{name!r} is set by the sender and can't be overridden")
            raw = (
                header_value.get_secret_value()
                if isinstance(header_value, SecretStr)
                else header_value
            )
            if not isinstance(raw, str) or "\n" in raw or "\r" in raw:
                raise ValueError(f"the value of {name!r} must be a single-line string")
        return value

    @field_validator("webhook_retry_schedule", mode="before")
    @classmethod
    def _parse_schedule(cls, value: Any) -> Any:
        if isinstance(value, str):
            return parse_schedule(value)
        return value

    @field_validator("webhook_retry_schedule")
    @classmethod
    def _check_schedule(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if not value:
            raise ValueError(f"needs at least one delay, e.g. {DEFAULT_RETRY_SCHEDULE}")
        if any(d <= 0 for d in value):
            raise ValueError("every delay must be greater than zero")
        if len(value) > 50:
            raise ValueError("at most 50 retries")
        return value

    @property
    def enabled(self) -> bool:
        return self.webhook_url is not None

    def extra_headers(self) -> dict[str, str]:
        return {k: v.get_secret_value() for k, v in self.webhook_headers.items()}

    def secrets(self) -> list[str]:
        """Values that must never be logged (for `logsafe.install(secrets=...)`)."""
        found = list(self.extra_headers().values())
        if self.webhook_secret is not None:
            secret = self.webhook_secret.get_secret_value()
            found += [secret, secret.removeprefix("whsec_")]
        # A bearer token is secret; "Bearer " itself is not.
        found += [v.split(" ", 1)[1] for v in self.extra_headers().values() if " " in v]
        if self.webhook_url:  # a token in the URL's query is a secret too
            found += [v for _, v in parse_qsl(urlsplit(self.webhook_url).query)]
        return [s for s in found if len(s) >= 6]

"""Caller lookup: at call start, ask your system who is calling (LOOKUP_URL).

The request is a signed POST (Standard Webhooks headers, like delivery) with the caller's
number, the dialled number and the call's ids; it runs in parallel with the consent
question, within LOOKUP_TIMEOUT_MS. The caller's number is never sent over plain http://
except to a loopback host.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator

from config.delivery import endpoint_url_problem, signing_secret_problem
from config.section import INVALID, Section


class LookupSettings(Section):
    lookup_url: str | None = Field(
        default=None,
        description="Where the caller lookup is POSTed (https://...). Unset: no lookup.",
    )
    lookup_secret: SecretStr | None = Field(
        default=None,
        validate_default=True,
        description="Standard Webhooks signing secret, whsec_<base64>. Required with a URL.",
    )
    lookup_timeout_ms: int = Field(
        default=800,
        ge=50,
        le=5000,
        description=(
            "The lookup's whole budget (connect, send, answer). Past it the call goes on "
            "without the lookup, and the record says so."
        ),
    )

    @model_validator(mode="before")
    @classmethod
    def _hide_secret(cls, data: Any) -> Any:
        """Wrap the secret before validation, so no error can ever show it."""
        if isinstance(data, dict) and isinstance(data.get("lookup_secret"), str):
            data = {**data, "lookup_secret": SecretStr(data["lookup_secret"])}
        return data

    @field_validator("lookup_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        problem = endpoint_url_problem(value.strip())
        if problem:
            raise ValueError(problem)
        return value.strip()

    @field_validator("lookup_secret")
    @classmethod
    def _check_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        secret = value.get_secret_value().strip() if value is not None else ""
        if not secret:
            url = cls.earlier(info, "lookup_url")
            if url is INVALID or url:  # a URL was given, even a wrong one: it needs a secret
                raise ValueError(
                    "is required when LOOKUP_URL is set: use the whsec_... secret your lookup "
                    "endpoint verifies (python -m ops webhook new-secret makes one)"
                )
            return None
        problem = signing_secret_problem(secret)
        if problem:
            raise ValueError(problem)
        return SecretStr(secret)

    @property
    def enabled(self) -> bool:
        return self.lookup_url is not None and self.lookup_secret is not None

    @property
    def budget(self) -> float:
        return self.lookup_timeout_ms / 1000

    def secrets(self) -> list[str]:
        """Values that must never be logged (for `logsafe.install(secrets=...)`)."""
        if self.lookup_secret is None:
            return []
        secret = self.lookup_secret.get_secret_value()
        return [secret, secret.removeprefix("whsec_")]

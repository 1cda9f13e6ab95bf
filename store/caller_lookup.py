"""What a caller lookup answered (LOOKUP_URL), as the call's record keeps it.

`CallerProfile` is the endpoint's answer, validated strictly: a field of the wrong type or
size makes the whole answer `invalid`, never half-used. Unknown keys are ignored, so no
answer can carry anything the call would act on beyond these fields (not consent, not a
number to dial, not where records go).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

LookupStatus = Literal[
    "found",  # the endpoint knew the caller: `profile` is what it said
    "not_found",  # it answered 404: it doesn't know the caller
    "timeout",  # no answer within LOOKUP_TIMEOUT_MS
    "invalid",  # an answer that isn't a caller profile (not JSON, wrong types, too large)
    "error",  # an HTTP error status (or a redirect, which is not followed)
    "unreachable",  # no connection (refused, DNS, TLS)
]


class CallerProfile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True)

    display_name: str | None = Field(default=None, max_length=200)
    account_id: str | None = Field(default=None, max_length=200)
    language: str | None = Field(
        default=None, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", description="BCP 47"
    )
    tier: str | None = Field(default=None, max_length=100)
    form: str | None = Field(default=None, max_length=100, description="A form to run")
    notes: str | None = Field(default=None, max_length=2000, description="For the agent")


class CallerLookup(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: LookupStatus
    elapsed_ms: int
    detail: str | None = None
    profile: CallerProfile | None = None

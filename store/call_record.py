"""The call record: the `call.ended` payload stored with its outbox row and delivered.

Typed and versioned: this model is the contract. Its JSON Schema is generated from it
into `docs/call-record.schema.json` (`python -m store.call_record_schema`); a test keeps
the committed file current and validates every payload the tests deliver against it.
Every timestamp is UTC ending in `Z` (`store.timestamps`). Fields are explained in
`docs/call-record.md`.

`status` and `ended_reason` come from one place, `call/ending.py`, whose table maps each
ending to its status.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from store.caller_lookup import CallerLookup
from store.record_measures import Analysis, Timings, Usage
from store.record_transcript import TranscriptBlock
from store.records import CallerInfo
from store.timestamps import Timestamp

EVENT_TYPE = "call.ended"
SCHEMA_VERSION = "2.0"

CallStatus = Literal[
    "complete", "transferred", "caller_hung_up", "declined", "unanswered", "timed_out", "error"
]
EndedReason = Literal[
    "caller_hung_up",
    "consent_refused",
    "consent_unanswered",
    "form_completed",
    "form_refused",
    "transferred",
    "silence_timeout",
    "max_duration",
    "out_of_service",
    "error",
    "worker_shutdown",
    "session_closed",
]
Stage = Literal["consent", "conversation", "form", "transfer"]
EndedBy = Literal["caller", "agent", "system"]


class _Block(BaseModel):
    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)


class ConsentBlock(_Block):
    decision: bool
    method: str = Field(description="voice, keypad, or none (nothing was answered).")
    ending: str = Field(
        description="answered, unclear, turn_limit, hung_up, session_closed or silence (see docs)."
    )
    matched: str | None = Field(description="The grammar rule or key that decided it.")
    confirmed: bool
    language: str | None = None
    wording_version: str = Field(description="sha256 prefix of the exact words played.")
    asked_at: Timestamp
    answered_at: Timestamp | None
    recorded: bool = Field(description="A recording was started after the yes.")
    withdrawn_at: Timestamp | None = Field(description="The caller took their yes back then.")


RecordingStatus = Literal["not_configured", "not_consented", "failed", "pending", "complete"]


class RecordingFile(_Block):
    """A file as LiveKit reported it when the egress ended."""

    location: str | None = None
    filename: str | None = None
    duration_seconds: float | None = None
    size_bytes: int | None = None


class RecordingBlock(_Block):
    status: RecordingStatus = Field(
        description="not_configured, not_consented (no yes), failed (`error`), pending (stopped; "
        "LiveKit had not reported the file when the record was stored), complete (`files`)."
    )
    egress_id: str | None = None
    storage: str | None = Field(default=None, description="server, s3, gcp or azure.")
    destination: str | None = Field(
        default=None, description="The configured bucket or container (no credentials)."
    )
    file_path: str | None = Field(
        default=None, description="The configured file name template (RECORDING_FILE_PATH)."
    )
    started_at: Timestamp | None = None
    stopped_at: Timestamp | None = None
    stop_reason: Literal["call_ended", "consent_withdrawn"] | None = None
    withdrawn: bool = Field(default=False, description="Consent was withdrawn mid-call.")
    files: list[RecordingFile] = Field(
        default_factory=list, description="Where the recording ended up, as LiveKit reported it."
    )
    error: str | None = None


class TransferBlock(_Block):
    mode: str = Field(description="warm or cold.")
    outcome: str = Field(
        description="connected, busy, no_answer, declined, voicemail, human_hung_up, "
        "caller_hung_up, failed, unavailable."
    )
    detail: str | None = None
    reason: str | None = Field(default=None, description="Why the caller needed a person.")
    requested_at: Timestamp | None = None
    ended_at: Timestamp | None = None


class GrantItem(_Block):
    kind: Literal["credit", "refund"]
    amount: str = Field(description="Decimal in whole cents, in `currency`.")
    currency: str
    reason: str
    granted_at: Timestamp


class CallbackItem(_Block):
    number: str = Field(description="E.164.")
    source: Literal["caller_id", "given_by_caller"]
    reason: str
    requested_at: Timestamp


class Event(BaseModel):
    """Something that happened on the call (escalations, grants, transfers, errors...)."""

    model_config = ConfigDict(
        frozen=True, extra="allow", json_schema_serialization_defaults_required=True
    )

    type: str
    at: Timestamp


class CallRecord(BaseModel):
    """A call's record as it leaves the conversation (seed 003's payload, grown)."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    type: Literal["call.ended"] = EVENT_TYPE
    schema_version: Literal["2.0"] = SCHEMA_VERSION
    job_id: str
    room_id: str | None = None
    room: str
    started_at: Timestamp
    ended_at: Timestamp
    duration_seconds: float = Field(default=0.0, description="started_at to ended_at.")
    # How it ended (call/ending.py).
    status: CallStatus
    ended_reason: EndedReason = "session_closed"
    ended_stage: Stage | None = Field(default=None, description="Where the call was when it ended.")
    ended_by: EndedBy | None = None
    session_close_reason: str | None = Field(
        default=None, description="LiveKit's own close reason, as reported (for debugging)."
    )
    caller: CallerInfo = Field(default_factory=CallerInfo)
    after_hours: bool = Field(
        default=False, description="The call came in outside business hours (BUSINESS_HOURS_FILE)."
    )
    lookup: CallerLookup | None = Field(
        default=None, description="What the caller lookup (LOOKUP_URL) answered, or why not."
    )
    consent: ConsentBlock | None = None
    recording: RecordingBlock = Field(
        default_factory=lambda: RecordingBlock(status="not_configured")
    )
    # What was collected and done.
    form: str | None = None
    results: dict[str, Any] = Field(default_factory=dict)
    summary: str | None = Field(default=None, description="The analysis' summary of the call.")
    analysis: Analysis = Field(default_factory=lambda: Analysis(status="off"))
    transcript: TranscriptBlock = Field(
        default_factory=lambda: TranscriptBlock.withheld("disabled")
    )
    timings: Timings | None = None
    usage: Usage = Field(default_factory=Usage)
    grants: list[GrantItem] = Field(default_factory=list)
    callback: CallbackItem | None = None
    transfer: TransferBlock | None = Field(default=None, description="The last transfer tried.")
    events: list[Event] = Field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

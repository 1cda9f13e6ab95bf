"""What the store keeps: consent decisions, and who called. The call record (the delivered
payload) is `store.call_record.CallRecord`."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from store.timestamps import utcnow

ConsentMethod = Literal["voice", "keypad", "none"]
ConsentEnding = Literal[
    "answered",  # a yes or a no (voice or keypad)
    "unclear",  # too many unclear answers: no consent
    "turn_limit",  # too many turns on the question in all: no consent
    "hung_up",  # the caller hung up with the question open: no consent
    "session_closed",  # the session closed with the question open: no consent
    "silence",  # the caller stayed silent through the question and the prompt: no consent
    "withdrawn",  # a withdrawal row: the caller took back a yes mid-call
]
ConsentRowKind = Literal["decision", "withdrawal"]


class CallerInfo(BaseModel):
    """Who is calling. SIP fields are empty for web and console callers."""

    model_config = ConfigDict(frozen=True)

    identity: str | None = None
    phone_number: str | None = Field(default=None, description="E.164, from sip.phoneNumber")
    trunk_number: str | None = Field(default=None, description="E.164, from sip.trunkPhoneNumber")
    sip_call_id: str | None = None

    @property
    def is_phone(self) -> bool:
        return self.phone_number is not None or self.sip_call_id is not None


class ConsentRecord(BaseModel):
    """One consent decision, or the withdrawal of a yes. Append-only: never updated."""

    model_config = ConfigDict(frozen=True)

    kind: ConsentRowKind = "decision"
    job_id: str
    room: str
    caller: CallerInfo = Field(default_factory=CallerInfo)
    asked_at: datetime
    answered_at: datetime | None = None
    wording: str = Field(description="The exact words played to the caller.")
    wording_version: str = Field(description="sha256 prefix of `wording`.")
    method: ConsentMethod
    digit: str | None = None
    answer_text: str | None = Field(default=None, description="What the caller said or pressed.")
    answers: list[str] = Field(
        default_factory=list,
        description="Every answer the caller gave to the question, in order (keys as keypad:N).",
    )
    asked: str | None = Field(
        default=None,
        description="The fixed line the decisive answer followed (the question, the "
        "clarification, the confirmation): what a yes or a no answered.",
    )
    decision: bool
    ending: ConsentEnding
    matched: str | None = Field(
        default=None,
        description="Why: the grammar rule or key that matched (affirmative:yes, keypad:1), "
        "'model' for a no the model recorded, None when nothing was answered.",
    )
    confirmed: bool = Field(default=False, description="The yes answered a confirmation.")
    stt_confidence: float | None = Field(
        default=None, description="Speech-to-text confidence of the answer, where reported."
    )
    language: str | None = Field(default=None, description="The consent language (en, es, ...).")
    egress_id: str | None = None
    recording_error: str | None = None


__all__ = ["CallerInfo", "ConsentRecord", "utcnow"]

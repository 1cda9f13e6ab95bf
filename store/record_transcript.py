"""The transcript block of the call record: what was said and done, line by line.

Built from the session's own history by `call/transcript.py`. Three kinds of line, in the
order they happened: speech (the caller, an agent, or a human colleague), a tool call with
its outcome, and a handoff from one agent to another.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from store.timestamps import Timestamp

Role = Literal["caller", "agent", "human"]
Withheld = Literal["before_consent", "after_withdrawal", "sensitive"]
TranscriptWithheld = Literal["disabled", "no_consent"]


class _Line(BaseModel):
    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)

    at: Timestamp = Field(description="When it started (speech: first audio, else when added).")
    agent: str | None = Field(
        default=None,
        description="The agent active at the time (its label, e.g. `manager_agent`): for a "
        "caller's line, the agent they were speaking to.",
    )
    field: str | None = Field(
        default=None, description="The form field being collected at the time, if any."
    )


class SpeechLine(_Line):
    kind: Literal["speech"] = "speech"
    role: Role = Field(description="caller, agent (see `agent`), or human (a colleague).")
    text: str | None = Field(description="The words; null when withheld (see `withheld`).")
    interrupted: bool = Field(default=False, description="Cut off before it was said in full.")
    withheld: Withheld | None = Field(
        default=None,
        description="Why the words are left out: before_consent (the caller's answers to the "
        "consent question: see `consent`), after_withdrawal (said after the caller withdrew "
        "consent to recording), sensitive (an answer to a form field marked sensitive).",
    )
    masked: bool = Field(
        default=False, description="A sensitive value in the words was replaced by [field]."
    )


class ToolLine(_Line):
    kind: Literal["tool_call"] = "tool_call"
    name: str
    arguments: dict[str, Any] | None = Field(
        description="As the model (or code) sent them; sensitive values masked; null when withheld."
    )
    outcome: Literal["ok", "error", "no_result"] = Field(
        description="ok, error (the tool refused: `output` says why), or no_result (the call "
        "ended before the tool answered)."
    )
    output: str | None = Field(default=None, description="What the tool told the model.")
    withheld: Withheld | None = None


class HandoffLine(_Line):
    kind: Literal["handoff"] = "handoff"
    from_agent: str | None
    to_agent: str


TranscriptLine = Annotated[SpeechLine | ToolLine | HandoffLine, Field(discriminator="kind")]


class TranscriptBlock(BaseModel):
    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)

    included: bool = Field(description="False: no lines, and `withheld_reason` says why.")
    withheld_reason: TranscriptWithheld | None = Field(
        default=None,
        description="disabled (CALL_RECORD_TRANSCRIPT=false) or no_consent (the caller did not "
        "agree to be recorded, so their conversation is not kept in words).",
    )
    lines: list[TranscriptLine] = Field(default_factory=list)
    masked_fields: list[str] = Field(
        default_factory=list,
        description="Form fields marked sensitive whose values were masked here and in the "
        "summary (their values are in `results`).",
    )
    withheld_after: Timestamp | None = Field(
        default=None, description="Consent was withdrawn then: no words after it are kept."
    )

    @classmethod
    def withheld(cls, reason: TranscriptWithheld) -> TranscriptBlock:
        return cls(included=False, withheld_reason=reason)

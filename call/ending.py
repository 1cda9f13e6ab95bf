"""How a call ended: one decision, from a documented table, for `status` and `ended_reason`.

Code that ends a call says why with `CallOutcome.end(reason)`; the session says how it
closed (LiveKit's close reason) and whether the caller left. `decide_ending` turns those
facts into the record's ending, and nothing else writes `status` or `ended_reason`.

ended_reason         status          ended_by  when
caller_hung_up       caller_hung_up  caller    the caller hung up (`ended_stage`: when)
consent_refused      declined        agent     a no to recording, policy hang_up
consent_unanswered   unanswered      agent     no clear answer to the question, policy hang_up
form_completed       complete        agent     the form was collected, then the agent hung up
form_refused         declined        agent     a required form answer was refused
transferred          transferred     agent     the caller was connected to a person
silence_timeout      timed_out       agent     the caller stayed silent past the prompt (silence.py)
max_duration         timed_out       agent     the call reached MAX_CALL_SECONDS (duration.py)
out_of_service       error           system    the line could not take the call safely
error                error           system    a model, session or form failure ended it
worker_shutdown      error           system    the worker shut down with the call open
session_closed       error           system    the session closed with no recorded cause

The first cause wins: a caller who hangs up during the goodbye after a refusal is still a
refusal, and a transfer that connected is a transfer even though the AI then leaves. A
limit of the line (`CallOutcome.time_out`) is put first: what it interrupted ending too
is not another cause.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from store.call_record import CallStatus, EndedBy, EndedReason, Stage

ENDINGS: dict[EndedReason, tuple[CallStatus, EndedBy]] = {
    "caller_hung_up": ("caller_hung_up", "caller"),
    "consent_refused": ("declined", "agent"),
    "consent_unanswered": ("unanswered", "agent"),
    "form_completed": ("complete", "agent"),
    "form_refused": ("declined", "agent"),
    "transferred": ("transferred", "agent"),
    "silence_timeout": ("timed_out", "agent"),
    "max_duration": ("timed_out", "agent"),
    "out_of_service": ("error", "system"),
    "error": ("error", "system"),
    "worker_shutdown": ("error", "system"),
    "session_closed": ("error", "system"),
}
assert set(ENDINGS) == set(get_args(EndedReason)), "every ended_reason needs its row"

# What code may say with `CallOutcome.end(...)`: an ended_reason, or one of the words the
# consent policy uses ("declined": the agent ends after the caller's no or no answer;
# which one is read from the consent record. "caller_hung_up" is not taken on trust: the
# session says whether the caller left).
Declared = EndedReason | Literal["declined"]
DECLARABLE: frozenset[str] = frozenset(get_args(EndedReason)) | {"declined"}

ConsentState = Literal["none", "yes", "refused", "unanswered", "hung_up", "session_closed"]


@dataclass(frozen=True)
class Ending:
    status: CallStatus
    reason: EndedReason
    stage: Stage
    ended_by: EndedBy
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Declaration:
    """A cause code gave with `CallOutcome.end()`, and where the call was then."""

    reason: str
    stage: Stage
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EndingFacts:
    """Everything the decision reads. `declared` is in the order it was said."""

    declared: Sequence[Declaration] = ()
    consent: ConsentState = "none"
    caller_left: bool = False
    left_stage: Stage | None = None
    close_reason: str | None = None  # LiveKit's CloseReason value, once the session closed
    session_error: bool = False
    stage: Stage = "consent"


def _resolve(reason: str, facts: EndingFacts) -> EndedReason | None:
    if reason == "declined":
        if facts.consent == "refused":
            return "consent_refused"
        if facts.consent == "unanswered":
            return "consent_unanswered"
        return None
    if reason == "caller_hung_up":
        return None  # the session's facts decide (see DECLARABLE)
    return reason if reason in ENDINGS else None  # type: ignore[return-value]


def decide_ending(facts: EndingFacts) -> Ending:
    """The record's ending: the first cause code declared, else what the session shows."""
    for said in facts.declared:
        resolved = _resolve(said.reason, facts)
        if resolved is not None:
            stage = "consent" if resolved.startswith("consent_") else said.stage
            return _ending(resolved, stage, said.detail)
    if facts.close_reason == "error" or facts.session_error:
        return _ending("error", facts.stage)
    if facts.caller_left or facts.close_reason == "participant_disconnected":
        return _ending("caller_hung_up", facts.left_stage or facts.stage)
    if facts.close_reason == "job_shutdown":
        return _ending("worker_shutdown", facts.stage)
    detail = {"close_reason": facts.close_reason} if facts.close_reason else {}
    return _ending("session_closed", facts.stage, detail)


def _ending(reason: EndedReason, stage: Stage, detail: dict[str, Any] | None = None) -> Ending:
    status, by = ENDINGS[reason]
    return Ending(status=status, reason=reason, stage=stage, ended_by=by, detail=detail or {})

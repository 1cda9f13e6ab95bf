"""What happened on a call, as its record will say it: consent, what was done, how it ended.

The agents and tasks write here through a few verbs (`note`, `end`, `left`); the call's
services (settings, store, controls) live in `call.call.Call`. `to_record()` turns the
outcome into the record that is stored and delivered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from store.caller_lookup import CallerLookup
from store.records import CallRecord, CallStatus, ConsentRecord, utcnow

GrantKind = Literal["credit", "refund"]
CallbackSource = Literal["caller_id", "given_by_caller"]
# The line's limits (config/limits.py): the record's `ended_reason` when one ended the call.
LimitReason = Literal["silence_timeout", "max_duration"]


@dataclass(frozen=True)
class Grant:
    kind: GrantKind
    amount: Decimal
    currency: str
    reason: str
    granted_at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class CallbackRequest:
    """The caller asked to be called back. The number (E.164) is the one they called from
    (`caller_id`) or one they said when asked (`given_by_caller`), never one supplied by a
    model; without a number there is no request."""

    number: str
    source: CallbackSource
    reason: str
    requested_at: datetime = field(default_factory=utcnow)


@dataclass
class CallOutcome:
    # Consent: the decision as recorded, the recording it allowed, and a later withdrawal.
    consent: ConsentRecord | None = None
    egress_id: str | None = None
    consent_withdrawn_at: datetime | None = None
    # What was done.
    events: list[dict[str, Any]] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)
    callback: CallbackRequest | None = None
    form: str | None = None
    results: dict[str, Any] = field(default_factory=dict)
    summary: str | None = None
    # How it ended: `end()` says so; the session's close reason and the caller leaving come
    # from the session (call/session_watch.py).
    status: CallStatus | None = None
    ended_reason: str | None = None
    caller_left: bool = False
    # One of the line's limits ended the call (call/silence.py, call/duration.py).
    limit: LimitReason | None = None
    # The call came in outside business hours (config/hours.py).
    after_hours: bool = False
    # What the caller lookup answered, or why not (call/lookup.py).
    lookup: CallerLookup | None = None

    @property
    def recorded(self) -> bool:
        return self.egress_id is not None

    @property
    def consented(self) -> bool:
        return self.consent is not None and self.consent.decision

    def note(self, event: str, /, **details: Any) -> None:
        """Add an event to the call's record (escalations, grants, transfers, errors)."""
        self.events.append({"type": event, "at": utcnow().isoformat(), **details})

    def granted_total(self, kind: GrantKind) -> Decimal:
        return sum((g.amount for g in self.grants if g.kind == kind), Decimal(0))

    def end(self, status: CallStatus) -> None:
        """Say how the call ended (a refusal, a hang-up, a form's end). Once a limit has
        ended the call, that stands: what it interrupted ending too is not another cause."""
        if self.limit is None:
            self.status = status

    def time_out(self, reason: LimitReason) -> None:
        """The call ends on one of the line's limits (the first one wins)."""
        if self.limit is None:
            self.limit = reason
            self.status = "timed_out"

    def left(self) -> None:
        """The caller hung up."""
        self.caller_left = True

    def closed(self, reason: str) -> None:
        """The session closed, for `reason` (LiveKit's close reason)."""
        self.ended_reason = reason

    def final_status(self, *, denial_policy: str) -> CallStatus:
        """The status the record carries: what `end()` said, else what the outcome shows."""
        if self.status is not None:
            return self.status
        if any(e["type"] == "session_error" for e in self.events):
            return "error"
        c = self.consent
        refused = (
            c is not None and not c.decision and c.ending in ("answered", "unclear", "turn_limit")
        )
        if refused and denial_policy == "hang_up":
            return "declined"
        if self.form is not None and self.caller_left:
            return "caller_hung_up"
        return "complete"

    def consent_summary(self) -> dict[str, Any] | None:
        c = self.consent
        if c is None:
            return None
        return {
            "decision": c.decision,
            "method": c.method,
            "ending": c.ending,
            "matched": c.matched,
            "confirmed": c.confirmed,
            "wording_version": c.wording_version,
            "asked_at": c.asked_at.isoformat(),
            "answered_at": c.answered_at.isoformat() if c.answered_at else None,
            "recorded": self.recorded,
            "withdrawn_at": (
                self.consent_withdrawn_at.isoformat() if self.consent_withdrawn_at else None
            ),
        }

    def to_record(
        self,
        *,
        job_id: str,
        room: str,
        room_id: str | None,
        caller: Any,
        started_at: datetime,
        denial_policy: str,
    ) -> CallRecord:
        return CallRecord(
            job_id=job_id,
            room_id=room_id,
            room=room,
            started_at=started_at,
            ended_at=utcnow(),
            summary=self.summary,
            results=self.results,
            form=self.form,
            status=self.final_status(denial_policy=denial_policy),
            consent=self.consent_summary(),
            ended_reason=self.limit or self.ended_reason,
            caller=caller,
            events=self.events,
            after_hours=self.after_hours,
            lookup=self.lookup,
        )

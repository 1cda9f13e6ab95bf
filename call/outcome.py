"""What happened on a call, as its record will say it: consent, what was done, how it ended.

The agents and tasks write here through a few verbs (`note`, `end`, `left`); the call's
services (settings, store, controls) live in `call.call.Call`. How the call ended is
decided in one place (`call.ending.decide_ending`, read through `ending()`);
`call.record_builder` turns the outcome into the record that is stored and delivered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, get_args

from call.ending import (
    DECLARABLE,
    ConsentState,
    Declaration,
    Declared,
    Ending,
    EndingFacts,
    decide_ending,
)
from store.call_record import CallStatus, Stage
from store.caller_lookup import CallerLookup
from store.records import ConsentRecord, utcnow

GrantKind = Literal["credit", "refund"]
CallbackSource = Literal["caller_id", "given_by_caller"]
# The line's limits (config/limits.py): the record's `ended_reason` when one ended the call.
LimitReason = Literal["silence_timeout", "max_duration"]
LIMIT_REASONS: frozenset[str] = frozenset(get_args(LimitReason))


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
    # How it ended: the causes code declared (`end()`, first wins), and what the session
    # showed: the caller leaving (and where they were), LiveKit's close reason.
    declared: list[Declaration] = field(default_factory=list)
    caller_left: bool = False
    left_stage: Stage | None = None
    close_reason: str | None = None
    ended_at: datetime | None = None
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
        if event == "transfer" and details.get("outcome") == "connected":
            self.end("transferred", mode=details.get("mode"))  # stage: still the transfer
        self.events.append({"type": event, "at": utcnow(), **details})

    def granted_total(self, kind: GrantKind) -> Decimal:
        return sum((g.amount for g in self.grants if g.kind == kind), Decimal(0))

    def end(self, reason: Declared, /, **detail: Any) -> None:
        """Say why the call is ending (an ended_reason of `call.ending`, or "declined" for
        the agent ending it after a no). The first cause said is the one recorded."""
        if reason not in DECLARABLE:
            raise ValueError(f"{reason!r} is not an ending: use one of {sorted(DECLARABLE)}")
        self.declared.append(Declaration(reason, self.stage(), detail))

    def time_out(self, reason: LimitReason) -> None:
        """One of the line's limits ends the call (call/silence.py, call/duration.py). It
        stands over any other cause, said before or after: what the limit interrupted
        ending too is not another cause. The first limit wins."""
        if self.limit is None:
            self.declared.insert(0, Declaration(reason, self.stage(), {}))

    @property
    def limit(self) -> LimitReason | None:
        """The line's limit that ended the call, if one did."""
        for said in self.declared:
            if said.reason in LIMIT_REASONS:
                return said.reason  # type: ignore[return-value]
        return None

    def left(self) -> None:
        """The caller hung up."""
        if not self.caller_left:
            self.left_stage = self.stage()
        self.caller_left = True

    def closed(self, reason: str) -> None:
        """The session closed, for `reason` (LiveKit's close reason)."""
        self.close_reason = reason
        self.ended_at = self.ended_at or utcnow()

    def stage(self) -> Stage:
        """Where the call is: the consent question, a transfer, a form, or the conversation."""
        for event in reversed(self.events):
            kind = event["type"]
            if kind == "transfer_requested":
                return "transfer"
            if kind == "form_started":
                return "form"
            if kind in ("transfer", "form_ended"):
                break
        c = self.consent
        if c is None or c.ending in ("hung_up", "session_closed", "silence"):
            return "consent"
        return "conversation"

    def consent_state(self) -> ConsentState:
        c = self.consent
        if c is None:
            return "none"
        if c.decision:
            return "yes"
        if c.ending == "answered":
            return "refused"
        if c.ending in ("unclear", "turn_limit", "silence"):
            return "unanswered"
        return "hung_up" if c.ending == "hung_up" else "session_closed"

    def ending(self) -> Ending:
        """How the call ended (or, mid-call, how it would be recorded now)."""
        return decide_ending(
            EndingFacts(
                declared=tuple(self.declared),
                consent=self.consent_state(),
                caller_left=self.caller_left,
                left_stage=self.left_stage,
                close_reason=self.close_reason,
                session_error=any(e["type"] == "session_error" for e in self.events),
                stage=self.stage(),
            )
        )

    @property
    def status(self) -> CallStatus:
        return self.ending().status

    def transfer(self) -> dict[str, Any] | None:
        """The last transfer tried: its request and how it ended (None if none was)."""
        requested: dict[str, Any] | None = None
        ended: dict[str, Any] | None = None
        for event in self.events:
            if event["type"] == "transfer_requested":
                requested, ended = event, None
            elif event["type"] == "transfer":
                ended = event
        if requested is None and ended is None:
            return None
        return {"requested": requested, "ended": ended}

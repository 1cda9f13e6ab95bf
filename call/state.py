"""Everything one call knows, shared by its agents and tasks as `session.userdata`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from call.controls import CallControls
from call.journal import Journal
from config.settings import Settings
from pipeline.models import ModelKit
from store.records import CallerInfo, CallStatus, utcnow
from tasks.consent import ConsentResult

if TYPE_CHECKING:
    from forms.model import Form

GrantKind = Literal["credit", "refund"]


@dataclass(frozen=True)
class Grant:
    kind: GrantKind
    amount: Decimal
    currency: str
    reason: str
    granted_at: datetime = field(default_factory=utcnow)


CallbackSource = Literal["caller_id", "given_by_caller"]


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
class CallState:
    settings: Settings
    models: ModelKit
    journal: Journal
    controls: CallControls
    job_id: str
    room: str
    room_id: str | None = None
    caller: CallerInfo = field(default_factory=CallerInfo)
    started_at: datetime = field(default_factory=utcnow)
    consent: ConsentResult | None = None
    egress_id: str | None = None
    # When the caller took back their yes mid-call (the recording stopped then).
    consent_withdrawn_at: datetime | None = None
    caller_left: bool = False
    wants_manager: bool = False
    grants: list[Grant] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)
    form: str | None = None
    summary: str | None = None
    status: CallStatus | None = None
    ended_reason: str | None = None
    # The form this call runs after consent (chosen at dispatch: forms.selection.select_form).
    selected_form: Form | None = None
    # Set once the call record is stored: it is stored once, whoever gets there first.
    record_id: str | None = None
    record_lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    transfer_outcome: str | None = None
    callback_offered: bool = False
    callback: CallbackRequest | None = None

    @property
    def recorded(self) -> bool:
        return self.egress_id is not None

    def note(self, event: str, /, **details: Any) -> None:
        """Add an event to the call's record (escalations, grants, transfers, errors)."""
        self.events.append({"type": event, "at": utcnow().isoformat(), **details})

    def granted_total(self, kind: GrantKind) -> Decimal:
        return sum((g.amount for g in self.grants if g.kind == kind), Decimal(0))

"""One call: its services (settings, models, store writes, controls), who is calling, and
its outcome. Shared by the call's agents and tasks as `session.userdata`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from call.controls import CallControls
from call.journal import Journal
from call.outcome import CallOutcome
from config.settings import Settings
from pipeline.models import ModelKit
from store.records import CallerInfo, CallRecord, utcnow

if TYPE_CHECKING:
    from forms.model import Form


@dataclass
class Call:
    settings: Settings
    models: ModelKit
    journal: Journal  # background writes to the store, awaited at the end
    controls: CallControls  # recording, hang-up, transfers
    job_id: str
    room: str
    room_id: str | None = None
    caller: CallerInfo = field(default_factory=CallerInfo)
    started_at: datetime = field(default_factory=utcnow)
    # The form this call runs after consent (chosen at dispatch: tasks.form_selection).
    selected_form: Form | None = None
    # The caller asked for a manager while the consent question was open.
    wants_manager: bool = False
    outcome: CallOutcome = field(default_factory=CallOutcome)
    # Set once the call record is stored: it is stored once, whoever gets there first.
    record_id: str | None = None
    record_lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    # The caller lookup (LOOKUP_URL), running beside the consent question (call/lookup.py).
    lookup_task: asyncio.Task[Any] | None = field(default=None, repr=False)

    def after_hours(self, at: datetime | None = None) -> bool:
        """No one can take the call at `at` (now): outside the business hours' schedule."""
        return not self.settings.hours.open_at(at or utcnow())

    def to_record(self) -> CallRecord:
        return self.outcome.to_record(
            job_id=self.job_id,
            room=self.room,
            room_id=self.room_id,
            caller=self.caller,
            started_at=self.started_at,
            denial_policy=self.settings.consent.consent_denial_policy,
        )

"""One call: its services (settings, models, store writes, controls), who is calling, and
its outcome. Shared by the call's agents and tasks as `session.userdata`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from call.controls import CallControls, EgressReport
from call.journal import Journal
from call.outcome import CallOutcome
from call.record_builder import build_record
from config.settings import Settings
from pipeline.models import ModelKit
from store.call_record import CallRecord
from store.records import CallerInfo, utcnow

if TYPE_CHECKING:
    from call.analysis import AnalysisResult
    from call.capture import SessionCapture
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
    # The form that ran (set when it starts: from dispatch, or started by an agent).
    collected_form: Form | None = None
    # The caller asked for a manager while the consent question was open.
    wants_manager: bool = False
    outcome: CallOutcome = field(default_factory=CallOutcome)
    # What the record reads from the session (history, usage), set by `bind_call`.
    capture: SessionCapture | None = None
    # Filled in after the call, before the record is stored (call/record.py).
    analysis: AnalysisResult | None = None
    recording_report: EgressReport | None = None
    finishing: asyncio.Task[None] | None = field(default=None, repr=False)
    # Set once the call record is stored: it is stored once, whoever gets there first.
    record_id: str | None = None
    record_lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    # The caller lookup (LOOKUP_URL), running beside the consent question (call/lookup.py).
    lookup_task: asyncio.Task[Any] | None = field(default=None, repr=False)

    def after_hours(self, at: datetime | None = None) -> bool:
        """No one can take the call at `at` (now): outside the business hours' schedule."""
        return not self.settings.hours.open_at(at or utcnow())

    def to_record(self) -> CallRecord:
        return build_record(self)

"""Business hours: when a person can take the call, and what the caller hears outside them.

With `BUSINESS_HOURS_FILE` unset the line is always open. With a schedule
(`config/schedule.py`), a call outside its hours still asks for consent first; the greeting
can say the office is closed, no transfer to a person is offered or attempted, and the
record says `after_hours: true`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import Field, PrivateAttr, field_validator

from config.schedule import Schedule, ScheduleError, load_schedule
from config.section import Section

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class HoursSettings(Section):
    business_hours_file: Path | None = Field(
        default=None,
        description=(
            "A schedule file (YAML: time_zone, weekly hours, dated closures), relative to the "
            "project; checked at start (unset: always open)."
        ),
    )
    after_hours_announce: bool = Field(
        default=True,
        description=(
            "Outside business hours, say AFTER_HOURS_GREETING after the greeting, before the "
            "recording question."
        ),
    )
    after_hours_greeting: str | None = Field(
        default=None,
        min_length=1,
        description="That line. Unset: the language file's words.",
    )
    after_hours_transfer: str | None = Field(
        default=None,
        min_length=1,
        description=(
            "Said instead of a transfer outside business hours, before the call-back offer. "
            "Unset: the language file's words."
        ),
    )

    _schedule: Schedule | None = PrivateAttr(default=None)

    @field_validator("business_hours_file")
    @classmethod
    def _schedule_loads(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        value = value if value.is_absolute() else PROJECT_ROOT / value  # any working directory
        try:
            load_schedule(value)
        except ScheduleError as exc:
            raise ValueError(
                "the schedule doesn't load; fix each problem:"
                + "".join(f"\n      {p}" for p in exc.problems)
            ) from None
        return value

    def model_post_init(self, context: object, /) -> None:
        if self.business_hours_file is not None:
            self._schedule = load_schedule(self.business_hours_file)

    @property
    def schedule(self) -> Schedule | None:
        return self._schedule

    def open_at(self, at: datetime) -> bool:
        """A person can take the call at `at` (always, without a schedule)."""
        return self._schedule is None or self._schedule.is_open(at)

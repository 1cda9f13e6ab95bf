"""Business hours: a schedule file (YAML) of weekly opening hours and dated closures.

    time_zone: America/New_York        # an IANA name; hours are local time there
    weekly:                            # a day left out, or [], is closed all day
      monday: ["09:00-17:00"]
      tuesday: ["09:00-12:00", "13:00-17:00"]
      saturday: ["10:00-14:00"]
    closures:                          # closed all day, on these local dates
      - {date: 2026-12-25, name: Christmas Day}
      - {date: 2026-12-31, until: 2027-01-01, name: New Year}

A range runs from its start up to (not including) its end; `24:00` ends at midnight. A
shift past midnight is two ranges on two days. The file is read at start
(`config/hours.py`): every problem is reported with the file and the entry it is in.
"""

from __future__ import annotations

import difflib
import itertools
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from forms.yaml_source import SourceError, decode_utf8, parse_yaml

Day = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
DAYS: tuple[Day, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class ScheduleError(Exception):
    """A schedule file that can't be used: every problem, each naming the file and entry."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def _minutes(hours: str, minutes: str, text: str) -> int:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m != 0):
        raise ValueError(f"{text!r}: {hours}:{minutes} is not a time of day (00:00 to 24:00)")
    return h * 60 + m


class Opening(BaseModel):
    """One range of opening hours in a day, in minutes from local midnight."""

    model_config = ConfigDict(frozen=True)

    start: int
    end: int

    @classmethod
    def parse(cls, text: Any) -> Opening:
        if not isinstance(text, str):
            raise ValueError(f'{text!r} is not a range of hours: write it as "09:00-17:00"')
        match = _RANGE.match(text)
        if not match:
            raise ValueError(f'{text!r} is not a range of hours: write it as "09:00-17:00"')
        start = _minutes(match.group(1), match.group(2), text)
        end = _minutes(match.group(3), match.group(4), text)
        if end <= start:
            raise ValueError(
                f"{text!r} ends before it starts: split a shift past midnight across two days "
                '(friday: ["22:00-24:00"], saturday: ["00:00-06:00"])'
            )
        return cls(start=start, end=end)

    def __str__(self) -> str:
        return (
            f"{self.start // 60:02d}:{self.start % 60:02d}-{self.end // 60:02d}:{self.end % 60:02d}"
        )


def _opening(value: Any) -> Any:
    return value if isinstance(value, Opening) else Opening.parse(value)


Hours = Annotated[Opening, BeforeValidator(_opening)]


class Closure(BaseModel):
    """Closed all day from `date` to `until` (local dates, both included)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: date
    until: date | None = None
    name: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _in_order(self) -> Closure:
        if self.until is not None and self.until < self.date:
            raise ValueError(f"until ({self.until}) is before date ({self.date})")
        return self

    def covers(self, day: date) -> bool:
        return self.date <= day <= (self.until or self.date)


class Schedule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    time_zone: str
    weekly: dict[Day, list[Hours]] = Field(default_factory=dict)
    closures: list[Closure] = Field(default_factory=list)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            near = difflib.get_close_matches(value, sorted(available_timezones()), n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            raise ValueError(
                f"{value!r} is not a time zone{hint}: use an IANA name such as "
                "America/New_York or Europe/Paris"
            ) from None
        return value

    @field_validator("weekly", mode="before")
    @classmethod
    def _ranges(cls, value: Any) -> Any:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError("must map days (monday ... sunday) to lists of hours")
        # monday: "09:00-17:00" is one range; monday: (nothing) is closed
        return {
            day: [] if r is None else [r] if isinstance(r, str) else r for day, r in value.items()
        }

    @field_validator("weekly")
    @classmethod
    def _no_overlap(cls, value: dict[Day, list[Opening]]) -> dict[Day, list[Opening]]:
        for day, ranges in value.items():
            ordered = sorted(ranges, key=lambda r: r.start)
            for a, b in itertools.pairwise(ordered):
                if b.start < a.end:
                    raise ValueError(f"{day}: {a} and {b} overlap; merge them into one range")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_open(self, at: datetime) -> bool:
        """Whether `at` (an aware datetime) falls in opening hours, in the schedule's zone."""
        if at.tzinfo is None:
            raise ValueError("`at` must carry its time zone (e.g. datetime.now(UTC))")
        local = at.astimezone(self.zone)
        if any(c.covers(local.date()) for c in self.closures):
            return False
        minute = local.hour * 60 + local.minute
        return any(r.start <= minute < r.end for r in self.weekly.get(DAYS[local.weekday()], []))

    def reopens(self, at: datetime, *, within_days: int = 14) -> datetime | None:
        """The first moment after `at` when it is open, if within `within_days`."""
        local = at.astimezone(self.zone)
        for offset in range(within_days + 1):
            day = local.date() + timedelta(days=offset)
            if any(c.covers(day) for c in self.closures):
                continue
            for r in sorted(self.weekly.get(DAYS[day.weekday()], []), key=lambda r: r.start):
                opens = self._first_moment(day, r.start)
                if opens > at and self.is_open(opens):
                    return opens
        return None

    def _first_moment(self, day: date, minute: int) -> datetime:
        """The first instant whose local time on `day` is `minute` or later. In a daylight
        saving gap (02:30 on the day clocks jump from 02:00 to 03:00) that is the jump."""
        wall = datetime.combine(day, time(minute // 60, minute % 60))
        after = wall.replace(tzinfo=self.zone)  # fold=0: read with the offset before a gap
        if after.astimezone(UTC).astimezone(self.zone).replace(tzinfo=None) == wall:
            return after
        before = wall.replace(tzinfo=self.zone, fold=1).astimezone(UTC)  # the offset after
        after = after.astimezone(UTC)
        while after - before > timedelta(seconds=1):  # the jump is between the two
            middle = before + (after - before) / 2
            if middle.astimezone(self.zone).replace(tzinfo=None) >= wall:
                after = middle
            else:
                before = middle
        jump = before.replace(second=0, microsecond=0) + timedelta(minutes=1)  # on a minute
        return jump.astimezone(self.zone)


def _where(loc: tuple[Any, ...], data: Any) -> str:
    """`weekly.monday[1] '17:00-09:00'`: the entry a pydantic error is about."""
    path = ""
    value = data
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
        try:
            value = value[part] if not isinstance(value, str) else None
        except (KeyError, IndexError, TypeError):
            value = None
    shown = f" {value!r}" if isinstance(value, str | int | float) else ""
    return f"{path}{shown}"


def _bad_dates(text: str, path: Path) -> list[str]:
    """Dates YAML reads as dates but that don't exist (2026-02-30), with their lines."""
    problems = []
    nodes = [yaml.compose(text, Loader=yaml.SafeLoader)]
    while nodes:
        node = nodes.pop()
        if isinstance(node, yaml.MappingNode):
            nodes.extend(value for pair in node.value for value in pair)
        elif isinstance(node, yaml.SequenceNode):
            nodes.extend(node.value)
        elif isinstance(node, yaml.ScalarNode) and node.tag.endswith(":timestamp"):
            try:
                date.fromisoformat(node.value[:10])
            except ValueError:
                problems.append(
                    f"{path}:{node.start_mark.line + 1}: {node.value!r} is not a date that "
                    "exists; write dates as YYYY-MM-DD"
                )
    return problems


def load_schedule(path: Path) -> Schedule:
    """The schedule in `path`, or ScheduleError naming every problem with its entry."""
    source = str(path)
    try:
        text = decode_utf8(path.read_bytes(), source=source)
        data = parse_yaml(text, source=source)
    except OSError as exc:
        raise ScheduleError([f"{path}: can't be read ({exc.strerror or exc})"]) from None
    except SourceError as exc:
        raise ScheduleError(exc.problems) from None
    except ValueError:  # YAML read a date that doesn't exist
        raise ScheduleError(_bad_dates(text, path)) from None
    if not isinstance(data, dict):
        raise ScheduleError([f"{path}: must be a mapping with time_zone, weekly and closures"])
    try:
        return Schedule.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            loc = tuple(error["loc"])
            if error["type"] == "literal_error" and loc[:1] == ("weekly",):
                message = f"not a day: use {', '.join(DAYS)}"
                loc = loc[:2]
            elif error["type"] == "missing":
                message = "is required"
            elif error["type"] == "extra_forbidden":
                message = "is not a setting of a schedule (time_zone, weekly, closures)"
                if loc[:1] == ("closures",):
                    message = "is not a field of a closure (date, until, name)"
            where = _where(loc, data)
            if where.partition(" ")[2] and where.partition(" ")[2] in message:
                where = where.partition(" ")[0]  # the message quotes the value already
            problems.append(f"{path}: {where}: {message}")
        raise ScheduleError(problems) from None

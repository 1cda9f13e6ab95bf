"""Business-hours schedules as an operator writes them: what is open when, in any time zone,
and every mistake in a file named with the file and the entry, at start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.schedule import DAYS, Schedule, ScheduleError, load_schedule
from config.settings import SettingsError, load_settings

NEW_YORK = ZoneInfo("America/New_York")


def schedule(text: str, tmp_path: Path) -> Schedule:
    path = tmp_path / "hours.yaml"
    path.write_text(text)
    return load_schedule(path)


OFFICE = """
time_zone: America/New_York
weekly:
  monday: ["09:00-17:00"]
  tuesday: ["09:00-12:00", "13:00-17:00"]
  wednesday: "09:00-17:00"
  thursday: ["09:00-17:00"]
  friday: ["09:00-17:00", "22:00-24:00"]
  saturday: ["00:00-02:00"]
  sunday:
closures:
  - {date: 2026-12-25, name: Christmas Day}
  - {date: 2026-12-31, until: 2027-01-01}
"""


@pytest.mark.parametrize(
    ("local", "is_open"),
    [
        ("2026-11-23 08:59", False),  # Monday, before opening
        ("2026-11-23 09:00", True),
        ("2026-11-23 16:59", True),
        ("2026-11-23 17:00", False),  # a range ends before its end
        ("2026-11-24 12:30", False),  # Tuesday's lunch break
        ("2026-11-25 10:00", True),  # a single range written without a list
        ("2026-11-27 23:59", True),  # Friday's late shift runs to midnight...
        ("2026-11-28 01:00", True),  # ...and on past it, as Saturday's range
        ("2026-11-28 02:00", False),
        ("2026-11-29 12:00", False),  # Sunday: left empty, closed
        ("2026-12-25 10:00", False),  # a Friday, but Christmas
        ("2027-01-01 10:00", False),  # a closure's last day is closed too
        ("2027-01-04 10:00", True),
        ("2026-03-09 09:30", True),  # the Monday after clocks went forward
        ("2026-11-02 09:30", True),  # the Monday after they went back
    ],
)
def test_open_when_the_office_is(tmp_path: Path, local: str, is_open: bool) -> None:
    at = datetime.fromisoformat(local).replace(tzinfo=NEW_YORK)
    assert schedule(OFFICE, tmp_path).is_open(at.astimezone(UTC)) is is_open


instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
ranges = st.tuples(st.integers(0, 47), st.integers(1, 48)).map(
    lambda r: (min(r), max(r) + (r[0] == r[1]))
)


def _hhmm(half_hours: int) -> str:
    return f"{half_hours // 2:02d}:{30 * (half_hours % 2):02d}"


weekly = st.dictionaries(
    st.sampled_from(DAYS),
    ranges.map(lambda r: [f"{_hhmm(r[0])}-{_hhmm(r[1])}"]),
)
zones = st.sampled_from(
    ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]
)


@settings(max_examples=300, deadline=None)
@given(weekly=weekly, zone=zones, at=instants)
def test_the_same_instant_gets_the_same_answer_in_any_zone_it_is_written_in(
    weekly: dict, zone: str, at: datetime
) -> None:
    s = Schedule.model_validate({"time_zone": zone, "weekly": weekly})
    answers = {s.is_open(at.astimezone(ZoneInfo(z))) for z in ("UTC", "Asia/Tokyo", zone)}
    assert len(answers) == 1


@settings(max_examples=300, deadline=None)
@given(weekly=weekly, zone=zones, at=instants)
def test_a_closure_on_the_local_date_closes_whatever_the_hours(
    weekly: dict, zone: str, at: datetime
) -> None:
    local_day = at.astimezone(ZoneInfo(zone)).date()
    closed = Schedule.model_validate(
        {"time_zone": zone, "weekly": weekly, "closures": [{"date": local_day}]}
    )
    assert closed.is_open(at) is False


@settings(max_examples=200, deadline=None)
@given(weekly=weekly, zone=zones, at=instants)
def test_reopening_is_the_first_open_moment_after_a_closed_one(
    weekly: dict, zone: str, at: datetime
) -> None:
    s = Schedule.model_validate({"time_zone": zone, "weekly": weekly})
    if s.is_open(at):
        return
    opens = s.reopens(at)
    if not weekly:
        assert opens is None
        return
    assert opens is not None and opens > at
    assert s.is_open(opens)
    # Closed all the way up to it (checked every quarter of an hour).
    step = at + timedelta(minutes=15)
    while step < opens:
        assert not s.is_open(step)
        step += timedelta(minutes=15)


def test_every_mistake_in_a_file_is_named_with_its_entry(tmp_path: Path) -> None:
    path = tmp_path / "hours.yaml"
    path.write_text(
        """
time_zone: America/New_Yrok
weekly:
  monday: ["09:00-17:00", "17:00-09:00"]
  mondy: ["09:00-17:00"]
  tuesday: ["9-5"]
  thursday: "09:00-25:00"
closures:
  - {date: 2026-12-31, until: 2026-12-01}
  - {day: 2026-12-31}
colour: blue
"""
    )
    with pytest.raises(ScheduleError) as caught:
        load_schedule(path)
    assert caught.value.problems == [
        f"{path}: time_zone: 'America/New_Yrok' is not a time zone (did you mean "
        "America/New_York?): use an IANA name such as America/New_York or Europe/Paris",
        f"{path}: weekly.monday[1]: '17:00-09:00' ends before it starts: split a shift past "
        'midnight across two days (friday: ["22:00-24:00"], saturday: ["00:00-06:00"])',
        f"{path}: weekly.mondy: not a day: use monday, tuesday, wednesday, thursday, friday, "
        "saturday, sunday",
        f"{path}: weekly.tuesday[0]: '9-5' is not a range of hours: write it as \"09:00-17:00\"",
        f"{path}: weekly.thursday[0]: '09:00-25:00': 25:00 is not a time of day (00:00 to 24:00)",
        f"{path}: closures[0]: until (2026-12-01) is before date (2026-12-31)",
        f"{path}: closures[1].date: is required",
        f"{path}: closures[1].day: is not a field of a closure (date, until, name)",
        f"{path}: colour 'blue': is not a setting of a schedule (time_zone, weekly, closures)",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "time_zone: UTC\nweekly: {monday: [09:00-12:00, 11:00-13:00]}\n",
            "weekly: monday: 09:00-12:00 and 11:00-13:00 overlap; merge them into one range",
        ),
        (
            "time_zone: UTC\nclosures:\n  - {date: 2026-02-30}\n",
            ":3: '2026-02-30' is not a date that exists; write dates as YYYY-MM-DD",
        ),
        ("time_zone: UTC\nweekly:\n  monday: [\n", "not valid YAML"),
        ("- monday\n", "must be a mapping with time_zone, weekly and closures"),
        ("weekly: {}\n", "time_zone: is required"),
        ("time_zone: UTC\ntime_zone: Europe/Paris\n", "`time_zone` is written twice"),
    ],
)
def test_a_file_that_cant_be_used_says_why(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "hours.yaml"
    path.write_text(text)
    with pytest.raises(ScheduleError) as caught:
        load_schedule(path)
    assert any(problem in p and str(path) in p for p in caught.value.problems), caught.value


def test_a_bad_schedule_stops_the_start_with_the_other_settings_problems(tmp_path: Path) -> None:
    path = tmp_path / "hours.yaml"
    path.write_text("time_zone: Mars/Olympus\n")
    with pytest.raises(SettingsError) as caught:
        load_settings(hours={"business_hours_file": str(path)}, limits={"max_call_seconds": "0"})
    text = str(caught.value)
    assert f"BUSINESS_HOURS_FILE='{path}': the schedule doesn't load" in text
    assert f"{path}: time_zone: 'Mars/Olympus' is not a time zone" in text
    assert "MAX_CALL_SECONDS='0'" in text


def test_a_missing_schedule_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(hours={"business_hours_file": str(tmp_path / "nope.yaml")})
    assert f"{tmp_path / 'nope.yaml'}: can't be read (No such file or directory)" in str(
        caught.value
    )


def test_a_date_in_a_closure_is_a_local_date(tmp_path: Path) -> None:
    every_day = ", ".join(f"{day}: 00:00-24:00" for day in DAYS)
    s = schedule(
        f"time_zone: Pacific/Auckland\nweekly: {{{every_day}}}\nclosures: [{{date: 2026-12-25}}]\n",
        tmp_path,
    )
    # Auckland is 13 hours ahead in December: Christmas Day there is 11:00 UTC on the 24th
    # to 11:00 UTC on the 25th.
    assert s.is_open(datetime(2026, 12, 24, 10, 59, tzinfo=UTC)) is True
    assert s.is_open(datetime(2026, 12, 24, 11, 0, tzinfo=UTC)) is False
    assert s.is_open(datetime(2026, 12, 25, 10, 59, tzinfo=UTC)) is False
    assert s.is_open(datetime(2026, 12, 25, 11, 0, tzinfo=UTC)) is True
    assert s.reopens(datetime(2026, 12, 24, 12, 0, tzinfo=UTC)) == datetime(
        2026, 12, 25, 11, 0, tzinfo=UTC
    )


def test_a_range_that_starts_in_a_daylight_saving_gap_opens_at_the_jump(tmp_path: Path) -> None:
    s = schedule("time_zone: America/New_York\nweekly: {sunday: 02:30-04:00}\n", tmp_path)
    # 8 March 2026: clocks go from 02:00 straight to 03:00; 02:30 never happens.
    opens = s.reopens(datetime(2026, 3, 7, 12, 0, tzinfo=UTC))
    assert opens == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 03:00 EDT
    assert s.is_open(opens) and not s.is_open(opens.astimezone(UTC) - timedelta(seconds=1))

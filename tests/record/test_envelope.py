"""The payload's envelope: typed, versioned, one timestamp format, a schema kept current."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from offline.scripted_llm import call, say
from store.call_record import CallRecord
from store.call_record_schema import rendered
from store.timestamps import UTC_PATTERN, format_utc, to_utc
from tests.call.scripts import at_front_desk, front_desk
from tests.conftest import PAYLOAD_VALIDATOR, SCHEMA_FILE
from tests.harness import offline_call

ISO_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}T")


def test_the_committed_schema_is_generated_from_the_model() -> None:
    assert SCHEMA_FILE.read_text() == rendered(), (
        "docs/call-record.schema.json is stale: run "
        "`python -m store.call_record_schema > docs/call-record.schema.json`"
    )


def _strings(value: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(v, f"{path}/{k}")]
    if isinstance(value, list):
        return [s for i, v in enumerate(value) for s in _strings(v, f"{path}/{i}")]
    return [(path, value)] if isinstance(value, str) else []


async def test_a_call_record_says_what_it_is_and_every_time_in_it_is_utc_z(
    tmp_path: Path,
) -> None:
    script = front_desk()
    script.when(
        lambda r: at_front_desk(r) and r.user_said("bill"), call("route_to", department="billing")
    )
    script.when(lambda r: r.offers("record_billing_issue"), say("Billing here."))
    async with offline_call(script, database_path=tmp_path / "c.db") as c:
        await c.start()
        await c.caller_says("yes")
        await c.caller_says("my bill is wrong")
        await c.hang_up()
        await c.settle()
        [row] = await c.store.outbox_rows()
        stored = await c.store.outbox_row(row.webhook_id)
        assert stored is not None
        payload = json.loads(stored.payload)

    assert (payload["type"], payload["schema_version"]) == ("call.ended", "2.0")
    times = [(p, s) for p, s in _strings(payload) if ISO_LIKE.match(s)]
    assert len(times) > 10  # the call's times, the consent's, every event's and line's
    assert [(p, s) for p, s in times if not re.match(UTC_PATTERN, s)] == []
    assert payload["duration_seconds"] >= 0
    assert not list(PAYLOAD_VALIDATOR.iter_errors(payload))


def test_the_schema_refuses_an_offset_timestamp() -> None:
    """What the old payload did (events in +00:00, the rest in Z) no longer validates."""
    now = datetime.now(UTC)
    payload = CallRecord(
        job_id="AJ_1", room="r", started_at=now, ended_at=now, status="caller_hung_up"
    ).model_dump(mode="json")
    assert not list(PAYLOAD_VALIDATOR.iter_errors(payload))
    payload["ended_at"] = now.isoformat()  # "...+00:00"
    assert [e.path[-1] for e in PAYLOAD_VALIDATOR.iter_errors(payload)] == ["ended_at"]


aware_times = st.datetimes(
    min_value=datetime(1971, 1, 1),
    max_value=datetime(2200, 1, 1),
    timezones=st.sampled_from(
        [
            UTC,
            timezone(timedelta(hours=-8)),
            timezone(timedelta(hours=5, minutes=30)),
            timezone(timedelta(hours=14)),
        ]
    ),
)


@given(aware_times)
def test_any_aware_time_is_written_in_utc_with_z_and_means_the_same_instant(t: datetime) -> None:
    text = format_utc(t)
    assert re.match(UTC_PATTERN, text)
    assert to_utc(text) == t


def test_a_time_without_a_zone_is_refused_with_how_to_fix_it() -> None:
    with pytest.raises(ValueError, match="has no time zone: give it in UTC"):
        CallRecord(
            job_id="AJ_1",
            room="r",
            started_at=datetime(2026, 1, 1),
            ended_at=datetime.now(UTC),
            status="error",
        )


async def test_a_part_that_cannot_be_built_leaves_the_rest_of_the_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import call.record_builder

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("caller said 555-0100")  # an error's text can quote the call

    monkeypatch.setattr(call.record_builder, "timings", broken)
    async with offline_call(front_desk(), database_path=tmp_path / "c.db") as c:
        await c.start()
        await c.caller_says("yes")
        c.state.outcome.events.append({"type": "odd", "at": datetime(2026, 1, 1)})  # no zone
        await c.hang_up()
        await c.settle()
        [row] = await c.store.outbox_rows()
        stored = await c.store.outbox_row(row.webhook_id)
        assert stored is not None
        payload = json.loads(stored.payload)

    failed = [e for e in payload["events"] if e["type"] == "record_part_failed"]
    assert [(e["part"], e["error"]) for e in failed] == [
        ("timings", "RuntimeError"),
        ("events", "ValidationError"),
    ]
    assert "555-0100" not in stored.payload
    assert payload["timings"]["latency"]["turns"] == []  # the empty part
    assert payload["transcript"]["included"] is True  # everything else is there
    assert payload["ended_reason"] == "caller_hung_up"

"""docs/call-record.md: its example is a real call, and it explains every field, every
ending and every event the code can produce."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from call.ending import ENDINGS
from store.call_record import CallRecord
from tests.conftest import PAYLOAD_VALIDATOR
from tests.record.example_call import DOC, documented, rehearsal_payload, shape

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("agents", "call", "tasks", "telephony")
# Event types built directly by the record builder.
DYNAMIC_EVENTS = {"record_part_failed"}


async def test_the_example_is_a_real_rehearsal_call_as_it_runs_today() -> None:
    example = documented()
    assert not list(PAYLOAD_VALIDATOR.iter_errors(example))
    assert shape(example) == shape(await rehearsal_payload()), (
        "docs/call-record.md's example is stale: run `python -m tests.record.example_call`"
    )


def _fields(model: type[BaseModel], seen: set[type]) -> set[str]:
    names: set[str] = set()
    if model in seen:
        return names
    seen.add(model)
    for name, info in model.model_fields.items():
        names.add(name)
        for inner in _models(info.annotation):
            names |= _fields(inner, seen)
    return names


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _models(arg)]


def test_every_field_of_the_payload_is_explained() -> None:
    text = DOC.read_text()
    missing = sorted(
        n
        for n in _fields(CallRecord, set())
        if not re.search(rf"`(?:[\w.\[\]]*\.)?{n}(?:\[\])?`", text)
    )
    assert missing == [], f"explain these fields in docs/call-record.md: {missing}"


def test_the_endings_table_is_the_one_the_code_decides_with() -> None:
    text = DOC.read_text()
    rows = re.findall(r"^\| `(\w+)` \| `(\w+)` \| (\w+) \|", text, re.M)
    assert {r: (s, b) for r, s, b in rows} == ENDINGS


def test_every_event_the_code_records_is_listed() -> None:
    noted: set[str] = set(DYNAMIC_EVENTS)
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            noted |= set(re.findall(r"\.note\(\s*\"([a-z_]+)\"", path.read_text()))
    listed = set(re.findall(r"^\| `([a-z_]+)`(?:, `([a-z_]+)`)? \|", DOC.read_text(), re.M))
    documented_events = {name for pair in listed for name in pair if name}
    assert noted - documented_events == set()

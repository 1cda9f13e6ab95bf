"""Shared fixtures: settings from a clean environment, an offline call on a temp store, and
every call record any test builds checked against the committed JSON Schema."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from config.settings import SECTIONS, Settings, load_settings
from store.call_record import CallRecord

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "docs" / "call-record.schema.json"
PAYLOAD_VALIDATOR = jsonschema.Draft202012Validator(
    json.loads(SCHEMA_FILE.read_text()), format_checker=jsonschema.FormatChecker()
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's .env.local or shell: only what they set."""
    names = {name.upper() for cls in SECTIONS.values() for name in cls.model_fields}
    for name in list(os.environ):
        if name in names or name.startswith(("LIVEKIT_", "WEBHOOK_")):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def make_settings():
    def make(**sections: dict) -> Settings:
        return load_settings(**sections)

    return make


@pytest.fixture(autouse=True)
def every_payload_matches_the_schema(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every payload a test stores or delivers validates against docs/call-record.schema.json
    (a failure is reported at the end of the test, not swallowed by the store's guard)."""
    built = CallRecord.payload
    problems: list[str] = []

    def checked(record: CallRecord) -> dict[str, Any]:
        payload = built(record)
        problems.extend(
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in PAYLOAD_VALIDATOR.iter_errors(payload)
        )
        return payload

    monkeypatch.setattr(CallRecord, "payload", checked)
    yield
    assert not problems, "a call record does not match the committed schema:\n" + "\n".join(
        problems
    )

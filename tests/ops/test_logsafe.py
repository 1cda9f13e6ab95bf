"""PII-safe logs: what an operator reads has no phone numbers, emails or secrets."""

from __future__ import annotations

import io
import json
import logging

import pytest

import logsafe
from logsafe.filter import mask_text

SECRET = "whsec_c2VjcmV0LXNpZ25pbmcta2V5LTEyMzQ1Ng=="
API_SECRET = "lk-api-secret-9f8e7d6c5b4a"


class JsonExtras(logging.Formatter):
    """Like LiveKit's JSON formatter: message, traceback and every extra field."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"message": record.getMessage()}
        skip = set(logging.makeLogRecord({}).__dict__) | {"message"}
        out.update({k: v for k, v in record.__dict__.items() if k not in skip and k[0] != "_"})
        if record.exc_info or record.exc_text:
            out["exc"] = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        return json.dumps(out, default=str)


@pytest.fixture
def captured():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonExtras())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    logsafe.install(secrets=[SECRET, API_SECRET])
    try:
        yield stream
    finally:
        logsafe.uninstall()
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_message_args_extras_and_tracebacks_are_masked(captured: io.StringIO) -> None:
    log = logging.getLogger("agent.test")
    log.info(
        "call from %s (%s), email %s",
        "+14155550123",
        "(415) 555-0199",
        "jane.doe@example.com",
        extra={
            "caller": {"phone_number": "+442079460958", "emails": ["bob@corp.example.org"]},
            "room": "call-_+14155550123_AbCd",
            "auth": f"secret is {SECRET}",
        },
    )
    try:
        raise RuntimeError(f"endpoint rejected {API_SECRET} for +33612345678")
    except RuntimeError:
        log.exception("delivery failed")
    out = captured.getvalue()
    for raw in (
        "+14155550123",
        "555-0199",
        "jane.doe@example.com",
        "+442079460958",
        "bob@corp.example.org",
        SECRET,
        SECRET.removeprefix("whsec_"),
        API_SECRET,
        "+33612345678",
    ):
        assert raw not in out, raw
    assert "+*******0123" in out  # last digits kept, for support
    assert "j***@e***.com" in out
    assert "[REDACTED]" in out
    assert "RuntimeError" in out  # the traceback itself survives


def test_records_from_handlers_added_after_install_are_masked(captured: io.StringIO) -> None:
    late = io.StringIO()
    handler = logging.StreamHandler(late)  # e.g. added later by LiveKit's CLI
    logging.getLogger().addHandler(handler)
    try:
        logging.getLogger("late").warning("transfer to %s", "+14155550123")
    finally:
        logging.getLogger().removeHandler(handler)
    assert "+14155550123" not in late.getvalue() and "0123" in late.getvalue()


def test_mask_phone_keeps_format_and_last_digits() -> None:
    assert logsafe.mask_phone("+14155550123") == "+*******0123"
    assert logsafe.mask_phone("+1 (415) 555-0123") == "+* (***) ***-0123"
    assert logsafe.mask_phone("5550123") == "*****23"
    assert logsafe.mask_phone(None) == ""
    assert logsafe.mask_email("jane@example.com") == "j***@e***.com"


@pytest.mark.parametrize(
    "text",
    [
        "UK 07911 123456",
        "FR 06 12 34 56 78",
        "US 415.555.0123",
        "intl 0044 20 7946 0958",
        "tel:+14155550123",
    ],
)
def test_national_formats_are_masked(text: str) -> None:
    masked = mask_text(text)
    assert masked != text and sum(c.isdigit() for c in masked) <= 4


@pytest.mark.parametrize(
    "text",
    [
        "at 2026-01-15 12:30:45",
        "listening on 127.0.0.1:8080",
        "took 0.123456789 s",
        "job 123e4567-e89b-12d3-a456-426614174000",
        "webhook msg_01a200f4efbb258200f0f7dd958b",
        "rows 1234567",
    ],
)
def test_ordinary_numbers_stay_readable(text: str) -> None:
    assert mask_text(text) == text

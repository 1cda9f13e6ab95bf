"""Delivery settings: validation that says how to fix, secrets never echoed; retry maths."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from pydantic import ValidationError

from config.delivery import DeliverySettings
from config.store import StoreSettings
from delivery.sender import next_delay, parse_retry_after
from tests.delivery.receiver import SECRET


def errors(**values) -> str:
    with pytest.raises(ValidationError) as info:
        DeliverySettings(**values)
    return str(info.value)


def test_unset_url_means_store_only() -> None:
    settings = DeliverySettings()
    assert not settings.enabled
    assert sum(settings.webhook_retry_schedule) > 20 * 3600  # retries span about a day


def test_env_vars_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_URL", "https://hooks.example.com/calls")
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("WEBHOOK_HEADERS", '{"Authorization": "Bearer tok_live_abcdef"}')
    monkeypatch.setenv("WEBHOOK_RETRY_SCHEDULE", "500ms, 30s,2m,1h,1d")
    monkeypatch.setenv("CALLER_IDENTITY_RETENTION_DAYS", "30")
    s = DeliverySettings()
    assert s.webhook_retry_schedule == (0.5, 30, 120, 3600, 86400)
    assert s.extra_headers() == {"Authorization": "Bearer tok_live_abcdef"}
    assert StoreSettings().caller_identity_retention_days == 30  # the store's section has it
    assert "tok_live_abcdef" not in repr(s) and SECRET not in repr(s)
    assert {SECRET, "tok_live_abcdef"} <= set(s.secrets())


def test_plain_http_is_refused_for_remote_hosts_unless_allowed() -> None:
    message = errors(webhook_url="http://hooks.example.com/x", webhook_secret=SECRET)
    assert "https://" in message and "WEBHOOK_ALLOW_HTTP" in message
    DeliverySettings(webhook_url="http://127.0.0.1:9/x", webhook_secret=SECRET)
    DeliverySettings(webhook_url="http://localhost:9/x", webhook_secret=SECRET)
    DeliverySettings(
        webhook_url="http://hooks.internal/x", webhook_secret=SECRET, webhook_allow_http=True
    )


def test_url_needs_a_whsec_secret_and_a_bad_one_is_never_echoed() -> None:
    assert "WEBHOOK_URL is set" in errors(webhook_url="https://h.example.com/x")
    message = errors(webhook_url="https://h.example.com/x", webhook_secret="hunter2-not-whsec")
    assert "whsec_" in message and "hunter2-not-whsec" not in message
    message = errors(webhook_url="https://h.example.com/x", webhook_secret="whsec_%%%%secret")
    assert "base64" in message and "%%%%secret" not in message


def test_bad_headers_are_explained_without_their_values() -> None:
    message = errors(webhook_headers="Authorization: Bearer tok_abcdefgh")
    assert "JSON object" in message and "tok_abcdefgh" not in message
    message = errors(webhook_headers='{"webhook-signature": "v1,forged-signature"}')
    assert "can't be overridden" in message and "forged-signature" not in message


def test_bad_schedule_says_what_a_duration_looks_like() -> None:
    assert "30s, 2m, 8h" in errors(webhook_retry_schedule="5s,soon")
    assert "greater than zero" in errors(webhook_retry_schedule="0,5s")


def test_backoff_follows_the_schedule_with_bounded_jitter_then_dead_letters() -> None:
    schedule = (10.0, 60.0)
    assert next_delay(1, schedule, rand=lambda: 0.0) == pytest.approx(8.0)
    assert next_delay(1, schedule, rand=lambda: 1.0) == pytest.approx(12.0)
    assert next_delay(2, schedule, rand=lambda: 0.5) == pytest.approx(60.0)
    assert next_delay(3, schedule) is None  # exhausted: dead letter
    # Retry-After wins when longer, capped at a day
    assert next_delay(1, schedule, retry_after=120, rand=lambda: 0.5) == 120
    assert next_delay(1, schedule, retry_after=10**9, rand=lambda: 0.5) == 86400


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120
    assert (
        parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now=now) == 90
    )
    assert parse_retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now=now) == 0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None

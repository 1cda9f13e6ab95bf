"""Telephony settings: a wrong value fails at start, naming the variable and the fix."""

from __future__ import annotations

import pytest

from config.settings import SettingsError, load_settings


def problems(**telephony: object) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        load_settings(telephony=telephony)
    return caught.value.problems


def test_defaults_need_nothing_and_transfer_nowhere() -> None:
    telephony = load_settings().telephony
    assert telephony.recording_enabled is False
    assert telephony.transfers_enabled is False


def test_livekits_own_trunk_variable_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVEKIT_SIP_OUTBOUND_TRUNK", "ST_fromlivekit")
    monkeypatch.setenv("TRANSFER_NUMBER", "+1 415 555 0100")
    telephony = load_settings().telephony
    assert telephony.sip_outbound_trunk == "ST_fromlivekit"
    assert telephony.transfer_number == "+14155550100"
    assert telephony.transfers_enabled


def test_a_human_line_that_is_not_a_number_says_how_to_write_it() -> None:
    [problem] = problems(transfer_number="call Sam", sip_outbound_trunk="ST_x")
    assert problem.startswith("TRANSFER_NUMBER='call Sam'")
    assert "E.164" in problem


def test_a_warm_transfer_without_a_trunk_names_livekits_variable() -> None:
    [problem] = problems(transfer_number="+14155550100")
    assert "LIVEKIT_SIP_OUTBOUND_TRUNK" in problem


def test_cloud_storage_needs_its_credentials() -> None:
    [problem] = problems(recording_enabled=True, recording_storage="s3", recording_s3_bucket="b")
    assert problem.startswith("RECORDING_STORAGE='s3'")
    assert "RECORDING_S3_ACCESS_KEY" in problem and "RECORDING_S3_SECRET" in problem


def test_cold_mode_needs_a_target_and_hold_music_must_exist() -> None:
    found = problems(transfer_mode="cold", transfer_hold_audio="/no/such/music.ogg")
    assert any(p.startswith("COLD_TRANSFER_TO") for p in found)
    assert any(p.startswith("TRANSFER_HOLD_AUDIO") for p in found)


def test_a_cold_target_may_be_a_sip_uri() -> None:
    telephony = load_settings(
        telephony={"transfer_mode": "cold", "cold_transfer_to": "sip:desk@pbx.example.com"}
    ).telephony
    assert telephony.cold_target == "sip:desk@pbx.example.com"


def test_storage_credentials_are_listed_for_log_redaction() -> None:
    values = {"recording_s3_secret": "s3-secret-value", "recording_azure_account_key": "k" * 12}
    telephony = load_settings(telephony=values).telephony
    assert telephony.secrets() == ["s3-secret-value", None, "k" * 12]

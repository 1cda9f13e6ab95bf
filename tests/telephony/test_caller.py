"""Who is calling: SIP attributes, normalised to E.164, in the records; masked in the logs."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from livekit import api

from store.records import CallerInfo
from telephony.caller import caller_from_participant, normalise_number
from tests.call.scripts import HOW_CAN_I_HELP, QUESTION, front_desk
from tests.harness import offline_call, spoken
from tests.telephony.calls import ROOM, heard, livekit_controls, telephony_settings, until
from tests.telephony.livekit_server import LiveKitServer, sip_error
from tests.telephony.test_warm_transfer import OFFER


@dataclass
class Participant:
    """What LiveKit gives us of a caller: SIP attributes on a phone line, none on the web."""

    identity: str
    attributes: dict[str, str] = field(default_factory=dict)


SIP_CALLER = Participant(
    identity="sip_caller_1",
    attributes={
        "sip.phoneNumber": "4155550123",  # some trunks send national numbers
        "sip.trunkPhoneNumber": "+1 (800) 555-0199",
        "sip.callID": "SCL_xyz789",
        "sip.callStatus": "active",
    },
)


def test_sip_attributes_become_the_callers_e164_context() -> None:
    caller = caller_from_participant(SIP_CALLER, default_region="US")
    assert caller == CallerInfo(
        identity="sip_caller_1",
        phone_number="+14155550123",
        trunk_number="+18005550199",
        sip_call_id="SCL_xyz789",
    )
    assert caller.is_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+44 20 7946 0958", "+442079460958"),
        ("tel:+14155550123", "+14155550123"),
        ("sip:+14155550123@pstn.example.com", "+14155550123"),
        ("anonymous", None),
        ("", None),
    ],
)
def test_numbers_are_normalised_or_left_empty(raw: str, expected: str | None) -> None:
    assert normalise_number(raw, default_region="US") == expected


def test_a_web_caller_has_empty_phone_fields() -> None:
    caller = caller_from_participant(Participant(identity="web-7"), default_region="US")
    assert caller == CallerInfo(identity="web-7")
    assert not caller.is_phone


async def test_the_caller_is_in_the_consent_record_and_the_call_record(tmp_path: Path) -> None:
    caller = caller_from_participant(SIP_CALLER, default_region="US")
    async with offline_call(
        front_desk(), database_path=tmp_path / "c.db", room=ROOM, caller=caller
    ) as call_:
        await call_.start()
        await call_.caller_says("yes")
        [record] = await call_.consent_records()
        assert record.caller == caller
        assert call_.state.to_record().caller == caller


async def test_a_web_caller_goes_through_the_same_call(tmp_path: Path) -> None:
    caller = caller_from_participant(Participant(identity="web-7"))
    async with offline_call(front_desk(), database_path=tmp_path / "c.db", caller=caller) as c:
        assert spoken(await c.start()) == [QUESTION]  # no keypad option on the web
        assert spoken(await c.caller_says("sure")) == [HOW_CAN_I_HELP]
        [record] = await c.consent_records()
        assert record.caller.phone_number is None and record.caller.sip_call_id is None
        assert c.state.to_record().caller.identity == "web-7"


async def test_no_log_line_shows_a_callers_or_the_human_lines_number(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    livekit_server: LiveKitServer,
    livekit_api: api.LiveKitAPI,
) -> None:
    from agents.manager import ManagerAgent
    from tests.telephony.test_warm_transfer import manager_script

    caplog.set_level(logging.DEBUG)
    livekit_server.answer("TransferSIPParticipant", sip_error(486, "Busy Here"))
    settings = telephony_settings(transfer_mode="cold", recording_enabled=True)
    caller = caller_from_participant(SIP_CALLER, default_region="US")
    async with offline_call(
        manager_script(),
        settings=settings,
        controls=livekit_controls(livekit_api, settings),
        agent=lambda s: ManagerAgent(s),
        database_path=tmp_path / "c.db",
        room="support-room",
        caller=caller,
    ) as call_:
        await call_.start()
        await call_.caller_says("I want a person")
        await until(lambda: heard(call_)[-1].endswith(OFFER))
        await call_.caller_says("yes")
        await call_.hang_up()

    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "+*******0123" in logged  # the caller's line was logged, masked
    assert "+*******0100" in logged  # and so was the transfer target
    for digits in ("4155550123", "8005550199", "4155550100"):
        assert digits not in logged


def test_a_caller_without_real_attributes_gets_empty_sip_fields() -> None:
    """The terminal console's participant is a stand-in whose attributes aren't a dict."""
    from unittest.mock import MagicMock

    caller = caller_from_participant(MagicMock(), default_region="US")
    assert caller.phone_number is None and caller.sip_call_id is None
    assert not caller.is_phone

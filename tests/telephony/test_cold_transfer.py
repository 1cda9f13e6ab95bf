"""Cold (blind) transfer: the caller is handed to the configured number by SIP REFER.

A response whose status is not successful is a failure even though nothing was raised.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from livekit import api

from agents.manager import ManagerAgent
from store.records import CallerInfo
from tests.harness import OfflineCall, offline_call, spoken
from tests.telephony.calls import (
    CALLER_IDENTITY,
    PHONE_CALLER,
    ROOM,
    heard,
    livekit_controls,
    telephony_settings,
    until,
)
from tests.telephony.livekit_server import LiveKitServer, sip_error
from tests.telephony.test_callback import OFFER_TO_TAKE_NUMBER
from tests.telephony.test_warm_transfer import ANNOUNCEMENT, MANAGER_HELLO, OFFER, manager_script

DESK = "+14155550177"


@contextlib.asynccontextmanager
async def cold_call(
    tmp_path: Path, client: api.LiveKitAPI, caller: CallerInfo = PHONE_CALLER
) -> AsyncIterator[OfflineCall]:
    settings = telephony_settings(transfer_mode="cold", cold_transfer_to=DESK)
    async with offline_call(
        manager_script(),
        settings=settings,
        controls=livekit_controls(client, settings),
        agent=lambda s: ManagerAgent(s),
        database_path=tmp_path / "c.db",
        room=ROOM,
        caller=caller,
    ) as call_:
        assert spoken(await call_.start()) == [MANAGER_HELLO]
        yield call_


def outcomes(call_: OfflineCall) -> list[Any]:
    return [e["outcome"] for e in call_.state.outcome.events if e["type"] == "transfer"]


async def test_a_cold_transfer_refers_the_caller_to_the_configured_number_and_the_ai_leaves(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    async with cold_call(tmp_path, livekit_api) as call_:
        await call_.caller_says("Put me through to a person please")
        await call_.wait_closed()

        assert heard(call_)[-1] == ANNOUNCEMENT
        [transfer] = livekit_server.calls("TransferSIPParticipant")
        assert transfer.body.room_name == ROOM
        assert transfer.body.participant_identity == CALLER_IDENTITY
        assert transfer.body.transfer_to == f"tel:{DESK}"
        assert transfer.body.ringing_timeout.seconds == 30
        assert transfer.grants.video.room_admin is True
        assert transfer.grants.video.room == ROOM
        assert transfer.grants.sip.call is True
        assert outcomes(call_) == ["connected"]


@pytest.mark.parametrize(
    ("reply", "outcome", "line"),
    [
        (
            api.TransferSIPParticipantResponse(
                status=api.SIPTransferStatus.STS_TRANSFER_FAILED,
                reason=api.SIPTransferReason.STR_REJECTED,
            ),
            "declined",
            "I'm sorry, my colleague isn't able to take the call right now.",
        ),
        (
            api.TransferSIPParticipantResponse(
                status=api.SIPTransferStatus.STS_TRANSFER_ONGOING,
                reason=api.SIPTransferReason.STR_UNSPECIFIED,
            ),
            "failed",
            "I'm sorry, I couldn't connect you to our team just now.",
        ),
        (
            sip_error(486, "Busy Here"),
            "busy",
            "I'm sorry, everyone on our team is busy with other calls right now.",
        ),
    ],
    ids=["rejected-status", "not-successful-status", "sip-486"],
)
async def test_a_transfer_that_did_not_succeed_is_a_failure_the_caller_hears(
    tmp_path: Path,
    livekit_server: LiveKitServer,
    livekit_api: api.LiveKitAPI,
    reply: Any,
    outcome: str,
    line: str,
) -> None:
    livekit_server.answer("TransferSIPParticipant", reply)
    async with cold_call(tmp_path, livekit_api) as call_:
        await call_.caller_says("I want a person")
        await until(lambda: heard(call_)[-1] == f"{line} {OFFER}")

        assert heard(call_)[-2:] == [ANNOUNCEMENT, f"{line} {OFFER}"]
        assert outcomes(call_) == [outcome]
        assert not call_.closed.is_set()  # still on the line with the manager


async def test_a_web_caller_cannot_be_cold_transferred_and_is_offered_to_leave_a_number(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    async with cold_call(tmp_path, livekit_api, caller=CallerInfo(identity="web-user")) as call_:
        await call_.caller_says("I want a person")
        unavailable = "I'm sorry, I can't transfer calls to a person on this line."
        # No number to call back: the caller is offered to leave one, not a call back.
        await until(lambda: heard(call_)[-1] == f"{unavailable} {OFFER_TO_TAKE_NUMBER}")
        assert livekit_server.requests == []
        assert outcomes(call_) == ["unavailable"]

"""Transfers in the call record: how the call ended, the transfer block, and the colleague's
own words in the transcript (role `human`)."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from livekit import api

from call.outcome import CallOutcome
from offline.scripted_llm import call
from store.records import ConsentRecord
from tests.harness import OfflineCall
from tests.telephony.calls import PHONE_CALLER
from tests.telephony.livekit_server import LiveKitServer
from tests.telephony.test_cold_transfer import cold_call
from tests.telephony.test_warm_transfer import (
    BRIEFING,
    colleague,
    colleague_says,
    manager_call,
    on_hold,
)


def consented() -> CallOutcome:
    """The caller said yes before reaching the manager (the transcript keeps their words)."""
    now = datetime.now(UTC)
    return CallOutcome(
        consent=ConsentRecord(
            job_id="AJ_transfer",
            room="r",
            caller=PHONE_CALLER,
            asked_at=now,
            answered_at=now,
            wording="May we record?",
            wording_version="sha256:0",
            method="voice",
            decision=True,
            ending="answered",
            matched="affirmative:yes",
        )
    )


def record(c: OfflineCall) -> dict[str, Any]:
    return c.state.to_record().payload()


async def test_a_warm_transfer_that_connects_ends_the_call_as_transferred(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    brain = colleague(then=call("connect_to_caller"))
    async with manager_call(tmp_path, livekit_server, livekit_api, brain, outcome=consented()) as t:
        turn, human = await on_hold(t)
        await colleague_says(human, "hello, Sam speaking")
        await colleague_says(human, "Sure, put them through")
        await turn
        await t.call.wait_closed()
        payload = record(t.call)

    assert (payload["status"], payload["ended_reason"], payload["ended_stage"]) == (
        "transferred",
        "transferred",
        "transfer",
    )
    assert payload["ended_by"] == "agent"
    transfer = payload["transfer"]
    assert (transfer["mode"], transfer["outcome"]) == ("warm", "connected")
    assert transfer["reason"] == "caller wants a person about a double charge"
    # the colleague's leg, in the call's transcript: the briefing and their answers
    speech = [
        (x["role"], x["text"]) for x in payload["transcript"]["lines"] if x["kind"] == "speech"
    ]
    assert ("human", "hello, Sam speaking") in speech
    assert ("agent", BRIEFING) in speech
    assert ("human", "Sure, put them through") in speech
    humans = [i for i, (role, _) in enumerate(speech) if role == "human"]
    asked = speech.index(("caller", "I want to talk to a person"))
    assert all(i > asked for i in humans)  # in the order it happened


async def test_a_caller_who_hangs_up_on_hold(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    async with manager_call(
        tmp_path, livekit_server, livekit_api, colleague(then=None), outcome=consented()
    ) as t:
        turn, human = await on_hold(t)
        await colleague_says(human, "hello")
        await t.call.hang_up()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(turn, 5)
        await t.call.settle()
        payload = record(t.call)

    assert (payload["status"], payload["ended_reason"], payload["ended_stage"]) == (
        "caller_hung_up",
        "caller_hung_up",
        "transfer",
    )
    assert payload["transfer"]["outcome"] == "caller_hung_up"


async def test_a_cold_transfer_that_connects(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    async with cold_call(tmp_path, livekit_api) as c:
        await c.caller_says("Put me through to a person please")
        await c.wait_closed()
        payload = record(c)

    assert (payload["status"], payload["ended_reason"], payload["ended_stage"]) == (
        "transferred",
        "transferred",
        "transfer",
    )
    assert (payload["transfer"]["mode"], payload["transfer"]["outcome"]) == ("cold", "connected")

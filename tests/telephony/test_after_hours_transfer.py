"""A caller who insists on a person after hours: nothing is dialled, they hear that the office
is closed with a call-back offer, and a yes arranges the call back to their own number."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from livekit import api, rtc
from livekit.agents.testing import fake_job_context

from agents.manager import ManagerAgent
from offline.scripted_llm import Script, call, say
from tests.harness import offline_call, spoken, tool_calls
from tests.telephony.calls import HUMAN_LINE, PHONE_CALLER, ROOM, TRUNK, livekit_controls
from tests.telephony.livekit_server import LiveKitServer

MANAGER_HELLO = "I'm the manager. How can I help?"
CLOSED = "I'm sorry, our team isn't available right now: the office is closed."
OFFER = "Would you like someone from our team to call you back?"
CALLBACK_CONFIRMED = "Done: someone from our team will call you back as soon as they can."
NEVER_OPEN = "time_zone: Europe/London\nweekly: {}\n"


def manager_script() -> Script:
    s = Script()
    s.when(lambda r: r.offers("transfer_to_human") and not r.answering_user, say(MANAGER_HELLO))
    s.when(lambda r: r.user_said("person"), call("transfer_to_human", reason="wants a person"))
    s.when(lambda r: r.user_said("yes"), call("request_callback", reason="wants a person"))
    return s


@pytest.mark.parametrize("mode", ["warm", "cold"])
async def test_a_transfer_asked_for_after_hours_is_not_attempted(
    tmp_path: Path,
    livekit_server: LiveKitServer,
    livekit_api: api.LiveKitAPI,
    make_settings: Any,
    mode: str,
) -> None:
    hours = tmp_path / "hours.yaml"
    hours.write_text(NEVER_OPEN)
    settings = make_settings(
        telephony={
            "transfer_mode": mode,
            "transfer_number": HUMAN_LINE,
            "sip_outbound_trunk": TRUNK,
            "transfer_hold_audio": "off",
        },
        hours={"business_hours_file": str(hours)},
    )
    with fake_job_context(room=rtc.Room(), job_id="AJ_after_hours") as job:
        job.__dict__["api"] = livekit_api
        async with offline_call(
            manager_script(),
            settings=settings,
            controls=livekit_controls(livekit_api, settings),
            agent=lambda s: ManagerAgent(s),
            database_path=tmp_path / "c.db",
            room=ROOM,
            caller=PHONE_CALLER,
        ) as c:
            assert spoken(await c.start()) == [MANAGER_HELLO]
            told = c.llm.requests[-1].instructions
            assert "never offer a\ntransfer to a person" in told

            asked = await c.caller_says("I want to talk to a person")

            assert tool_calls(asked) == [("transfer_to_human", {"reason": "wants a person"})]
            assert spoken(asked) == [f"{CLOSED} {OFFER}"]
            assert livekit_server.methods() == []  # nothing dialled, no one transferred
            accepted = await c.caller_says("yes please")
            assert spoken(accepted) == [CALLBACK_CONFIRMED]
            callback = c.state.outcome.callback
            assert callback is not None and callback.number == PHONE_CALLER.phone_number
            await c.hang_up()
            [record] = await c.stored_records()
    assert record["after_hours"] is True
    transfers = [e for e in record["events"] if e["type"] == "transfer"]
    assert [(e["mode"], e["outcome"]) for e in transfers] == [(mode, "after_hours")]
    assert "callback_requested" in [e["type"] for e in record["events"]]


async def test_a_grant_above_authority_after_hours_offers_a_call_back_not_a_person(
    tmp_path: Path, make_settings: Any
) -> None:
    hours = tmp_path / "hours.yaml"
    hours.write_text(NEVER_OPEN)
    settings = make_settings(hours={"business_hours_file": str(hours)})
    s = Script()
    s.when(lambda r: r.offers("issue_refund") and not r.answering_user, say(MANAGER_HELLO))
    s.when(lambda r: r.user_said("refund"), call("issue_refund", amount=500, reason="overcharge"))
    async with offline_call(
        s, settings=settings, agent=lambda st: ManagerAgent(st), database_path=tmp_path / "c.db"
    ) as c:
        await c.start()
        result = await c.caller_says("I want a 500 dollar refund")
        [output] = [e.item for e in result.events if e.type == "function_call_output"]
    assert output.is_error
    assert "or a call back" in output.output
    assert "person" not in output.output

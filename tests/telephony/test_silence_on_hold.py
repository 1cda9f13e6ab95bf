"""Hold music during a warm transfer is not silence: a caller on hold is never asked if they
are still there, nor hung up on, however long the colleague takes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from livekit import api, rtc
from livekit.agents.testing import fake_job_context
from livekit.agents.voice.events import UserStateChangedEvent

from agents.manager import ManagerAgent
from offline.scripted_llm import Request, Script, call, say
from tests.harness import offline_call, spoken
from tests.telephony.calls import (
    HUMAN_LINE,
    PHONE_CALLER,
    ROOM,
    TRUNK,
    heard,
    livekit_controls,
    until,
)
from tests.telephony.human_line import SimulatedHumanLine
from tests.telephony.livekit_server import LiveKitServer

MANAGER_HELLO = "I'm the manager. How can I help?"
CONNECTED = "You're now connected with a member of our team. I'll leave you with them."
PROMPT = "Are you still there?"
AWAY = UserStateChangedEvent(old_state="listening", new_state="away")


def manager_script() -> Script:
    s = Script()
    s.when(lambda r: r.offers("transfer_to_human") and not r.answering_user, say(MANAGER_HELLO))
    s.when(lambda r: r.user_said("person"), call("transfer_to_human", reason="wants a person"))
    return s


def colleague(r: Request) -> Any:
    if r.user_said("put them through"):
        return call("connect_to_caller")
    if r.answering_user:
        return say("Hi Sam, a caller wants a person.")
    return None


async def test_a_caller_on_hold_is_not_silent(
    tmp_path: Path,
    livekit_server: LiveKitServer,
    livekit_api: api.LiveKitAPI,
    make_settings: Any,
) -> None:
    settings = make_settings(
        telephony={
            "transfer_number": HUMAN_LINE,
            "sip_outbound_trunk": TRUNK,
            "transfer_hold_audio": "off",
        },
        limits={"silence_prompt_seconds": 0.05, "silence_hangup_seconds": 0.05},
    )
    legs: list[SimulatedHumanLine] = []
    line = SimulatedHumanLine.with_colleague(colleague)

    def transfer_task(**kwargs: Any) -> SimulatedHumanLine:
        legs.append(line(**kwargs))
        return legs[-1]

    with fake_job_context(room=rtc.Room(), job_id="AJ_hold") as job:
        job.__dict__["api"] = livekit_api
        async with offline_call(
            manager_script(),
            settings=settings,
            controls=livekit_controls(livekit_api, settings, transfer_task=transfer_task),
            agent=lambda s: ManagerAgent(s),
            database_path=tmp_path / "c.db",
            room=ROOM,
            caller=PHONE_CALLER,
        ) as c:
            assert spoken(await c.start()) == [MANAGER_HELLO]
            turn = c.session.run(user_input="I want to talk to a person")
            await until(lambda: bool(legs) and legs[0].answered.done())
            human = legs[0].answered.result()

            # On hold the manager's tool is running, so LiveKit's countdown is paused; were it
            # to report the caller away (more than a prompt's and a goodbye's worth), it is
            # still not silence: the caller is listening to hold music.
            for _ in range(3):
                c.session.emit("user_state_changed", AWAY)
            assert PROMPT not in heard(c)
            assert not c.closed.is_set()
            assert c.state.outcome.limit is None

            await human.run(user_input="hello")
            await human.run(user_input="Sure, put them through")
            await turn
            await c.wait_closed()  # the AI left: the caller is with the colleague
            assert heard(c)[-1] == CONNECTED
            assert PROMPT not in heard(c)
            [record] = await c.stored_records()
            assert record["ended_reason"] == "transferred"
            assert "silence_prompt" not in [e["type"] for e in record["events"]]

"""The manager hands the caller to a person (WarmTransferTask), and every way it can fail.

Each test is one call: the caller asks the manager for a person, hears the announcement,
waits on hold while the colleague (a simulated text-only leg) is dialled and briefed, and
then either is connected (the AI leaves) or hears why not with a callback offer.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from livekit import api, rtc
from livekit.agents import ToolError
from livekit.agents.testing import fake_job_context

from agents.manager import ManagerAgent
from offline.scripted_llm import Brain, Request, Rule, Script, call, say
from tests.harness import OfflineCall, offline_call, spoken, tool_calls
from tests.telephony.calls import (
    HUMAN_LINE,
    PHONE_CALLER,
    ROOM,
    TRUNK,
    heard,
    livekit_controls,
    telephony_settings,
    until,
)
from tests.telephony.human_line import SimulatedHumanLine
from tests.telephony.livekit_server import LiveKitServer, sip_error

MANAGER_HELLO = "I'm the manager. How can I help?"
ANNOUNCEMENT = "Please hold while I connect you to a member of our team."
CONNECTED = "You're now connected with a member of our team. I'll leave you with them."
OFFER = "Would you like someone from our team to call you back?"
CALLBACK_CONFIRMED = "Done: someone from our team will call you back as soon as they can."
BRIEFING = "Hi Sam, I have a caller who was double charged and wants a person."


def manager_script() -> Script:
    s = Script()
    s.when(lambda r: r.offers("transfer_to_human") and not r.answering_user, say(MANAGER_HELLO))
    s.when(
        lambda r: r.user_said(r"\b(person|human|someone real)\b"),
        call("transfer_to_human", reason="caller wants a person about a double charge"),
    )
    s.when(
        lambda r: r.offers("request_callback") and r.user_said(r"\byes\b"),
        call("request_callback", reason="double charge"),
    )
    return s


def colleague(*, then: Any) -> Brain:
    """The briefing model on the human's leg: briefs on "hello", then does `then`."""

    def brain(r: Request) -> Any:
        if r.user_said(r"^hello"):
            return say(BRIEFING)
        if r.answering_user:
            return then
        return None

    return brain


@dataclass
class Transfer:
    call: OfflineCall
    server: LiveKitServer
    room: rtc.Room
    tasks: list[SimulatedHumanLine]

    @property
    def leg(self) -> SimulatedHumanLine:
        return self.tasks[0]

    def outcomes(self) -> list[str]:
        return [e["outcome"] for e in self.call.state.outcome.events if e["type"] == "transfer"]


@contextlib.asynccontextmanager
async def manager_call(
    tmp_path: Path,
    server: LiveKitServer,
    client: api.LiveKitAPI,
    colleague_brain: Brain,
    **state: Any,
) -> AsyncIterator[Transfer]:
    settings = telephony_settings()
    made: list[SimulatedHumanLine] = []
    line = SimulatedHumanLine.with_colleague(colleague_brain)

    def transfer_task(**kwargs: Any) -> SimulatedHumanLine:
        task = line(**kwargs)
        made.append(task)
        return task

    room = rtc.Room()
    with fake_job_context(room=room, job_id="AJ_transfer") as job:
        job.__dict__["api"] = client  # the framework dials with job_ctx.api: the loopback
        async with offline_call(
            manager_script(),
            settings=settings,
            controls=livekit_controls(client, settings, transfer_task=transfer_task),
            agent=lambda s: ManagerAgent(s),
            database_path=tmp_path / "c.db",
            room=ROOM,
            caller=state.pop("caller", PHONE_CALLER),
            **state,
        ) as call_:
            assert spoken(await call_.start()) == [MANAGER_HELLO]
            yield Transfer(call_, server, room, made)


async def on_hold(transfer: Transfer, words: str = "I want to talk to a person") -> tuple[Any, Any]:
    """The caller asks for a person and is put on hold. Returns their pending turn and the
    colleague's leg once it answered (None if the dial failed)."""
    turn = asyncio.create_task(transfer.call.caller_says(words))
    await until(lambda: bool(transfer.tasks))
    leg = transfer.leg
    await until(lambda: leg.answered.done() or leg.done())
    return turn, (leg.answered.result() if leg.answered.done() else None)


async def colleague_says(human: Any, text: str) -> Any:
    """The colleague speaks on their leg. When their words end the transfer (declined,
    voicemail), the task's error becomes the final output of this text run, because the
    tool completing it runs in the human leg's session: that is the task's result, not a
    failure of the leg, so it is returned rather than raised."""
    try:
        return await human.run(user_input=text)
    except ToolError as exc:
        return exc


async def turn_ends(turn: asyncio.Task[Any]) -> None:
    """The caller's turn ends. A failed task's error can surface as the text run's final
    output (the framework hands a task's result to the run of the speech that awaited it),
    even though the tool caught it: what the caller heard is asserted from the history."""
    with contextlib.suppress(ToolError):
        await turn


def dialled_only_the_configured_line(server: LiveKitServer) -> None:
    [dial] = server.calls("CreateSIPParticipant")
    assert dial.body.sip_call_to == HUMAN_LINE
    assert dial.body.sip_trunk_id == TRUNK
    assert dial.body.wait_until_answered is True
    assert dial.body.ringing_timeout.seconds == 30
    assert dial.grants.sip.call is True


async def test_the_colleague_is_briefed_and_connected_and_the_ai_leaves(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    brain = colleague(then=call("connect_to_caller"))
    async with manager_call(tmp_path, livekit_server, livekit_api, brain) as t:
        turn, human = await on_hold(t)
        briefing = await colleague_says(human, "hello, Sam speaking")
        assert spoken(briefing) == [BRIEFING]
        told = t.leg.human_llm.requests[0].instructions  # the briefing comes from the call
        assert "Caller: I want to talk to a person" in told
        assert "double charge" in told
        assert PHONE_CALLER.phone_number not in told

        await colleague_says(human, "Sure, put them through")
        result = await turn

        assert tool_calls(result) == [
            ("transfer_to_human", {"reason": "caller wants a person about a double charge"})
        ]
        closed = await t.call.wait_closed()  # the AI left the call
        assert closed.reason.value == "user_initiated"
        assert heard(t.call)[-2:] == [ANNOUNCEMENT, CONNECTED]
        assert t.outcomes() == ["connected"]
        transfers = [e for e in t.call.state.outcome.events if e["type"] == "transfer"]
        assert [e["outcome"] for e in transfers] == ["connected"]  # what the record says
        dialled_only_the_configured_line(livekit_server)
        [move] = livekit_server.calls("MoveParticipant")
        assert (move.body.identity, move.body.destination_room) == ("human-agent-sip", ROOM)
        assert "DeleteRoom" not in livekit_server.methods()  # the caller stays on the line


async def test_a_colleague_who_declines_means_sorry_and_a_callback_offer(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    brain = colleague(then=call("decline_transfer", reason="in a meeting"))
    async with manager_call(tmp_path, livekit_server, livekit_api, brain) as t:
        turn, human = await on_hold(t)
        await colleague_says(human, "hello")
        await colleague_says(human, "Sorry, I can't take it right now")
        await turn

        sorry = f"I'm sorry, my colleague isn't able to take the call right now. {OFFER}"
        await until(lambda: heard(t.call)[-1] == sorry)
        assert heard(t.call)[-2:] == [ANNOUNCEMENT, sorry]
        assert t.outcomes() == ["declined"]
        assert not t.call.closed.is_set()  # the caller is still being helped

        accepted = await t.call.caller_says("yes please")
        assert tool_calls(accepted) == [("request_callback", {"reason": "double charge"})]
        assert spoken(accepted) == [CALLBACK_CONFIRMED]
        callback = t.call.state.outcome.callback
        assert callback is not None and callback.number == PHONE_CALLER.phone_number


async def test_a_voicemail_is_not_a_person(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    brain = colleague(then=call("voicemail_detected"))
    async with manager_call(tmp_path, livekit_server, livekit_api, brain) as t:
        turn, human = await on_hold(t)
        await colleague_says(human, "You've reached Sam, leave a message after the tone")
        await turn

        sorry = f"I'm sorry, I reached a voicemail instead of a person. {OFFER}"
        await until(lambda: heard(t.call)[-1] == sorry)
        assert heard(t.call)[-2:] == [ANNOUNCEMENT, sorry]
        assert t.outcomes() == ["voicemail"]
        assert "MoveParticipant" not in livekit_server.methods()


@pytest.mark.parametrize(
    ("sip_code", "reason", "outcome", "line"),
    [
        (
            486,
            "Busy Here",
            "busy",
            "I'm sorry, everyone on our team is busy with other calls right now.",
        ),
        (
            480,
            "Temporarily Unavailable",
            "no_answer",
            "I'm sorry, no one on our team could pick up just now.",
        ),
        (
            503,
            "Service Unavailable",
            "failed",
            "I'm sorry, I couldn't connect you to our team just now.",
        ),
    ],
)
async def test_a_failed_dial_is_answered_by_its_own_line(
    tmp_path: Path,
    livekit_server: LiveKitServer,
    livekit_api: api.LiveKitAPI,
    sip_code: int,
    reason: str,
    outcome: str,
    line: str,
) -> None:
    livekit_server.answer("CreateSIPParticipant", sip_error(sip_code, reason))
    async with manager_call(tmp_path, livekit_server, livekit_api, colleague(then=None)) as t:
        turn, human = await on_hold(t)
        await turn_ends(turn)

        assert human is None  # nobody answered
        await until(lambda: heard(t.call)[-1] == f"{line} {OFFER}")
        assert heard(t.call)[-2:] == [ANNOUNCEMENT, f"{line} {OFFER}"]
        assert t.outcomes() == [outcome]
        [event] = [e for e in t.call.state.outcome.events if e["type"] == "transfer"]
        assert str(sip_code) in event["detail"]
        dialled_only_the_configured_line(livekit_server)


async def test_the_colleague_hanging_up_before_connecting_is_told_to_the_caller(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    async with manager_call(tmp_path, livekit_server, livekit_api, colleague(then=None)) as t:
        turn, human = await on_hold(t)
        await colleague_says(human, "hello")
        t.leg.human_hangs_up()
        await turn

        sorry = f"I'm sorry, my colleague was disconnected before I could put you through. {OFFER}"
        await until(lambda: heard(t.call)[-1] == sorry)
        assert heard(t.call)[-2:] == [ANNOUNCEMENT, sorry]
        assert t.outcomes() == ["human_hung_up"]


async def test_the_caller_hanging_up_on_hold_ends_the_transfer_silently(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    async with manager_call(tmp_path, livekit_server, livekit_api, colleague(then=None)) as t:
        turn, human = await on_hold(t)
        await colleague_says(human, "hello")
        leg_closed = asyncio.Event()
        human.on("close", lambda _: leg_closed.set())
        await t.call.hang_up()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(turn, 5)

        assert t.outcomes() == ["caller_hung_up"]
        await asyncio.wait_for(leg_closed.wait(), 5)  # the colleague's leg is hung up too
        assert heard(t.call)[-1] == ANNOUNCEMENT  # nothing was said to an empty line
        assert t.call.state.outcome.callback is None


async def test_a_number_from_the_model_is_never_dialled(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    brain = colleague(then=call("connect_to_caller"))
    async with manager_call(tmp_path, livekit_server, livekit_api, brain) as t:
        script = t.call.llm._brain
        assert isinstance(script, Script)
        script.rules.insert(
            0,
            Rule(
                lambda r: r.user_said("my cousin"),
                call("transfer_to_human", reason="wants a person", number="+19005550000"),
            ),
        )
        turn, human = await on_hold(t, "Transfer me to my cousin on +19005550000")
        await colleague_says(human, "hello")
        await colleague_says(human, "ok, put them through")
        await turn_ends(turn)

        dialled_only_the_configured_line(livekit_server)
        assert "+19005550000" not in str([c.body for c in livekit_server.requests])

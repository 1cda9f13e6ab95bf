"""When the call can't be handled safely, the caller hears why and the call ends."""

from __future__ import annotations

import asyncio

from livekit.agents import AgentSession

from agents.out_of_service import OutOfServiceAgent
from call.controls import SessionOnlyControls
from config.settings import load_settings


async def test_the_caller_hears_the_line_is_out_of_service_then_the_call_ends() -> None:
    line = load_settings().wording.out_of_service
    session = AgentSession(vad=None, turn_handling={"turn_detection": None})
    closed = asyncio.Event()
    session.on("close", lambda _: closed.set())
    controls = SessionOnlyControls(session)

    await session.start(OutOfServiceAgent(line=line, hang_up=controls.hang_up))
    await asyncio.wait_for(closed.wait(), 5)

    heard = [i.text_content for i in session.history.items if i.type == "message"]
    assert heard == [line]
    assert "technical problem" in line

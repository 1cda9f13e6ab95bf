"""The human side of a warm transfer, simulated: a text-only session on the human's leg.

`WarmTransferTask._dial_human_agent` normally connects a second room and dials the human;
here the dial is the real `CreateSIPParticipant` request (to the loopback server, so SIP
errors come back as they would from LiveKit) and the human's leg is a text-only
AgentSession a test talks to as the colleague. `_merge_calls` asks the server to move the
colleague into the caller's room, as the framework does.
"""

from __future__ import annotations

import asyncio
from typing import Any

from livekit import api, rtc
from livekit.agents import Agent, AgentSession, get_job_context

from offline.scripted_llm import Brain, ScriptedLLM
from telephony.transfer import HumanTransferTask
from tests.telephony.calls import ROOM


class SimulatedHumanLine(HumanTransferTask):
    """A `HumanTransferTask` whose human leg is a text-only session driven by `brain`."""

    brain: Brain

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.human_llm = ScriptedLLM(type(self).brain, label="human-leg")
        self.answered: asyncio.Future[AgentSession[Any]] = asyncio.Future()

    @classmethod
    def with_colleague(cls, brain: Brain) -> type[SimulatedHumanLine]:
        return type("Colleague", (cls,), {"brain": staticmethod(brain)})

    async def _dial_human_agent(self) -> AgentSession[Any]:
        await self._originate_human_agent(
            room_name=f"{ROOM}-human-agent", identity=self._human_agent_identity, room=None
        )
        session: AgentSession[Any] = AgentSession(
            llm=self.human_llm, vad=None, turn_handling={"turn_detection": None}
        )
        agent = Agent(instructions=self.instructions, tools=self.tools, chat_ctx=self.chat_ctx)
        await session.start(agent)
        self.answered.set_result(session)
        return session

    async def _merge_calls(self) -> None:
        await get_job_context().api.room.move_participant(
            api.MoveParticipantRequest(
                room=f"{ROOM}-human-agent",
                identity=self._human_agent_identity,
                destination_room=ROOM,
            )
        )

    def human_hangs_up(self) -> None:
        """What the human leg's room reports when the colleague hangs up."""
        self._on_human_agent_room_close(rtc.DisconnectReason.CLIENT_INITIATED)

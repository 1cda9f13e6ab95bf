"""The human line in the console: a labeled stand-in plays the telephony parts.

A transfer to a person runs the product's own `HumanTransferTask` (LiveKit's
`WarmTransferTask`) unchanged, except where it would reach the phone network:

- the dial (`_originate_human_agent`): the stand-in line answers, or fails the way a SIP
  line does (486 Busy Here, 480 no answer), and the task maps it as on a real call;
- the colleague's leg (`_dial_human_agent`): a text-only session in which a stand-in
  colleague says fixed lines, and the call's model briefs them;
- moving the colleague into the caller's room (`_merge_calls`): announced, not done.

Hold music is announced, not played. No call is placed. How the colleague answers is
`REHEARSAL_COLLEAGUE`: answers (default), declines, voicemail, busy or no_answer.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

from livekit import api
from livekit.agents import Agent, AgentSession, llm
from livekit.agents.beta.workflows import WarmTransferTask
from livekit.agents.voice.events import ConversationItemAddedEvent

from config.telephony import TelephonySettings
from offline.rehearsal_table import HumanLine, SipFailure, load_table
from telephony.caller import mask_number
from telephony.transfer import HumanTransferTask

COLLEAGUE = "REHEARSAL_COLLEAGUE"
STAND_IN = "Human line (stand-in)"

Show = Callable[[str, str], None]


def colleague_behaviour(line: HumanLine | None = None) -> str:
    """How the stand-in colleague answers, from REHEARSAL_COLLEAGUE (ValueError if unknown)."""
    line = line or load_table().human_line
    chosen = os.environ.get(COLLEAGUE, "").strip() or "answers"
    if chosen not in line.colleague:
        raise ValueError(
            f"{COLLEAGUE}={chosen!r} is not a way the stand-in colleague answers: use one of "
            f"{', '.join(line.colleague)}"
        )
    return chosen


def with_stand_in_line(
    settings: TelephonySettings, line: HumanLine | None = None
) -> TelephonySettings:
    """The console's telephony settings: with no human line configured, the stand-in's
    (a warm transfer to a number no call is ever placed to)."""
    if settings.transfers_enabled:
        return settings
    line = line or load_table().human_line
    return settings.model_copy(
        update={
            "transfer_mode": "warm",
            "transfer_number": line.number,
            "sip_outbound_trunk": line.trunk,
        }
    )


class _StandInDial(WarmTransferTask):
    """The dial, played by the stand-in: below `HumanTransferTask` in the MRO, so the
    product's own handling of a failed dial (SIP status -> outcome) runs unchanged."""

    _failure: SipFailure | None = None
    _show: Show

    async def _originate_human_agent(self, *, room_name: str, identity: str, room: Any) -> None:
        await asyncio.sleep(0.5)  # it rings
        failure = self._failure
        if failure is not None:
            self._show(STAND_IN, f"The line answers SIP {failure.sip} {failure.status}.")
            raise api.SipCallError(
                "unavailable",
                f"sip status: {failure.sip}: {failure.status}",
                status=503,
                metadata={"sip_status_code": str(failure.sip), "sip_status": failure.status},
            )


class StandInHumanLine(HumanTransferTask, _StandInDial):
    """`HumanTransferTask` whose phone network is the stand-in's (see the module's doc)."""

    def __init__(
        self,
        *,
        show: Show,
        model: llm.LLM | None,
        behaviour: str | None = None,
        line: HumanLine | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(hold_audio=None, **kwargs)
        line = line or load_table().human_line
        answer = line.colleague[behaviour or colleague_behaviour(line)]
        self._failure = answer if isinstance(answer, SipFailure) else None
        self._colleague_lines = answer if isinstance(answer, list) else []
        self._show = show
        self._model = model

    async def on_enter(self) -> None:
        self._show(
            STAND_IN,
            "The caller hears hold music. Dialling the human line "
            f"{mask_number(str(self._sip_call_to))} (no call is placed).",
        )
        await super().on_enter()
        leg = self._human_agent_sess  # set once the line answered (None: it didn't)
        if leg is not None:
            self._speaking = asyncio.create_task(self._colleague_speaks(leg), name="colleague")

    async def _dial_human_agent(self) -> AgentSession[Any]:
        await self._originate_human_agent(
            room_name="console-human-agent", identity=self._human_agent_identity, room=None
        )
        leg: AgentSession[Any] = AgentSession(
            llm=self._model, vad=None, turn_handling={"turn_detection": None}
        )
        leg.on("conversation_item_added", self._show_leg)
        await leg.start(
            Agent(instructions=self.instructions, tools=self.tools, chat_ctx=self.chat_ctx)
        )
        return leg

    async def _colleague_speaks(self, leg: AgentSession[Any]) -> None:
        for words in self._colleague_lines:
            if self.done():
                return
            await leg.run(user_input=words)

    def _show_leg(self, event: ConversationItemAddedEvent) -> None:
        item = event.item
        if item.type == "message" and item.role in ("user", "assistant") and item.text_content:
            who = "Colleague (stand-in)" if item.role == "user" else "Agent, briefing the colleague"
            self._show(who, item.text_content)

    async def _merge_calls(self) -> None:
        self._show(
            STAND_IN,
            "The colleague joins the caller's room (on LiveKit Cloud: MoveParticipant).",
        )

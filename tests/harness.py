"""Drive one real call offline: the real AgentSession, agents and tasks, a scripted LLM.

    async with offline_call(script) as call:
        opening = await call.start()             # the consent question
        result = await call.caller_says("yes")   # RunResult: assert with result.expect
        await call.hang_up()

No room, no STT/TTS (text mode), the real store on a temporary SQLite file unless a
store is given. Later layers (telephony, forms) pass their own controls and agents.

A test double: it lives with the tests (benchmarks use it too), not in the installed package.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from livekit import rtc
from livekit.agents import Agent, AgentSession, APIConnectOptions
from livekit.agents import llm as lk_llm
from livekit.agents.voice.agent_session import SessionConnectOptions
from livekit.agents.voice.events import CloseEvent, CloseReason
from livekit.agents.voice.run_result import RunResult

from call.call import Call
from call.controls import CallControls, SessionOnlyControls
from call.duration import Clock
from call.journal import Journal
from call.session_watch import bind_call
from config.settings import Settings, load_settings
from offline.scripted_llm import Brain, ScriptedLLM
from pipeline.models import ModelKit
from store import Store, open_store

CALLER_IDENTITY = "caller"
FAST_CONN = SessionConnectOptions(
    llm_conn_options=APIConnectOptions(max_retry=0, retry_interval=0.01, timeout=5),
    max_unrecoverable_errors=3,
)


@dataclass
class OfflineCall:
    session: AgentSession[Call]
    state: Call
    llm: lk_llm.LLM
    store: Store
    agent_factory: Callable[[Call], Agent]
    room: rtc.Room
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    close_event: CloseEvent | None = None

    async def start(self) -> RunResult[None]:
        """Start the call: returns what the agent did before the caller spoke."""
        result = await self.session.start(self.agent_factory(self.state), capture_run=True)
        return result

    async def caller_says(self, text: str) -> RunResult[None]:
        return await self.session.run(user_input=text)

    async def hang_up(self) -> None:
        """The caller hangs up: they leave the room, then the session closes, in the order
        LiveKit's RoomIO does it when a SIP participant leaves."""
        self.room.emit("participant_disconnected", SimpleNamespace(identity=CALLER_IDENTITY))
        self.session._close_soon(reason=CloseReason.PARTICIPANT_DISCONNECTED, drain=False)
        await self.wait_closed()

    async def wait_closed(self, within: float = 5.0) -> CloseEvent:
        await asyncio.wait_for(self.closed.wait(), within)
        assert self.close_event is not None
        return self.close_event

    async def settle(self, within: float = 5.0) -> None:
        """Wait for the call's background writes (consent record, recording start)."""
        assert await self.state.journal.flush(within=within), "background writes still pending"

    async def consent_records(self) -> list[Any]:
        await self.settle()
        return [r.record() for r in await self.store.consent_records()]

    async def stored_records(self) -> list[dict[str, Any]]:
        """The call records stored for delivery (payloads, as the endpoint will get them)."""
        import json

        await self.settle()
        rows = [await self.store.outbox_row(r.webhook_id) for r in await self.store.outbox_rows()]
        return [json.loads(row.payload) for row in rows if row is not None]

    def heard(self) -> list[str]:
        """Everything the caller has heard so far, in order."""
        return [
            i.text_content or ""
            for i in self.session.history.items
            if i.type == "message" and i.role == "assistant"
        ]

    async def until_heard(
        self, text: str, within: float = 5.0, *, after: str | None = None
    ) -> list[str]:
        """Wait until `text` has been said (e.g. a line spoken from an event handler); with
        `after`, said after the last time `after` was."""

        def said() -> bool:
            lines = self.heard()
            if after is not None and after in lines:
                lines = lines[len(lines) - lines[::-1].index(after) :]
            return text in lines

        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not said():
            if loop.time() > deadline:
                raise AssertionError(f"never heard {text!r}; heard {self.heard()!r}")
            await asyncio.sleep(0.01)
        return self.heard()

    @property
    def agent(self) -> Agent:
        return self.session.current_agent


def default_agent(state: Call) -> Agent:
    from agents.customer_service import CustomerServiceAgent

    return CustomerServiceAgent(state)


@contextlib.asynccontextmanager
async def offline_call(
    brain: Brain,
    *,
    settings: Settings | None = None,
    store: Store | None = None,
    database_path: Path | None = None,
    models: ModelKit | None = None,
    controls: Callable[[AgentSession[Call]], CallControls] = SessionOnlyControls,
    agent: Callable[[Call], Agent] = default_agent,
    session_llm: lk_llm.LLM | None = None,
    job_id: str = "AJ_offline",
    room: str = "offline-room",
    clock: Clock | None = None,
    **state_fields: Any,
) -> AsyncIterator[OfflineCall]:
    settings = settings or load_settings()
    scripted = session_llm or ScriptedLLM(brain)
    own_store = store is None
    if store is None:
        path = database_path or Path(f"/tmp/consent-agent-{id(scripted)}.db")
        store = await open_store(f"sqlite:///{path}")
    session: AgentSession[Call] = AgentSession(
        llm=scripted,
        vad=None,
        turn_handling={"turn_detection": None},
        conn_options=FAST_CONN,
        # As agent.py sets it: tests of silence scale SILENCE_PROMPT_SECONDS down.
        user_away_timeout=settings.limits.silence_prompt_seconds,
    )
    caller_room = rtc.Room()  # never connected: it carries the caller's comings and goings
    state = bind_call(
        session,
        livekit_room=caller_room,
        caller_identity=CALLER_IDENTITY,
        clock=clock,
        settings=settings,
        models=models or ModelKit(),
        journal=Journal(store),
        controls=controls(session),
        job_id=job_id,
        room=room,
        **state_fields,
    )
    call = OfflineCall(
        session=session,
        state=state,
        llm=scripted,
        store=store,
        agent_factory=agent,
        room=caller_room,
    )

    def on_close(ev: CloseEvent) -> None:
        call.close_event = ev
        call.closed.set()

    session.on("close", on_close)
    try:
        yield call
    finally:
        if not call.closed.is_set():
            await session.aclose()
        await state.journal.flush(within=5)
        if own_store:
            await store.close()


def conversation_requests(call: OfflineCall) -> list[Any]:
    """The model requests made for the conversation: the analysis after the call left out."""
    from call.analysis import ANALYSIS_TOOL

    return [r for r in call.llm.requests if ANALYSIS_TOOL not in r.tool_names]


def spoken(result: RunResult[Any]) -> list[str]:
    """What the caller heard during a run, in order."""
    return [
        ev.item.text_content or ""
        for ev in result.events
        if ev.type == "message" and ev.item.role == "assistant"
    ]


def tool_calls(result: RunResult[Any]) -> list[tuple[str, dict[str, Any]]]:
    """The tool calls made during a run (by the model or by code), with their arguments."""
    import json

    return [
        (ev.item.name, json.loads(ev.item.arguments or "{}"))
        for ev in result.events
        if ev.type == "function_call"
    ]

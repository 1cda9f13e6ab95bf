"""Drive one real call offline *by voice*: the real AgentSession, agents and tasks, with a
scripted LLM and the audio stand-ins of `tests.fakes.audio` (caller mic, speaker, STT, voices,
VAD). Turns, interruptions and uninterruptible speech run through the framework's audio
path, sped up by `pace`.

    async with audio_call(script) as call:
        await call.start()
        question = await call.speaker.starts_playing()       # the consent question begins
        await call.caller.says("Hello? Who is this?")        # the caller talks over it
        heard = await call.next_playback()                   # what the caller heard
        assert heard.played_to_the_end

The text-mode twin is `tests.harness.offline_call`; this one shares its store, journal,
controls and session watch.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from livekit.agents import Agent, AgentSession
from livekit.agents.voice.events import (
    CloseEvent,
    CloseReason,
    ConversationItemAddedEvent,
    UserStateChangedEvent,
)

from call.call import Call
from call.controls import CallControls, SessionOnlyControls
from call.journal import Journal
from call.session_watch import bind_call
from config.settings import Settings, load_settings
from offline.scripted_llm import Brain, ScriptedLLM
from pipeline.models import ModelKit
from store import Store, open_store
from tests.fakes.audio import (
    CallerMic,
    Lexicon,
    LoudnessVAD,
    Pace,
    Playback,
    ScriptedSTT,
    ScriptedVoice,
    Speaker,
)
from tests.harness import FAST_CONN, default_agent

# Ten seconds of audio per wall-clock second: a 9 s consent question plays in about 0.9 s.
TEST_PACE = Pace(speed=10.0)

FRONT_DESK_VOICE = "front desk"
MANAGER_VOICE = "manager"


def audio_session(
    *,
    llm: Any,
    stt: ScriptedSTT,
    vad: Any,
    tts: Any,
    pace: Pace,
    turn_detection: Any = "vad",
    conn_options: Any = FAST_CONN,
) -> AgentSession[Any]:
    """An AgentSession on the audio path, its timings scaled to `pace`."""
    scale = 1.0 / pace.speed
    return AgentSession(
        llm=llm,
        stt=stt,
        vad=vad,
        tts=tts,
        turn_handling={
            "turn_detection": turn_detection,
            "endpointing": {"min_delay": 0.5 * scale, "max_delay": 3.0 * scale},
            "interruption": {
                "mode": "vad",  # adaptive detection needs LiveKit Cloud
                "min_duration": 0.5 * scale,
                "false_interruption_timeout": 2.0 * scale,
                "resume_false_interruption": False,
            },
            "preemptive_generation": {"enabled": False},
        },
        user_away_timeout=None,
        # The framework ignores barge-in for the first 3 s of agent speech while an echo
        # canceller warms up; there is no echo here, and the tests must prove that speech is
        # uninterruptible because the code says so, not because of the warm-up.
        aec_warmup_duration=None,
        session_close_transcript_timeout=2.0 * scale,
        conn_options=conn_options,
    )


@dataclass
class AudioCall:
    session: AgentSession[Call]
    state: Call
    llm: ScriptedLLM
    store: Store
    caller: CallerMic
    speaker: Speaker
    stt: ScriptedSTT
    vad: LoudnessVAD
    front_desk_voice: ScriptedVoice
    manager_voice: ScriptedVoice
    agent_factory: Callable[[Call], Agent]
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    close_event: CloseEvent | None = None
    closed_at: float = 0.0  # time.time() when the session closed
    # (time.time(), "user speaking"/"user listening") as the session saw the caller
    user_states: list[tuple[float, str]] = field(default_factory=list)
    conversation: list[ConversationItemAddedEvent] = field(default_factory=list)
    _seen: int = 0
    _waiters: list[asyncio.Future[None]] = field(default_factory=list)

    async def start(self) -> None:
        await self.session.start(self.agent_factory(self.state))

    async def next_playback(self, *, within: float = 10.0) -> Playback:
        """The next segment the caller heard (in order, each returned once)."""
        playback = await self.speaker.next_playback(after=self._seen, within=within)
        self._seen += 1
        return playback

    def caller_heard_speaking_during(self, playback: Playback) -> bool:
        """The session's VAD noticed the caller talking while `playback` was playing."""
        return any(state == "speaking" and playback.overlaps(at) for at, state in self.user_states)

    def assistant_lines(self) -> list[tuple[str, bool]]:
        """(text, interrupted) of each assistant message added to the conversation."""
        return [
            (ev.item.text_content or "", bool(ev.item.interrupted))
            for ev in self.conversation
            if ev.item.type == "message" and ev.item.role == "assistant"
        ]

    async def assistant_line(self, index: int, *, within: float = 10.0) -> tuple[str, bool]:
        """The `index`-th assistant message (text, interrupted), once it has been added."""
        await self.wait_for(lambda: len(self.assistant_lines()) > index, within=within)
        return self.assistant_lines()[index]

    async def wait_for(self, condition: Callable[[], bool], *, within: float = 10.0) -> None:
        """Wait until `condition` holds; it is checked whenever the session reports news."""
        async with asyncio.timeout(within):
            while not condition():
                waiter = asyncio.get_running_loop().create_future()
                self._waiters.append(waiter)
                await waiter

    def _notify(self, *_: Any) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait_closed(self, within: float = 10.0) -> CloseEvent:
        await asyncio.wait_for(self.closed.wait(), within)
        assert self.close_event is not None
        return self.close_event

    async def hang_up(self) -> None:
        self.state.outcome.left()
        self.caller.hang_up()
        self.session._close_soon(reason=CloseReason.PARTICIPANT_DISCONNECTED, drain=False)
        await self.wait_closed()

    async def consent_records(self) -> list[Any]:
        assert await self.state.journal.flush(within=5), "background writes still pending"
        return [r.record() for r in await self.store.consent_records()]

    @property
    def agent(self) -> Agent:
        return self.session.current_agent


@contextlib.asynccontextmanager
async def audio_call(
    brain: Brain,
    *,
    settings: Settings | None = None,
    database_path: Path | None = None,
    pace: Pace = TEST_PACE,
    controls: Callable[[AgentSession[Call]], CallControls] = SessionOnlyControls,
    agent: Callable[[Call], Agent] = default_agent,
    job_id: str = "AJ_audio",
    room: str = "audio-room",
    **state_fields: Any,
) -> AsyncIterator[AudioCall]:
    settings = settings or load_settings()
    scripted = ScriptedLLM(brain)
    path = database_path or Path(f"/tmp/consent-agent-audio-{id(scripted)}.db")
    store = await open_store(f"sqlite:///{path}")
    lexicon = Lexicon()
    caller = CallerMic(pace=pace, lexicon=lexicon)
    speaker = Speaker(pace=pace)
    ear = ScriptedSTT(lexicon=lexicon)
    vad = LoudnessVAD(pace=pace)
    front = ScriptedVoice(FRONT_DESK_VOICE, pace=pace)
    manager = ScriptedVoice(MANAGER_VOICE, pace=pace)

    session: AgentSession[Call] = audio_session(
        llm=scripted, stt=ear, vad=vad, tts=front, pace=pace
    )
    session.input.audio = caller
    session.output.audio = speaker
    state = bind_call(
        session,
        settings=settings,
        models=ModelKit(llm=scripted, stt=ear, tts=front, manager_tts=manager),
        journal=Journal(store),
        controls=controls(session),
        job_id=job_id,
        room=room,
        **state_fields,
    )
    call = AudioCall(
        session=session,
        state=state,
        llm=scripted,
        store=store,
        caller=caller,
        speaker=speaker,
        stt=ear,
        vad=vad,
        front_desk_voice=front,
        manager_voice=manager,
        agent_factory=agent,
    )

    def on_close(ev: CloseEvent) -> None:
        call.close_event = ev
        call.closed_at = time.time()
        call.closed.set()

    def on_user_state(ev: UserStateChangedEvent) -> None:
        call.user_states.append((ev.created_at, ev.new_state))

    session.on("close", on_close)
    session.on("user_state_changed", on_user_state)
    session.on("conversation_item_added", call.conversation.append)
    for event in ("conversation_item_added", "agent_state_changed", "user_state_changed", "close"):
        session.on(event, call._notify)
    try:
        yield call
    finally:
        if not call.closed.is_set():
            await session.aclose()
        caller.hang_up()
        await state.journal.flush(within=5)
        await store.close()

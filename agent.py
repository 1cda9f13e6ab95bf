"""The worker: one consent-first call per job.

    python agent.py console   # talk to it in the terminal (offline rehearsal without keys)
    python agent.py dev       # run against your LiveKit project
    python agent.py start     # production (the Dockerfile's CMD)

Settings are read and validated once per process (`settings()`). Each job connects to the
caller's room, builds the call's models (`pipeline/models.py`), its controls and its
`AgentSession`, whose first agent asks for recording consent before anything else.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sys

from livekit import rtc
from livekit.agents import AgentServer, AgentSession, JobContext, JobProcess, cli
from livekit.plugins import silero

import logsafe
from agents.customer_service import CustomerServiceAgent
from agents.out_of_service import OutOfServiceAgent
from call.call import Call
from call.controls import CallControls, SessionOnlyControls
from call.journal import Journal
from call.record import save_call_record
from call.session_watch import bind_call
from config.env_file import load_env_file
from config.settings import Settings, SettingsError, load_settings
from delivery.worker import WorkerDelivery
from pipeline.console_audio import portaudio_problem
from pipeline.models import ModelKit, build_models
from store import open_store
from store.probe import store_problem
from tasks.form_selection import select_form
from telephony.caller import caller_from_participant
from telephony.controls import LiveKitCallControls

logger = logging.getLogger("consent-agent")


@functools.cache
def settings() -> Settings:
    """`.env.local`, then every settings section, once per process; on a problem, every
    problem is printed and the process exits. Logs of this process mask PII from then on."""
    load_env_file()
    try:
        loaded = load_settings()
    except SettingsError as exc:
        print(f"consent-agent: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    api_secret = loaded.livekit.livekit_api_secret
    logsafe.install(
        secrets=[
            api_secret.get_secret_value() if api_secret else None,
            *loaded.delivery.secrets(),
            *loaded.telephony.secrets(),
            *loaded.lookup.secrets(),
        ]
    )
    return loaded


def rehearsal() -> bool:
    """No LiveKit credentials: the console runs the offline rehearsal."""
    return not settings().livekit.has_credentials


def prewarm(proc: JobProcess) -> None:
    """Once per job process, not once per call."""
    settings()
    proc.userdata["vad"] = silero.VAD.load()


class Worker(AgentServer):
    """LiveKit's server, with the outbox sender beside it in the main process."""

    def __init__(self) -> None:
        super().__init__(setup_fnc=prewarm)
        self.delivery = WorkerDelivery()
        self.on("worker_started", self._start_delivery)

    def _start_delivery(self) -> None:
        asyncio.get_running_loop().create_task(
            self.delivery.start(settings()), name="start-delivery"
        )

    async def aclose(self) -> None:
        await self.delivery.aclose()
        await super().aclose()


server = Worker()


async def entrypoint(ctx: JobContext) -> None:
    """One call: meet the caller, then consent first, then help."""
    config = settings()
    models = call_models(config)
    await ctx.connect()
    participant = await ctx.wait_for_participant()
    session: AgentSession[Call] = AgentSession(
        stt=models.stt,
        llm=models.llm,
        tts=models.tts,
        vad=ctx.proc.userdata["vad"],
        turn_handling={"turn_detection": models.turn_detection},
        # LiveKit marks a silent caller "away" after this; call/silence.py answers it. (Not
        # in the typed rehearsal: someone reading the screen is not a silent caller.)
        user_away_timeout=None if rehearsal() else config.limits.silence_prompt_seconds,
    )
    controls = call_controls(ctx, session, participant, config)
    try:
        store = await open_store(config.store.database_url)
    except Exception:
        # Consent that can't be recorded must not be asked for: say why, then hang up.
        logger.exception("the store is unreachable: answering out of service")
        line = OutOfServiceAgent(line=config.wording.out_of_service, hang_up=controls.hang_up)
        await session.start(agent=line, room=ctx.room, record=False)
        return
    caller = caller_from_participant(
        participant, default_region=config.telephony.phone_default_region
    )
    call = bind_call(
        session,
        livekit_room=ctx.room,
        caller_identity=participant.identity,
        settings=config,
        models=models,
        journal=Journal(store),
        controls=controls,
        job_id=ctx.job.id,
        room=ctx.room.name,
        room_id=ctx.job.room.sid or None,
        caller=caller,
        # A form runs right after consent when the dispatch or the dialled number asks.
        selected_form=select_form(
            config.forms, job_metadata=ctx.job.metadata, dialled_number=caller.trunk_number
        ),
    )

    async def finish_call() -> None:
        # Local writes only (LiveKit kills a job that takes ~10 s to shut down); delivery
        # to the customer's endpoint happens later, off the call.
        await save_call_record(call)
        await store.close()

    ctx.add_shutdown_callback(finish_call)
    if rehearsal() or ctx.is_fake_job():
        from offline.console_view import show_call_in_console

        show_call_in_console(session, call)
    await session.start(
        agent=CustomerServiceAgent(call),
        room=ctx.room,
        record=config.consent.record_session_before_consent,
    )


def call_models(config: Settings) -> ModelKit:
    if rehearsal():
        from offline.rehearsal import rehearsal_llm

        return ModelKit(llm=rehearsal_llm())
    return build_models(config.models, language=config.consent.consent_language)


def call_controls(
    ctx: JobContext, session: AgentSession[Call], caller: rtc.RemoteParticipant, config: Settings
) -> CallControls:
    """What the agents can do to the call: through LiveKit's server API, or (console) only
    to the session."""
    if rehearsal() or ctx.is_fake_job():
        return SessionOnlyControls(session)
    controls = LiveKitCallControls(
        session,
        api=ctx.api,
        room_name=ctx.room.name,
        caller_identity=caller.identity,
        settings=config.telephony,
    )
    ctx.add_shutdown_callback(controls.aclose)  # stops a recording still running
    return controls


def console_argv(argv: list[str]) -> list[str]:
    """Without credentials, `console` is the offline rehearsal in text mode."""
    if rehearsal() and len(argv) > 1 and argv[1] == "console":
        from offline.rehearsal import BANNER

        print(BANNER, file=sys.stderr)
        if "--text" not in argv:
            return [*argv, "--text"]
    elif rehearsal() and len(argv) > 1 and argv[1] in ("dev", "start", "connect"):
        print(
            f"consent-agent: `{argv[1]}` connects to LiveKit and needs LIVEKIT_URL, "
            "LIVEKIT_API_KEY and LIVEKIT_API_SECRET (set them in .env.local). "
            "Without them, run `python agent.py console` for the offline rehearsal.",
            file=sys.stderr,
        )
        raise SystemExit(2)
    return argv


def preflight_or_exit(argv: list[str]) -> None:
    """Before anything connects to LiveKit, stop with one line on what would fail every
    call: a store that can't be used, or, for `console`, no PortAudio. (A store that goes
    away later is answered per call: see `entrypoint`.)"""
    command = argv[1] if len(argv) > 1 else ""
    if command not in ("console", "dev", "start", "connect"):
        return
    problem = asyncio.run(store_problem(settings().store.database_url))
    if problem is None and command == "console":
        problem = portaudio_problem()
    if problem is not None:
        print(f"consent-agent: {problem}", file=sys.stderr)
        raise SystemExit(1)


def main(argv: list[str]) -> None:
    for warning in settings().consent.warnings():  # once per start, not per job process
        print(f"consent-agent: WARNING: {warning}", file=sys.stderr)
    preflight_or_exit(argv)
    sys.argv = console_argv(argv)
    server.rtc_session(entrypoint, agent_name=settings().livekit.agent_name)
    cli.run_app(server)


if __name__ == "__main__":
    main(sys.argv)

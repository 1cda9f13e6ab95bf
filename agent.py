"""The worker: one consent-first call per job.

    python agent.py console   # talk to it in the terminal (offline rehearsal without keys)
    python agent.py dev       # run against your LiveKit project
    python agent.py start     # production (the Dockerfile's CMD)

Settings are read and validated once, at start (`config/`). Each job builds the call's
models (`pipeline/models.py`), its state, and an `AgentSession` whose first agent asks
for recording consent before anything else happens.
"""

from __future__ import annotations

import asyncio
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
from config import Settings, SettingsError, load_settings
from config.env_file import load_env_file
from delivery.sender import WORKER_POLL_SECONDS, OutboxSender
from pipeline.console_audio import portaudio_problem
from pipeline.models import ModelKit, build_models
from store import Store, open_store
from store.probe import store_problem
from tasks.form_selection import select_form
from telephony.caller import caller_from_participant
from telephony.controls import LiveKitCallControls

load_env_file()
logger = logging.getLogger("consent-agent")


def _settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        print(f"consent-agent: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


SETTINGS = _settings_or_exit()
REHEARSAL = not SETTINGS.livekit.has_credentials


def _secrets(settings: Settings) -> list[str | None]:
    api_secret = settings.livekit.livekit_api_secret
    return [
        api_secret.get_secret_value() if api_secret else None,
        *settings.delivery.secrets(),
        *settings.telephony.secrets(),
    ]


logsafe.install(secrets=_secrets(SETTINGS))


def prewarm(proc: JobProcess) -> None:
    """Once per job process, not once per call: load the VAD and mask PII in its logs."""
    logsafe.install(secrets=_secrets(SETTINGS))
    proc.userdata["vad"] = silero.VAD.load()


server = AgentServer(setup_fnc=prewarm)
_sender: OutboxSender | None = None


@server.on("worker_started")
def start_delivery() -> None:
    """One outbox sender per worker, in the main process: jobs only write to the store.

    Records a job stored are picked up within the poll interval; rows left by a crash or
    a redeploy are sent again at start-up. Fleets may run `python -m delivery` instead.
    """
    global _sender
    if not SETTINGS.delivery.webhook_url:
        logger.info("WEBHOOK_URL is not set: call records are stored, not delivered")
        return

    async def run() -> None:
        global _sender
        store = await open_store(SETTINGS.store.database_url)
        _sender = OutboxSender(store, SETTINGS.delivery, poll_interval=WORKER_POLL_SECONDS)
        _sender.start()

    asyncio.get_running_loop().create_task(run(), name="start-delivery")


def call_models(settings: Settings) -> ModelKit:
    if REHEARSAL:
        from offline.rehearsal import rehearsal_llm

        return ModelKit(llm=rehearsal_llm())
    return build_models(settings.models, language=settings.consent.consent_language)


@server.rtc_session(agent_name=SETTINGS.livekit.agent_name)
async def entrypoint(ctx: JobContext) -> None:
    settings = SETTINGS
    try:
        store = await open_store(settings.store.database_url)
    except Exception:
        # Consent that can't be recorded must not be asked for: tell the caller instead
        # of leaving them in silence.
        logger.exception("the store is unreachable: answering out of service")
        await _answer_out_of_service(ctx, settings)
        return
    started: list[Call] = []

    async def finish_call() -> None:
        # Local writes only (LiveKit kills a job that takes ~10 s to shut down); delivery
        # to the customer's endpoint happens later, off the call. Registered before
        # anything can fail, so the store is closed however the job ends.
        for state in started:
            await save_call_record(state)
        await store.close()

    ctx.add_shutdown_callback(finish_call)
    session, state = await _prepare_call(ctx, settings, store)
    started.append(state)
    await session.start(
        agent=CustomerServiceAgent(state),
        room=ctx.room,
        record=settings.consent.record_session_before_consent,
    )


async def _prepare_call(
    ctx: JobContext, settings: Settings, store: Store
) -> tuple[AgentSession[Call], Call]:
    """Connect, meet the caller, and build the call's session, controls and state."""
    models, participant, session, controls = await _connect_call(ctx, settings)
    caller = caller_from_participant(
        participant, default_region=settings.telephony.phone_default_region
    )
    state = bind_call(
        session,
        livekit_room=ctx.room,
        caller_identity=participant.identity,
        settings=settings,
        models=models,
        journal=Journal(store),
        controls=controls,
        job_id=ctx.job.id,
        room=ctx.room.name,
        room_id=ctx.job.room.sid or None,
        caller=caller,
        # A form runs right after consent when the dispatch or the dialled number asks.
        selected_form=select_form(
            settings.forms, job_metadata=ctx.job.metadata, dialled_number=caller.trunk_number
        ),
    )
    if REHEARSAL or ctx.is_fake_job():
        from offline.console_view import show_call_in_console

        show_call_in_console(session, state)
    return session, state


async def _connect_call(
    ctx: JobContext, settings: Settings
) -> tuple[ModelKit, rtc.RemoteParticipant, AgentSession[Call], CallControls]:
    """Join the room, wait for the caller, and build the session and its call controls."""
    models = call_models(settings)
    await ctx.connect()
    participant = await ctx.wait_for_participant()
    session: AgentSession[Call] = AgentSession(
        stt=models.stt,
        llm=models.llm,
        tts=models.tts,
        vad=ctx.proc.userdata["vad"],
        turn_handling={"turn_detection": models.turn_detection},
    )
    controls: CallControls
    if REHEARSAL or ctx.is_fake_job():
        controls = SessionOnlyControls(session)  # console: no server API to call
    else:
        controls = LiveKitCallControls(
            session,
            api=ctx.api,
            room_name=ctx.room.name,
            caller_identity=participant.identity,
            settings=settings.telephony,
        )
        ctx.add_shutdown_callback(controls.aclose)  # stops a recording still running
    return models, participant, session, controls


async def _answer_out_of_service(ctx: JobContext, settings: Settings) -> None:
    _, _, session, controls = await _connect_call(ctx, settings)
    agent = OutOfServiceAgent(line=settings.wording.out_of_service, hang_up=controls.hang_up)
    await session.start(agent=agent, room=ctx.room, record=False)


def _console_argv(argv: list[str]) -> list[str]:
    """Without credentials, `console` is the offline rehearsal in text mode."""
    if REHEARSAL and len(argv) > 1 and argv[1] == "console":
        from offline.rehearsal import BANNER

        print(BANNER, file=sys.stderr)
        if "--text" not in argv:
            return [*argv, "--text"]
    elif REHEARSAL and len(argv) > 1 and argv[1] in ("dev", "start", "connect"):
        print(
            f"consent-agent: `{argv[1]}` connects to LiveKit and needs LIVEKIT_URL, "
            "LIVEKIT_API_KEY and LIVEKIT_API_SECRET (set them in .env.local). "
            "Without them, run `python agent.py console` for the offline rehearsal.",
            file=sys.stderr,
        )
        raise SystemExit(2)
    return argv


def _preflight_or_exit(argv: list[str]) -> None:
    """Before anything connects to LiveKit, stop with one line on what would fail every
    call: a store that can't be used, or, for `console`, no PortAudio. (A store that goes
    away later is answered per call: see `entrypoint`.)"""
    command = argv[1] if len(argv) > 1 else ""
    if command not in ("console", "dev", "start", "connect"):
        return
    problem = asyncio.run(store_problem(SETTINGS.store.database_url))
    if problem is None and command == "console":
        problem = portaudio_problem()
    if problem is not None:
        print(f"consent-agent: {problem}", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    for warning in SETTINGS.consent.warnings():  # once per start, not per job process
        print(f"consent-agent: WARNING: {warning}", file=sys.stderr)
    _preflight_or_exit(sys.argv)
    sys.argv = _console_argv(sys.argv)
    cli.run_app(server)

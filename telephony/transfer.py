"""The last resort: hand the caller to a person, and say what happens if no one takes them.

`transfer_to_human` is what a tool calls (the manager's `transfer_to_human`):

- warm (default): the framework's `WarmTransferTask`: the caller hears hold music and is
  muted, a second session dials `TRANSFER_NUMBER` through the outbound trunk, briefs the
  person from the conversation and, when they agree, moves them into the caller's room.
  Then the AI says so and leaves (its session closes; the room and the call stay up).
- cold: a blind SIP transfer of the caller (`TransferSIPParticipant`).

Outside business hours (`config/hours.py`) nothing is dialled: the caller hears
`AFTER_HOURS_TRANSFER` and the callback offer.

Every failure is recorded (`state.outcome.note("transfer", outcome=...)`) and, if the caller
is still on the line, answered with its own line from settings and a callback offer
(`telephony.callback`: a call back if we have their number, else to take one); the
caller's yes reaches `request_callback`. The number dialled is always the configured one:
the model only decides *that* the caller needs a person. The colleague's briefing is built
by `telephony.briefing`, with every phone number and email address withheld.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from livekit import api, rtc
from livekit.agents import AgentSession, RunContext, ToolError, get_job_context, llm
from livekit.agents.beta.workflows import WarmTransferResult, WarmTransferTask
from livekit.agents.types import NOT_GIVEN
from livekit.agents.voice.background_audio import AudioConfig
from livekit.agents.voice.events import CloseEvent

from call.call import Call
from call.capture import ActiveAgent
from call.controls import TransferAttempt, TransferOutcome
from call.livekit_compat import is_closing
from config.telephony import HOLD_AUDIO_BUILTIN, HOLD_AUDIO_OFF, TelephonySettings
from telephony.briefing import briefing_extra, briefing_history, briefing_regions
from telephony.callback import callback_offer
from telephony.caller import mask_number

logger = logging.getLogger("consent-agent.transfer")

_BUSY = {486, 600}
_NO_ANSWER = {408, 480, 487}
_DECLINED = {603}


def outcome_of_sip_code(code: int | None) -> TransferOutcome:
    if code in _BUSY:
        return "busy"
    if code in _NO_ANSWER:
        return "no_answer"
    if code in _DECLINED:
        return "declined"
    return "failed"


def outcome_of_sip_error(error: api.SipCallError) -> TransferOutcome:
    if error.sip_transfer_reason == "STR_RINGING_TIMEOUT":
        return "no_answer"
    return outcome_of_sip_code(error.sip_status_code)


class HumanTransferTask(WarmTransferTask):
    """`WarmTransferTask` to the configured human line that knows how it ended (`.outcome`).

    Extends the framework's task where it falls short for a phone product: it keeps the SIP
    status of a failed dial, ends the transfer (hold music off, the person's leg hung up)
    when the caller hangs up while on hold, and briefs the person from the conversation and
    the reason with every phone number and email address withheld (`telephony.briefing`).
    """

    def __init__(
        self,
        *,
        settings: TelephonySettings,
        chat_ctx: llm.ChatContext,
        reason: str = "",
        caller_identity: str | None = None,
        **overrides: Any,
    ) -> None:
        if settings.transfer_number is None:
            raise ValueError("TRANSFER_NUMBER is not set: there is no human line to dial")
        hold: Any = NOT_GIVEN  # the framework's own hold music
        if settings.transfer_hold_audio == HOLD_AUDIO_OFF:
            hold = None
        elif settings.transfer_hold_audio != HOLD_AUDIO_BUILTIN:
            hold = AudioConfig(settings.transfer_hold_audio, volume=0.8)
        # The briefing is built from the conversation and the model's reason: both with
        # every phone number and email address withheld (telephony.briefing).
        regions = briefing_regions(
            settings.transfer_number,
            settings.sip_number,
            default_region=settings.phone_default_region,
        )
        options: dict[str, Any] = {
            "sip_trunk_id": settings.sip_outbound_trunk,
            "sip_number": settings.sip_number or "",
            "ringing_timeout": settings.transfer_ringing_timeout,
            "hold_audio": hold,
            "chat_ctx": briefing_history(chat_ctx, regions=regions),
            "extra_instructions": briefing_extra(reason, regions=regions),
        }
        briefing = {"instructions", "extra_instructions"} & overrides.keys()
        if briefing:
            raise TypeError(
                f"{', '.join(sorted(briefing))}: the briefing is built from chat_ctx= and "
                "reason= (contacts withheld); pass those instead"
            )
        options.update(overrides)
        super().__init__(settings.transfer_number, **options)
        self.outcome: TransferOutcome | None = None
        self.detail: str | None = None
        self._caller_identity = caller_identity
        self._caller_room_watched: rtc.Room | None = None

    async def on_enter(self) -> None:
        logger.info(
            "warm transfer: dialling the human line %s", mask_number(str(self._sip_call_to))
        )
        self.session.on("close", self._on_caller_session_close)
        room = get_job_context().room
        room.on("participant_disconnected", self._on_caller_left_room)
        self._caller_room_watched = room
        await super().on_enter()

    async def on_exit(self) -> None:
        self.session.off("close", self._on_caller_session_close)
        if self._caller_room_watched is not None:
            self._caller_room_watched.off("participant_disconnected", self._on_caller_left_room)
            self._caller_room_watched = None

    # -- how it ended ------------------------------------------------------------------------

    async def _originate_human_agent(self, *, room_name: str, identity: str, room: Any) -> None:
        try:
            await super()._originate_human_agent(room_name=room_name, identity=identity, room=room)
        except api.SipCallError as exc:
            self._ended(outcome_of_sip_error(exc), str(exc))
            raise
        except Exception as exc:
            self._ended("failed", f"{type(exc).__name__}: {exc}")
            raise

    def _on_human_agent_room_close(self, reason: Any) -> None:
        self._ended("human_hung_up", f"human leg closed: {rtc.DisconnectReason.Name(reason)}")
        super()._on_human_agent_room_close(reason)

    def _on_caller_left_room(self, participant: rtc.RemoteParticipant) -> None:
        if self._caller_identity and participant.identity == self._caller_identity:
            self._caller_hung_up()

    def _on_caller_session_close(self, _: CloseEvent) -> None:
        self._caller_hung_up()

    def cancel(self) -> None:
        # The session cancels a running task when it closes: on hold, that is the caller
        # hanging up (or the job ending). The person's leg must not keep ringing.
        try:
            left = bool(self.session.userdata.caller_left)
        except (ValueError, AttributeError):  # no userdata: not our call state
            left = False
        if left or is_closing(self.session):
            self._caller_hung_up()
        else:
            self._ended("failed", "transfer cancelled")
            self._set_result(ToolError("transfer cancelled"))

    def _caller_hung_up(self) -> None:
        if self.done():
            return
        self._ended("caller_hung_up", "the caller hung up while on hold")
        with contextlib.suppress(asyncio.InvalidStateError):
            self._human_agent_failed_fut.set_result(None)
        self._set_result(ToolError("the caller hung up while on hold"))

    def _keep_colleague_lines(self) -> None:
        """Before the framework closes the colleague's leg: its conversation (the briefing,
        the colleague's answers) goes in the call's transcript."""
        leg = self._human_agent_sess
        try:
            capture = getattr(self.session.userdata, "capture", None)
        except ValueError:  # no userdata: not our call state
            return
        if leg is not None and capture is not None:
            capture.add_side_line(ActiveAgent(self.label), list(leg.history.items))

    def _set_result(self, result: WarmTransferResult | Exception) -> None:
        if not self.done():
            self._keep_colleague_lines()
            if isinstance(result, WarmTransferResult):
                self._ended("connected")
            else:
                text = str(result)
                if "declined" in text:
                    self._ended("declined", text)
                elif "voicemail" in text:
                    self._ended("voicemail", text)
                else:
                    self._ended("failed", text)
        super()._set_result(result)

    def _ended(self, outcome: TransferOutcome, detail: str | None = None) -> None:
        if self.outcome is None:  # the first cause wins (e.g. busy, then "could not dial")
            self.outcome, self.detail = outcome, detail


# -- what the caller hears ---------------------------------------------------------------------


def failure_line(settings: TelephonySettings, outcome: TransferOutcome) -> str:
    return {
        "busy": settings.transfer_busy,
        "no_answer": settings.transfer_no_answer,
        "declined": settings.transfer_declined,
        "voicemail": settings.transfer_voicemail,
        "human_hung_up": settings.transfer_human_left,
        "unavailable": settings.transfer_unavailable,
    }.get(outcome, settings.transfer_failed)


async def transfer_to_human(
    context: RunContext[Call], *, reason: str, chat_ctx: llm.ChatContext
) -> None:
    """Run the configured transfer from inside a tool. Returns nothing on purpose: what the
    caller hears next is said here, so no model round trip follows."""
    session: AgentSession[Call] = context.session
    state = session.userdata
    settings = state.settings.telephony
    mode = settings.transfer_mode
    state.outcome.note("transfer_requested", mode=mode, reason=reason)
    if state.after_hours():
        # No one is there to take the caller: not attempted, whatever the model asked.
        state.outcome.note("transfer", mode=mode, outcome="after_hours", detail="office closed")
        logger.info("transfer not attempted: outside business hours")
        await session.say(f"{state.settings.hours.after_hours_transfer} {callback_offer(state)}")
        return None

    attempt: TransferAttempt
    cold_without_line = mode == "cold" and not state.caller.is_phone
    if not settings.transfers_enabled or cold_without_line:
        attempt = TransferAttempt("unavailable", "no transfer configured for this call")
    else:
        await session.say(settings.transfer_announcement, allow_interruptions=False)
        if mode == "cold":
            attempt = await state.controls.cold_transfer()
        else:
            attempt = await _warm_transfer(state, chat_ctx=chat_ctx, reason=reason)

    state.outcome.note("transfer", mode=mode, outcome=attempt.outcome, detail=attempt.detail)
    if attempt.connected:
        logger.info("transfer connected (%s); the AI leaves the call", mode)
        if mode == "warm":
            await session.say(settings.transfer_connected, allow_interruptions=False)
        # The AI leaves: its session closes; the room (the caller and the person) stays.
        session.shutdown(drain=True)
        return None

    logger.warning("transfer %s: %s (%s)", mode, attempt.outcome, attempt.detail)
    if attempt.outcome == "caller_hung_up" or state.outcome.caller_left or is_closing(session):
        return None  # no one left to tell
    await session.say(f"{failure_line(settings, attempt.outcome)} {callback_offer(state)}")
    return None


async def _warm_transfer(state: Call, *, chat_ctx: llm.ChatContext, reason: str) -> TransferAttempt:
    task = state.controls.warm_transfer_task(chat_ctx=chat_ctx, reason=reason)
    if task is None:
        return TransferAttempt("unavailable", "warm transfer not available on this call")
    try:
        await task
    except Exception as exc:
        outcome: TransferOutcome = getattr(task, "outcome", None) or "failed"
        detail = getattr(task, "detail", None) or f"{type(exc).__name__}: {exc}"
        return TransferAttempt(outcome, detail)
    return TransferAttempt("connected")

"""The call's controls over LiveKit's server API: recording, hang-up, transfers.

    controls = LiveKitCallControls(
        session, api=ctx.api, room_name=ctx.room.name,
        caller_identity=participant.identity, settings=settings.telephony,
    )
    ctx.add_shutdown_callback(controls.aclose)

- Recording is an audio-only room composite Egress, started only when the consent
  policy asks (after a yes) and only if `RECORDING_ENABLED`; it is stopped when the
  session closes (and by `aclose()` at the latest). A failed start is returned as an
  error, never raised: the call goes on unrecorded and the record says why.
- Hanging up deletes the room: every participant leaves and the SIP line drops.
- A cold transfer is `TransferSIPParticipant` to the configured number; a response whose
  status is not successful is a failure even though nothing was raised.
- The warm transfer task dials the configured human line through the outbound trunk.

The numbers come from settings only: nothing here takes a number from a model.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

from livekit import api
from livekit.agents import AgentSession, llm
from livekit.agents.voice.events import CloseEvent

from call.controls import (
    EgressReport,
    RecordingFileReport,
    RecordingStart,
    TransferAttempt,
    TransferOutcome,
)
from config.telephony import TelephonySettings
from telephony.caller import mask_number
from telephony.transfer import HumanTransferTask, outcome_of_sip_code, outcome_of_sip_error

logger = logging.getLogger("consent-agent.telephony")

_EGRESS_NOT_RUNNING = (api.TwirpErrorCode.NOT_FOUND, api.TwirpErrorCode.FAILED_PRECONDITION)


def recording_output(settings: TelephonySettings) -> api.EncodedFileOutput:
    """Where the recording goes: an OGG file, uploaded where the settings say."""
    output = api.EncodedFileOutput(
        file_type=api.EncodedFileType.OGG, filepath=settings.recording_file_path
    )
    secret = _secret
    if settings.recording_storage == "s3":
        output.s3.CopyFrom(
            api.S3Upload(
                bucket=settings.recording_s3_bucket or "",
                region=settings.recording_s3_region or "",
                access_key=settings.recording_s3_access_key or "",
                secret=secret(settings.recording_s3_secret),
                endpoint=settings.recording_s3_endpoint or "",
                force_path_style=settings.recording_s3_force_path_style,
            )
        )
    elif settings.recording_storage == "gcp":
        output.gcp.CopyFrom(
            api.GCPUpload(
                bucket=settings.recording_gcp_bucket or "",
                credentials=secret(settings.recording_gcp_credentials),
            )
        )
    elif settings.recording_storage == "azure":
        output.azure.CopyFrom(
            api.AzureBlobUpload(
                account_name=settings.recording_azure_account_name or "",
                account_key=secret(settings.recording_azure_account_key),
                container_name=settings.recording_azure_container or "",
            )
        )
    return output


_ENDED = {
    api.EgressStatus.EGRESS_COMPLETE: "complete",
    api.EgressStatus.EGRESS_FAILED: "failed",
    api.EgressStatus.EGRESS_ABORTED: "failed",
    api.EgressStatus.EGRESS_LIMIT_REACHED: "complete",  # stopped at LiveKit's limit: a file
}


def _time(nanoseconds: int) -> datetime | None:
    return datetime.fromtimestamp(nanoseconds / 1e9, UTC) if nanoseconds else None


def egress_report(info: api.EgressInfo) -> EgressReport:
    """An `EgressInfo` as the call record needs it (LiveKit's times are in nanoseconds)."""
    status = _ENDED.get(info.status)
    if status is None:
        status = "ending" if info.status == api.EgressStatus.EGRESS_ENDING else "active"
    files = tuple(
        RecordingFileReport(
            location=f.location or None,
            filename=f.filename or None,
            duration_seconds=round(f.duration / 1e9, 3) if f.duration else None,
            size_bytes=f.size or None,
        )
        for f in info.file_results
    )
    error = info.error or None
    if info.status == api.EgressStatus.EGRESS_LIMIT_REACHED:
        error = error or "stopped at LiveKit's egress time limit"
    return EgressReport(
        status=status,  # type: ignore[arg-type]
        started_at=_time(info.started_at),
        ended_at=_time(info.ended_at),
        files=files,
        error=error,
    )


def _secret(value: Any) -> str:
    return value.get_secret_value() if value is not None else ""


class LiveKitCallControls:
    """`CallControls` for a call in a LiveKit room (phone or web)."""

    def __init__(
        self,
        session: AgentSession[Any],
        *,
        api: api.LiveKitAPI,
        room_name: str,
        caller_identity: str | None,
        settings: TelephonySettings,
        transfer_task: type[HumanTransferTask] = HumanTransferTask,
    ) -> None:
        self._session = session
        self._api = api
        self._room_name = room_name
        self._caller_identity = caller_identity
        self._settings = settings
        self._transfer_task = transfer_task
        self._egress_id: str | None = None
        self._recording_lock = asyncio.Lock()
        self._stopping: asyncio.Task[None] | None = None
        session.on("close", self._on_session_close)

    @property
    def egress_id(self) -> str | None:
        return self._egress_id

    # -- recording -----------------------------------------------------------------------

    async def start_recording(self) -> RecordingStart:
        if not self._settings.recording_enabled:
            return RecordingStart(egress_id=None)
        async with self._recording_lock:
            if self._egress_id is not None:
                return RecordingStart(egress_id=self._egress_id)
            if self._stopping is not None:
                return RecordingStart(None, error="the call ended before recording could start")
            request = api.RoomCompositeEgressRequest(
                room_name=self._room_name,
                audio_only=True,
                file_outputs=[recording_output(self._settings)],
            )
            try:
                info = await self._api.egress.start_room_composite_egress(request)
            except Exception as exc:
                return RecordingStart(None, error=f"{type(exc).__name__}: {exc}")
            if info.status in (api.EgressStatus.EGRESS_FAILED, api.EgressStatus.EGRESS_ABORTED):
                return RecordingStart(None, error=f"egress {info.egress_id}: {info.error}")
            self._egress_id = info.egress_id
            logger.info("recording started (egress %s)", info.egress_id)
            return RecordingStart(egress_id=info.egress_id)

    async def stop_recording(self) -> None:
        """Stop the recording. Raises if LiveKit didn't stop it (the egress id is kept, so
        the job's shutdown tries again); an egress that already ended counts as stopped."""
        async with self._recording_lock:
            egress_id = self._egress_id
            if egress_id is None:
                return
            try:
                await self._api.egress.stop_egress(api.StopEgressRequest(egress_id=egress_id))
                logger.info("recording stopped (egress %s)", egress_id)
            except api.TwirpError as exc:
                if exc.code not in _EGRESS_NOT_RUNNING:
                    logger.warning("could not stop egress %s: %s", egress_id, exc)
                    raise
            except Exception as exc:
                logger.warning("could not stop egress %s: %s", egress_id, exc)
                raise
            self._egress_id = None

    async def recording_report(self, egress_id: str) -> EgressReport | None:
        """What LiveKit reports for the egress now (`ListEgress`): once it has ended, where
        the file went. None if LiveKit doesn't know it; raises if LiveKit can't be asked."""
        response = await self._api.egress.list_egress(api.ListEgressRequest(egress_id=egress_id))
        info = next((i for i in response.items if i.egress_id == egress_id), None)
        return egress_report(info) if info is not None else None

    async def _stop_quietly(self) -> None:
        with contextlib.suppress(Exception):  # already logged
            await self.stop_recording()

    def _on_session_close(self, _: CloseEvent) -> None:
        if self._stopping is None:
            self._stopping = asyncio.create_task(self._stop_quietly(), name="stop-recording")

    async def aclose(self, *_: Any) -> None:
        """Stop the recording if the session didn't (call from the job's shutdown)."""
        if self._stopping is None or (self._stopping.done() and self._egress_id is not None):
            self._stopping = asyncio.create_task(self._stop_quietly(), name="stop-recording")
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(self._stopping), timeout=5)

    # -- ending the call ---------------------------------------------------------------------

    async def hang_up(self) -> None:
        """Delete the room (the phone line drops for everyone), then close the session."""
        try:
            await self._api.room.delete_room(api.DeleteRoomRequest(room=self._room_name))
            logger.info("hung up: room deleted")
        except api.TwirpError as exc:
            if exc.code != api.TwirpErrorCode.NOT_FOUND:
                logger.warning("could not delete the room to hang up: %s", exc)
        except Exception as exc:
            logger.warning("could not delete the room to hang up: %s", exc)
        self._session.shutdown(drain=True)

    # -- transfers ---------------------------------------------------------------------------

    async def cold_transfer(self) -> TransferAttempt:
        target = self._settings.cold_target
        if target is None or not self._caller_identity:
            return TransferAttempt("unavailable", "no transfer target or no caller to transfer")
        request = api.TransferSIPParticipantRequest(
            room_name=self._room_name,
            participant_identity=self._caller_identity,
            transfer_to=target,
            play_dialtone=self._settings.transfer_play_dialtone,
        )
        request.ringing_timeout.FromSeconds(int(self._settings.transfer_ringing_timeout))
        logger.info("cold transfer to %s", mask_number(target))
        try:
            response = await self._api.sip.transfer_sip_participant(request)
        except api.SipCallError as exc:
            return TransferAttempt(outcome_of_sip_error(exc), str(exc))
        except Exception as exc:
            return TransferAttempt("failed", f"{type(exc).__name__}: {exc}")
        if response.status != api.SIPTransferStatus.STS_TRANSFER_SUCCESSFUL:
            return TransferAttempt(_outcome_of_transfer_response(response), _describe(response))
        return TransferAttempt("connected")

    def warm_transfer_task(
        self, *, chat_ctx: llm.ChatContext, reason: str
    ) -> HumanTransferTask | None:
        if not (self._settings.transfer_number and self._settings.sip_outbound_trunk):
            return None
        return self._transfer_task(
            settings=self._settings,
            chat_ctx=chat_ctx,
            reason=reason,
            caller_identity=self._caller_identity,
        )


def _outcome_of_transfer_response(response: api.TransferSIPParticipantResponse) -> TransferOutcome:
    if response.HasField("sip_status") and response.sip_status.code:
        return outcome_of_sip_code(int(response.sip_status.code))
    if response.reason == api.SIPTransferReason.STR_RINGING_TIMEOUT:
        return "no_answer"
    if response.reason == api.SIPTransferReason.STR_REJECTED:
        return "declined"
    return "failed"


def _describe(response: api.TransferSIPParticipantResponse) -> str:
    status = api.SIPTransferStatus.Name(response.status)
    reason = api.SIPTransferReason.Name(response.reason)
    text = f"transfer {response.transfer_id or '-'}: {status} ({reason})"
    if response.HasField("sip_status") and response.sip_status.code:
        text += f", SIP {int(response.sip_status.code)} {response.sip_status.status}"
    return text

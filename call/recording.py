"""The recording block of the call record: its provenance, from consent to the file.

Which Egress recorded the call, where it was configured to go (storage, bucket, file
name template), when it started and stopped and why, whether the caller withdrew their
consent, and where the file ended up, as LiveKit reports it once the Egress has ended
(`ListEgress`: `file_results` with the final location).

The recording stops when the session closes; the upload finishes after that. The record
waits for LiveKit's report at most `REPORT_SECONDS`, inside the job's shutdown budget
(alongside the analysis). If the Egress has not ended by then, the record says `pending`
with everything else filled in, and is stored anyway.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from call.controls import CallControls, EgressReport
from call.outcome import CallOutcome
from config.telephony import TelephonySettings
from store.call_record import RecordingBlock, RecordingFile

logger = logging.getLogger("consent-agent.recording")

REPORT_SECONDS = 3.0
POLL_SECONDS = 0.25


async def final_report(
    controls: CallControls, egress_id: str, *, within: float | None = None
) -> EgressReport | None:
    """Stop the recording if it still runs, then LiveKit's report on the egress once it has
    ended, or the last one within `within` seconds (default REPORT_SECONDS; None if LiveKit
    could not be asked). Never raises."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + (REPORT_SECONDS if within is None else within)
    try:  # the session's close asked already; this waits for it (or asks, if it didn't)
        await asyncio.wait_for(controls.stop_recording(), max(deadline - loop.time(), 0.01))
    except Exception as exc:
        logger.warning("recording %s may still run: %s", egress_id, exc)
    report: EgressReport | None = None
    while True:
        try:
            report = await asyncio.wait_for(
                controls.recording_report(egress_id), max(deadline - loop.time(), 0.01)
            )
        except Exception as exc:
            logger.warning("could not ask LiveKit about egress %s: %s", egress_id, exc)
        if report is not None and report.ended:
            return report
        if loop.time() + POLL_SECONDS > deadline:
            return report
        await asyncio.sleep(POLL_SECONDS)


def _destination(settings: TelephonySettings) -> str | None:
    return {
        "s3": settings.recording_s3_bucket,
        "gcp": settings.recording_gcp_bucket,
        "azure": settings.recording_azure_container,
    }.get(settings.recording_storage)


def _event(outcome: CallOutcome, kind: str) -> dict[str, Any] | None:
    return next((e for e in outcome.events if e["type"] == kind), None)


def recording_block(
    outcome: CallOutcome, settings: TelephonySettings, report: EgressReport | None
) -> RecordingBlock:
    where: dict[str, Any] = {
        "storage": settings.recording_storage,
        "destination": _destination(settings),
        "file_path": settings.recording_file_path,
    }
    failed = _event(outcome, "recording_failed")
    egress_id = outcome.egress_id
    if egress_id is None:
        if not settings.recording_enabled:
            return RecordingBlock(status="not_configured")
        if not outcome.consented:
            return RecordingBlock(status="not_consented", **where)
        if failed is not None:
            return RecordingBlock(status="failed", error=failed.get("error"), **where)
        return RecordingBlock(status="not_configured", **where)  # no room to record (console)
    started = _event(outcome, "recording_started")
    stopped = _event(outcome, "recording_stopped")
    withdrawn = outcome.consent_withdrawn_at
    stopped_at: datetime | None = stopped["at"] if stopped else None
    started_at: datetime | None = started["at"] if started else None
    status = "pending"
    error = None
    files: list[RecordingFile] = []
    if report is not None:
        started_at = report.started_at or started_at
        stopped_at = report.ended_at or stopped_at
        error = report.error
        files = [
            RecordingFile(
                location=f.location,
                filename=f.filename,
                duration_seconds=f.duration_seconds,
                size_bytes=f.size_bytes,
            )
            for f in report.files
        ]
        if report.ended:
            status = report.status
    return RecordingBlock(
        status=status,  # type: ignore[arg-type]
        egress_id=egress_id,
        started_at=started_at,
        stopped_at=stopped_at or (withdrawn if withdrawn else outcome.ended_at),
        stop_reason="consent_withdrawn" if withdrawn else "call_ended",
        withdrawn=withdrawn is not None,
        files=files,
        error=error,
        **where,
    )

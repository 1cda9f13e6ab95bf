"""The recording in the call record: its provenance from the yes to the file LiveKit wrote.

Against the loopback LiveKit server: the egress is started after the yes, stopped when the
call ends (or the caller withdraws consent), and LiveKit's own report (`ListEgress`, once
the egress has ended) says where the file went.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from livekit import api

import call.recording
from offline.scripted_llm import say
from tests.call.scripts import at_front_desk, front_desk
from tests.forms.scripts import the_payload
from tests.harness import OfflineCall, offline_call
from tests.telephony.calls import PHONE_CALLER, ROOM, livekit_controls, telephony_settings
from tests.telephony.livekit_server import (
    ENDED_NS,
    RECORDING_BUCKET,
    STARTED_NS,
    LiveKitServer,
    egress,
)
from tests.telephony.test_recording import S3


def recorded_call(tmp_path: Path, client: api.LiveKitAPI, script: Any = None) -> Any:
    settings = telephony_settings(**S3)
    return offline_call(
        script or front_desk(),
        settings=settings,
        controls=livekit_controls(client, settings),
        database_path=tmp_path / "c.db",
        room=ROOM,
        caller=PHONE_CALLER,
    )


async def yes_then_hang_up(c: OfflineCall) -> dict[str, Any]:
    await c.start()
    await c.caller_says("yes")
    await c.settle()
    await c.hang_up()
    return await the_payload(c)


def iso(ns: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ns / 1e9, UTC).isoformat().replace("+00:00", "Z")


async def test_the_record_says_where_the_recording_went_as_livekit_reported_it(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    async with recorded_call(tmp_path, livekit_api) as c:
        payload = await yes_then_hang_up(c)
        egress_id = c.state.outcome.egress_id

    recording = payload["recording"]
    assert recording == {
        "status": "complete",
        "egress_id": egress_id,
        "storage": "s3",
        "destination": "calls",
        "file_path": "acme/{room_name}-{time}.ogg",
        "started_at": iso(STARTED_NS),
        "stopped_at": iso(ENDED_NS),
        "stop_reason": "call_ended",
        "withdrawn": False,
        "files": [
            {
                "location": f"{RECORDING_BUCKET}/recordings/{egress_id}.ogg",
                "filename": f"recordings/{egress_id}.ogg",
                "duration_seconds": 42.5,
                "size_bytes": 681_000,
            }
        ],
        "error": None,
    }
    [asked] = livekit_server.calls("ListEgress")
    assert asked.body.egress_id == egress_id
    assert asked.grants.video.room_record is True
    assert "s3-secret-value" not in str(payload)  # where it goes, never the credentials


async def test_the_record_waits_for_the_egress_to_end(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    async with recorded_call(tmp_path, livekit_api) as c:
        await c.start()
        await c.caller_says("yes")
        await c.settle()
        egress_id = c.state.outcome.egress_id
        assert egress_id is not None
        for status in (api.EgressStatus.EGRESS_ENDING, api.EgressStatus.EGRESS_ENDING):
            livekit_server.answer("ListEgress", egress(egress_id, status))  # still uploading
        await c.hang_up()
        payload = await the_payload(c)

    assert payload["recording"]["status"] == "complete"
    assert len(livekit_server.calls("ListEgress")) == 3
    assert payload["recording"]["files"][0]["filename"] == f"recordings/{egress_id}.ogg"


async def test_an_upload_still_running_when_the_record_is_stored_is_pending(
    tmp_path: Path,
    livekit_server: LiveKitServer,
    livekit_api: api.LiveKitAPI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(call.recording, "REPORT_SECONDS", 0.6)
    async with recorded_call(tmp_path, livekit_api) as c:
        await c.start()
        await c.caller_says("yes")
        await c.settle()
        egress_id = c.state.outcome.egress_id
        assert egress_id is not None
        for _ in range(20):
            livekit_server.answer("ListEgress", egress(egress_id, api.EgressStatus.EGRESS_ENDING))
        await c.hang_up()
        payload = await the_payload(c)

    recording = payload["recording"]
    assert (recording["status"], recording["egress_id"], recording["files"]) == (
        "pending",
        egress_id,
        [],
    )
    assert recording["stopped_at"] is not None  # when the call ended, as we saw it
    assert payload["ended_reason"] == "caller_hung_up"  # stored all the same


async def test_an_egress_that_failed_says_why(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    async with recorded_call(tmp_path, livekit_api) as c:
        await c.start()
        await c.caller_says("yes")
        await c.settle()
        egress_id = c.state.outcome.egress_id
        assert egress_id is not None
        livekit_server.answer(
            "ListEgress",
            egress(egress_id, api.EgressStatus.EGRESS_FAILED, error="upload denied by bucket"),
        )
        await c.hang_up()
        payload = await the_payload(c)

    assert (payload["recording"]["status"], payload["recording"]["error"]) == (
        "failed",
        "upload denied by bucket",
    )


async def test_a_withdrawal_stops_the_recording_and_the_words_after_it(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    script = front_desk()
    script.when(lambda r: at_front_desk(r) and r.user_said("bill"), say("Let me look."))
    async with recorded_call(tmp_path, livekit_api, script) as c:
        await c.start()
        await c.caller_says("yes")
        await c.caller_says("my bill is wrong")
        await c.caller_says("Please stop recording.")
        await c.caller_says("my bill is still wrong, account 7788")
        await c.hang_up()
        payload = await the_payload(c)
        withdrawn_at = c.state.outcome.consent_withdrawn_at

    recording = payload["recording"]
    assert (recording["withdrawn"], recording["stop_reason"]) == (True, "consent_withdrawn")
    assert payload["consent"]["withdrawn_at"] is not None
    assert payload["transcript"]["withheld_after"] is not None
    lines = [x for x in payload["transcript"]["lines"] if x["kind"] == "speech"]
    kept = [x["text"] for x in lines if x["withheld"] is None and x["role"] == "caller"]
    assert kept == ["my bill is wrong", "Please stop recording."]
    after = [x for x in lines if x["withheld"] == "after_withdrawal"]
    assert after and all(x["text"] is None for x in after)
    assert "7788" not in str(payload)
    assert withdrawn_at is not None

"""Recording after consent, and hanging up, against LiveKit's server API (loopback)."""

from __future__ import annotations

from pathlib import Path

from livekit import api

from telephony.controls import recording_output
from tests.call.scripts import HOW_CAN_I_HELP, front_desk
from tests.harness import offline_call, spoken
from tests.telephony.calls import (
    PHONE_CALLER,
    ROOM,
    livekit_controls,
    telephony_settings,
)
from tests.telephony.livekit_server import LiveKitServer, TwirpFailure

S3 = {
    "recording_enabled": True,
    "recording_storage": "s3",
    "recording_s3_bucket": "calls",
    "recording_s3_region": "eu-west-1",
    "recording_s3_access_key": "AKIATEST",
    "recording_s3_secret": "s3-secret-value",
    "recording_file_path": "acme/{room_name}-{time}.ogg",
}


async def test_a_yes_starts_an_audio_only_recording_and_the_end_of_the_call_stops_it(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    settings = telephony_settings(**S3)
    controls = livekit_controls(livekit_api, settings)
    async with offline_call(
        front_desk(),
        settings=settings,
        controls=controls,
        database_path=tmp_path / "c.db",
        room=ROOM,
        caller=PHONE_CALLER,
    ) as call_:
        await call_.start()
        assert livekit_server.requests == []  # nothing is recorded while the question plays

        await call_.caller_says("yes")
        records = await call_.consent_records()

        [start] = livekit_server.calls("StartRoomCompositeEgress")
        assert start.body.room_name == ROOM
        assert start.body.audio_only is True
        [output] = start.body.file_outputs
        assert output.filepath == "acme/{room_name}-{time}.ogg"
        assert output.file_type == api.EncodedFileType.OGG
        assert (output.s3.bucket, output.s3.region, output.s3.access_key) == (
            "calls",
            "eu-west-1",
            "AKIATEST",
        )
        assert output.s3.secret == "s3-secret-value"
        assert start.grants.video.room_record is True
        assert start.grants.identity == ""  # a server token, not a participant's
        egress_id = records[0].egress_id
        assert egress_id is not None and egress_id.startswith("EG_")
        assert call_.state.outcome.egress_id == egress_id
        assert livekit_server.calls("StopEgress") == []

        await call_.hang_up()
        await controls.made[0].aclose()
        await call_.settle()

        [stop] = livekit_server.calls("StopEgress")
        assert stop.body.egress_id == egress_id
        assert stop.grants.video.room_record is True
        # then, for the call record, LiveKit is asked where the file went
        assert livekit_server.methods() == ["StartRoomCompositeEgress", "StopEgress", "ListEgress"]


async def test_a_no_is_never_recorded_and_the_goodbye_hangs_up_by_deleting_the_room(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    settings = telephony_settings(**S3)
    async with offline_call(
        front_desk(),
        settings=settings,
        controls=livekit_controls(livekit_api, settings),
        database_path=tmp_path / "c.db",
        room=ROOM,
        caller=PHONE_CALLER,
    ) as call_:
        await call_.start()
        await call_.caller_says("no thanks")
        await call_.wait_closed()
        records = await call_.consent_records()

        assert [(r.decision, r.egress_id) for r in records] == [(False, None)]
        [delete] = livekit_server.calls("DeleteRoom")
        assert delete.body.room == ROOM
        assert delete.grants.video.room_create is True
        assert livekit_server.methods() == ["DeleteRoom"]  # no egress, before or after


async def test_when_the_recording_cannot_start_the_call_goes_on_and_the_record_says_why(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    livekit_server.answer(
        "StartRoomCompositeEgress", TwirpFailure(500, "internal", "egress: no workers available")
    )
    settings = telephony_settings(**S3)
    controls = livekit_controls(livekit_api, settings)
    async with offline_call(
        front_desk(),
        settings=settings,
        controls=controls,
        database_path=tmp_path / "c.db",
        room=ROOM,
    ) as call_:
        await call_.start()
        result = await call_.caller_says("yes")
        records = await call_.consent_records()

        assert spoken(result) == [HOW_CAN_I_HELP]  # nothing claims a recording runs
        assert not call_.closed.is_set()
        assert records[0].decision is True
        assert records[0].egress_id is None
        assert "no workers available" in (records[0].recording_error or "")
        assert call_.state.outcome.recorded is False
        assert [e["type"] for e in call_.state.outcome.events].count("recording_failed") == 1

        await call_.hang_up()
        await controls.made[0].aclose()
        assert livekit_server.calls("StopEgress") == []  # nothing to stop
        await call_.settle()
        recording = call_.state.to_record().recording
        assert (recording.status, recording.egress_id) == ("failed", None)
        assert "no workers available" in (recording.error or "")
        assert livekit_server.calls("ListEgress") == []  # nothing to ask about


async def test_with_recording_disabled_a_yes_records_nothing(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    settings = telephony_settings(recording_enabled=False)
    async with offline_call(
        front_desk(),
        settings=settings,
        controls=livekit_controls(livekit_api, settings),
        database_path=tmp_path / "c.db",
        room=ROOM,
    ) as call_:
        await call_.start()
        await call_.caller_says("yes")
        records = await call_.consent_records()
        assert records[0].decision is True and records[0].egress_id is None
        assert records[0].recording_error is None
        assert livekit_server.requests == []


def test_recording_uploads_to_gcp_or_azure_with_the_configured_credentials() -> None:
    gcp = telephony_settings(
        recording_enabled=True,
        recording_storage="gcp",
        recording_gcp_bucket="calls-bucket",
        recording_gcp_credentials='{"type": "service_account"}',
    ).telephony
    azure = telephony_settings(
        recording_enabled=True,
        recording_storage="azure",
        recording_azure_account_name="acme",
        recording_azure_account_key="azure-key",
        recording_azure_container="calls",
    ).telephony
    server_side = telephony_settings(recording_enabled=True).telephony

    g, a, s = recording_output(gcp), recording_output(azure), recording_output(server_side)
    assert (g.gcp.bucket, g.gcp.credentials) == ("calls-bucket", '{"type": "service_account"}')
    assert (a.azure.account_name, a.azure.account_key, a.azure.container_name) == (
        "acme",
        "azure-key",
        "calls",
    )
    assert s.WhichOneof("output") is None  # the Egress service's own storage

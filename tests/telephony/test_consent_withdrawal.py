"""A caller who said yes takes it back mid-call: the recording stops at LiveKit (loopback
server), the consent chain gains a withdrawal row, the caller hears it, the call goes on."""

from __future__ import annotations

from pathlib import Path

from livekit import api

from offline.scripted_llm import say
from tests.call.scripts import at_front_desk, front_desk
from tests.harness import offline_call, spoken
from tests.telephony.calls import PHONE_CALLER, ROOM, livekit_controls, telephony_settings
from tests.telephony.livekit_server import LiveKitServer, TwirpFailure

WITHDRAWN = "Understood. Recording has stopped, and the rest of this call will not be recorded."
ON_THE_BILL = "Let me look at that bill."


async def _recorded_call(tmp_path, livekit_server, livekit_api, script):  # type: ignore[no-untyped-def]
    settings = telephony_settings(recording_enabled=True)
    controls = livekit_controls(livekit_api, settings)
    return offline_call(
        script,
        settings=settings,
        controls=controls,
        database_path=tmp_path / "c.db",
        room=ROOM,
        caller=PHONE_CALLER,
    )


async def test_stop_recording_stops_the_egress_and_chains_a_withdrawal(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    async with await _recorded_call(tmp_path, livekit_server, livekit_api, front_desk()) as call_:
        await call_.start()
        await call_.caller_says("yes")
        await call_.settle()
        assert len(livekit_server.calls("StartRoomCompositeEgress")) == 1
        egress_id = call_.state.outcome.egress_id
        assert egress_id is not None
        requests_before = len(call_.llm.requests)

        result = await call_.caller_says("Please stop recording.")

        assert spoken(result) == [WITHDRAWN]
        assert len(call_.llm.requests) == requests_before  # answered in code, no round trip
        records = await call_.consent_records()
        [stop] = livekit_server.calls("StopEgress")
        assert stop.body.egress_id == egress_id
        assert [(r.kind, r.decision, r.ending) for r in records] == [
            ("decision", True, "answered"),
            ("withdrawal", False, "withdrawn"),
        ]
        withdrawal = records[1]
        assert withdrawal.egress_id == egress_id
        assert withdrawal.answer_text == "Please stop recording."
        assert withdrawal.matched == "withdrawal:stop_recording"
        assert withdrawal.answered_at is not None
        assert (await call_.store.verify_consent_chain()).ok
        assert not call_.closed.is_set()  # the call goes on, unrecorded
        assert call_.state.outcome.consent_withdrawn_at is not None


async def test_a_withdrawal_inside_a_longer_turn_is_heard_and_the_rest_is_answered(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    script = front_desk()
    script.when(lambda r: at_front_desk(r) and r.user_said("bill"), say(ON_THE_BILL))
    async with await _recorded_call(tmp_path, livekit_server, livekit_api, script) as call_:
        await call_.start()
        await call_.caller_says("yes")
        await call_.settle()
        await call_.caller_says("Actually, I withdraw my consent. And my bill is wrong.")
        heard = await call_.until_heard(WITHDRAWN)
        assert heard[-2:] == [ON_THE_BILL, WITHDRAWN]
        await call_.settle()
        assert len(livekit_server.calls("StopEgress")) == 1
        records = await call_.consent_records()
        assert [r.kind for r in records] == ["decision", "withdrawal"]
        assert records[1].matched == "withdrawal:i_withdraw_my_consent"


async def test_after_a_no_stop_recording_has_nothing_to_withdraw(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI, make_settings
) -> None:
    script = front_desk()
    script.when(lambda r: at_front_desk(r) and r.answering_user, say("Sure."))
    settings = telephony_settings(recording_enabled=True)
    settings = make_settings(
        telephony=settings.telephony.model_dump(),
        consent={"consent_denial_policy": "continue_unrecorded"},
    )
    controls = livekit_controls(livekit_api, settings)
    async with offline_call(
        script,
        settings=settings,
        controls=controls,
        database_path=tmp_path / "c.db",
        room=ROOM,
        caller=PHONE_CALLER,
    ) as call_:
        await call_.start()
        await call_.caller_says("no")
        result = await call_.caller_says("stop recording")
        assert spoken(result) == ["Sure."]
        records = await call_.consent_records()
        assert [r.kind for r in records] == ["decision"]
        assert livekit_server.calls("StopEgress") == []


async def test_a_stop_that_livekit_refuses_is_on_record_and_retried_at_shutdown(
    tmp_path: Path, livekit_server: LiveKitServer, livekit_api: api.LiveKitAPI
) -> None:
    livekit_server.answer("StopEgress", TwirpFailure(503, "unavailable", "egress busy"))
    settings = telephony_settings(recording_enabled=True)
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
        await call_.caller_says("yes")
        await call_.settle()
        result = await call_.caller_says("I don't want this call recorded anymore.")
        assert WITHDRAWN in call_.heard() or WITHDRAWN in spoken(result)
        records = await call_.consent_records()
        withdrawal = records[-1]
        assert withdrawal.kind == "withdrawal"
        assert withdrawal.recording_error and "not stopped" in withdrawal.recording_error
        assert "recording_stop_failed" in [e["type"] for e in call_.state.outcome.events]

        await controls.made[0].aclose()  # the job's shutdown tries again, and LiveKit obliges
        assert len(livekit_server.calls("StopEgress")) == 2

"""Recording starts only after a yes, and a slow Egress never costs the consent record."""

from __future__ import annotations

import asyncio
from pathlib import Path

from call.controls import RecordingStart, SessionOnlyControls
from tests.call.scripts import front_desk
from tests.harness import offline_call


class SlowEgress(SessionOnlyControls):
    """Egress that takes longer to answer than a caller stays on the line."""

    def __init__(self, session, delay: float = 30.0) -> None:
        super().__init__(session)
        self.delay = delay
        self.started = 0

    async def start_recording(self) -> RecordingStart:
        self.started += 1
        await asyncio.sleep(self.delay)
        return RecordingStart(egress_id="EG_late")


async def test_a_slow_recording_start_never_loses_the_consent_record(tmp_path: Path) -> None:
    async with offline_call(
        front_desk(), controls=SlowEgress, database_path=tmp_path / "c.db"
    ) as call_:
        await call_.start()
        await call_.caller_says("yes")
        await call_.hang_up()

        # The job's shutdown gives background writes about 4 s: the record is there.
        assert await call_.state.journal.flush(within=4.0)
        [record] = [r.record() for r in await call_.store.consent_records()]
        assert record.decision is True
        assert record.egress_id is None
        assert "not confirmed within 3 s" in record.recording_error
        assert call_.state.controls.started == 1


async def test_no_recording_is_started_on_a_no(tmp_path: Path, make_settings) -> None:
    settings = make_settings(consent={"consent_denial_policy": "continue_unrecorded"})
    async with offline_call(
        front_desk(), settings=settings, controls=SlowEgress, database_path=tmp_path / "c.db"
    ) as call_:
        await call_.start()
        await call_.caller_says("no")
        await call_.settle()
        assert call_.state.controls.started == 0
        [record] = [r.record() for r in await call_.store.consent_records()]
        assert (record.decision, record.recording_error) == (False, None)

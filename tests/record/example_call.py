"""The example payload in docs/call-record.md: a real rehearsal call, generated, never typed.

    python -m tests.record.example_call     # run the call, rewrite the example in the doc

The call: the offline rehearsal's stand-in model (every line it says starts with
"(rehearsal)"), the real agents, consent and policies, a phone caller (fictional 555
numbers), recording to S3 through the loopback LiveKit server (so the egress, its stop and
LiveKit's file report are real API exchanges), a success question and a price table. The
caller says yes, says their bill is wrong, asks for a manager, asks for a credit of 20,
and hangs up. `tests/record/test_docs.py` runs it again and checks the doc still matches.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from livekit import api

from config.settings import load_settings
from offline.rehearsal import rehearsal_llm
from store.call_record import CallRecord
from store.records import CallerInfo
from store.timestamps import UTC_PATTERN
from tests.forms.scripts import the_payload
from tests.harness import offline_call
from tests.telephony.calls import ROOM, livekit_controls
from tests.telephony.livekit_server import API_KEY, API_SECRET, LiveKitServer, egress

DOC = Path(__file__).resolve().parents[2] / "docs" / "call-record.md"
START, END = "<!-- example payload: start -->", "<!-- example payload: end -->"
CALLER = CallerInfo(
    identity="sip_+14155550123",
    phone_number="+14155550123",
    trunk_number="+18005550199",
    sip_call_id="SCL_x8Ha2Lk",
)
SETTINGS: dict[str, Any] = {
    "telephony": {
        "recording_enabled": True,
        "recording_storage": "s3",
        "recording_s3_bucket": "acme-call-recordings",
        "recording_s3_region": "eu-west-1",
        "recording_s3_access_key": "AKIAEXAMPLE",
        "recording_s3_secret": "example-secret",
        "recording_file_path": "calls/{room_name}-{time}.ogg",
    },
    "call_record": {
        "call_success_question": "Was the caller's problem resolved?",
        "usage_prices": json.dumps(
            {
                "rehearsal": {
                    "per_million_prompt_tokens": 0.4,
                    "per_million_completion_tokens": 1.6,
                }
            }
        ),
    },
}
WORDS = ("yes", "my bill is wrong", "I want a manager", "credit 20 please")


async def rehearsal_payload() -> dict[str, Any]:
    server = LiveKitServer()
    await server.start()
    client = api.LiveKitAPI(url=server.url, api_key=API_KEY, api_secret=API_SECRET)
    settings = load_settings(**SETTINGS)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            async with offline_call(
                None,
                session_llm=rehearsal_llm(),
                settings=settings,
                controls=livekit_controls(client, settings),
                database_path=Path(tmp) / "calls.db",
                job_id="AJ_rH8k2mQx",
                room=ROOM,
                room_id="RM_Qz4n7Vb2",
                caller=CALLER,
            ) as c:
                await c.start()
                for words in WORDS:
                    await c.caller_says(words)
                    await c.settle()
                [start] = server.calls("StartRoomCompositeEgress")
                server.answer("ListEgress", file_report(start.body, c.state.outcome))
                await c.hang_up()
                stored = await the_payload(c)
    finally:
        await client.aclose()
        await server.stop()
    # the same payload, its fields in the model's order (the store sorts keys)
    return CallRecord.model_validate(stored).model_dump(mode="json")


def file_report(request: api.RoomCompositeEgressRequest, outcome: Any) -> api.ListEgressResponse:
    """What LiveKit reports once the egress has ended (the loopback server stands in for
    LiveKit here): the file where the request said, its name template filled in the way
    Egress does ({room_name}, {time}), from when the recording started until the hang-up."""
    [output] = request.file_outputs
    [started] = [e["at"] for e in outcome.events if e["type"] == "recording_started"]
    ended = datetime.now(UTC)
    name = output.filepath.replace("{room_name}", request.room_name).replace(
        "{time}", started.strftime("%Y-%m-%dT%H%M%S")
    )
    start_ns, end_ns = int(started.timestamp() * 1e9), int(ended.timestamp() * 1e9)
    return egress(
        outcome.egress_id,
        started_at=start_ns,
        ended_at=end_ns,
        file_results=[
            api.FileInfo(
                filename=name,
                location=f"s3://{output.s3.bucket}/{name}",
                duration=end_ns - start_ns,
                size=(end_ns - start_ns) // 125_000,  # about 8 kB/s of Opus
            )
        ],
    )


def shape(value: Any) -> Any:
    """The payload with what differs between two runs of the same call blanked out: times,
    durations and latencies, egress ids, the recording's size."""
    if isinstance(value, dict):
        return {k: 0 if k == "size_bytes" else shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    if isinstance(value, float):
        return 0.0
    if isinstance(value, str):
        if re.match(UTC_PATTERN, value):
            return "<time>"
        value = re.sub(r"\d{4}-\d{2}-\d{2}T\d{6}", "<time>", value)  # in a file name
        return re.sub(r"EG_test\d+", "EG_…", value)
    return value


def documented() -> dict[str, Any]:
    text = DOC.read_text()
    block = text[text.index(START) + len(START) : text.index(END)]
    return json.loads(block.strip().removeprefix("```json").removesuffix("```"))


def write(payload: dict[str, Any]) -> None:
    text = DOC.read_text()
    body = json.dumps(payload, indent=2, ensure_ascii=False)
    text = (
        text[: text.index(START) + len(START)]
        + f"\n```json\n{body}\n```\n"
        + text[text.index(END) :]
    )
    DOC.write_text(text)


if __name__ == "__main__":
    write(asyncio.run(rehearsal_payload()))
    print(f"wrote the example payload to {DOC}", file=sys.stderr)

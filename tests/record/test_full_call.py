"""A full call by voice, front desk to manager: the record an integrator receives.

The caller says yes, asks for a manager, gets a credit and hangs up. Everything goes
through the real session's audio path (VAD, STT, the agents' voices), so the record's
transcript, usage and latency are LiveKit's own figures for this call.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from call.analysis import ANALYSIS_TOOL
from offline.scripted_llm import Rule, call, say
from tests.audio.test_voice_calls import MANAGER_HELLO, escalation
from tests.call.scripts import HOW_CAN_I_HELP, QUESTION
from tests.fakes.audio_call import AudioCall, audio_call

CREDIT_ASKED = "Could I get a credit for the double charge"
CREDITED = "Done: a credit of twenty dollars is on your account."
SUMMARY = "The caller was charged twice; the manager credited 20 USD."


def credit_call() -> Any:
    s = escalation()
    s.rules.insert(
        0,
        Rule(
            lambda r: r.offers("issue_credit") and r.user_said("credit"),
            call("issue_credit", amount=20, reason="double charge"),
        ),
    )
    s.rules.insert(
        0,
        Rule(lambda r: r.offers("issue_credit") and r.last_tool_output is not None, say(CREDITED)),
    )
    s.when(lambda r: r.offers(ANALYSIS_TOOL), call(ANALYSIS_TOOL, summary=SUMMARY))
    return s


async def delivered(c: AudioCall) -> dict[str, Any]:
    assert await c.state.journal.flush(within=10)
    [row] = await c.store.outbox_rows()
    stored = await c.store.outbox_row(row.webhook_id)
    assert stored is not None
    return json.loads(stored.payload)


async def test_front_desk_to_manager_by_voice(tmp_path: Path) -> None:
    async with audio_call(credit_call(), database_path=tmp_path / "c.db") as c:
        await c.start()
        assert (await c.next_playback()).text == QUESTION
        await c.caller.says("Yes")
        assert (await c.next_playback()).text == HOW_CAN_I_HELP
        await c.caller.says("I want to speak to a manager")
        assert (await c.next_playback()).text == MANAGER_HELLO
        await c.caller.says(CREDIT_ASKED)
        assert (await c.next_playback()).text == CREDITED
        await c.hang_up()
        record = await delivered(c)
        front_spoken = "".join(c.front_desk_voice.spoken)
        manager_spoken = "".join(c.manager_voice.spoken)

    # How it ended: the caller hung up, mid-conversation.
    assert (record["status"], record["ended_reason"], record["ended_stage"]) == (
        "caller_hung_up",
        "caller_hung_up",
        "conversation",
    )
    assert record["ended_by"] == "caller"

    # The transcript: who said what, in order, under which agent.
    speech = [
        (line["role"], line["agent"], line["text"], line["withheld"])
        for line in record["transcript"]["lines"]
        if line["kind"] == "speech"
    ]
    assert speech == [
        ("agent", "collect_consent", QUESTION, None),
        ("caller", "collect_consent", None, "before_consent"),  # the answer: see `consent`
        ("agent", "customer_service_agent", HOW_CAN_I_HELP, None),
        ("caller", "customer_service_agent", "I want to speak to a manager", None),
        ("agent", "manager_agent", MANAGER_HELLO, None),
        ("caller", "manager_agent", CREDIT_ASKED, None),
        ("agent", "manager_agent", CREDITED, None),
    ]
    tools = [
        (line["agent"], line["name"], line["outcome"])
        for line in record["transcript"]["lines"]
        if line["kind"] == "tool_call"
    ]
    assert tools == [
        ("collect_consent", "record_consent", "ok"),
        ("customer_service_agent", "escalate_to_manager", "ok"),
        ("manager_agent", "issue_credit", "ok"),
    ]
    [credit] = [x for x in record["transcript"]["lines"] if x.get("name") == "issue_credit"]
    assert credit["arguments"] == {"amount": 20, "reason": "double charge"}
    assert credit["output"] == "Credit of 20.00 USD issued."
    handoffs = [
        (x["from_agent"], x["to_agent"])
        for x in record["transcript"]["lines"]
        if x["kind"] == "handoff"
    ]
    assert ("customer_service_agent", "manager_agent") in handoffs

    # What was done: the grant, with its currency.
    assert [(g["kind"], g["amount"], g["currency"]) for g in record["grants"]] == [
        ("credit", "20.00", "USD")
    ]

    # What it used, as LiveKit reported it.
    usage = record["usage"]
    [llm] = usage["llm"]
    assert (llm["provider"], llm["model"]) == ("offline", "scripted")
    assert llm["prompt_tokens"] > llm["completion_tokens"] > 0
    [stt] = usage["stt"]
    assert stt["audio_seconds"] > 0
    characters = {t["model"]: t["characters"] for t in usage["tts"]}
    assert characters == {
        "scripted-voice:front desk": len(front_spoken),
        "scripted-voice:manager": len(manager_spoken),
    }
    assert usage["cost"] is None  # no price table configured
    assert record["analysis"]["usage"]["prompt_tokens"] > 0  # the analysis call, on its own

    # How it felt: each answer to the caller, measured by LiveKit, and its parts.
    latency = record["timings"]["latency"]
    turns = latency["turns"]
    assert [t["agent"] for t in turns] == [
        "customer_service_agent",
        "manager_agent",
        "manager_agent",
    ]
    for turn in turns:
        for part in ("e2e_latency", "end_of_turn_delay", "llm_ttft", "tts_ttfb"):
            assert turn[part] is not None and turn[part] >= 0, (part, turn)
    e2e = latency["e2e_latency"]
    assert e2e["count"] == 3
    assert e2e["p50"] <= e2e["p95"] <= e2e["max"]
    assert e2e["max"] == max(t["e2e_latency"] for t in turns)
    timings = record["timings"]
    assert timings["to_consent_question_seconds"] is not None
    assert timings["consent_question_seconds"] > 0
    assert timings["call_seconds"] == record["duration_seconds"]

    # And the analysis, after the call.
    assert record["summary"] == SUMMARY
    assert record["analysis"]["status"] == "done"

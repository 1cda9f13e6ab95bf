"""The analysis: a summary for every call, an optional success evaluation, one bounded model
call after the call; when it fails or times out the record says so and is delivered."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from livekit.agents import APIStatusError

from call.analysis import ANALYSIS_TOOL, SUMMARY_MARKER
from config.settings import load_settings
from delivery.sender import OutboxSender
from offline.scripted_llm import Request, Rule, Script, call, fail, say, slow
from tests.call.scripts import at_front_desk, front_desk
from tests.delivery.receiver import Receiver, delivery_settings
from tests.forms.scripts import answer, form_model, the_payload
from tests.forms.test_refusals import one_field_form
from tests.harness import offline_call

SUMMARY = "The caller asked about a wrong bill and was put through to billing."
QUESTION = "Was the caller's problem resolved?"


def billing_call(analysis: Any) -> Script:
    s = front_desk()
    s.rules.insert(0, Rule(lambda r: r.offers(ANALYSIS_TOOL), analysis))
    s.when(
        lambda r: at_front_desk(r) and r.user_said("bill"), call("route_to", department="billing")
    )
    s.when(lambda r: r.offers("record_billing_issue"), say("Billing here."))
    return s


async def billing_payload(tmp_path: Path, analysis: Any, **settings: Any) -> dict[str, Any]:
    async with offline_call(
        billing_call(analysis), settings=load_settings(**settings), database_path=tmp_path / "c.db"
    ) as c:
        await c.start()
        await c.caller_says("yes")
        await c.caller_says("my bill is wrong")
        await c.hang_up()
        return await the_payload(c)


async def test_a_call_without_a_form_gets_a_summary(tmp_path: Path) -> None:
    payload = await billing_payload(tmp_path, call(ANALYSIS_TOOL, summary=SUMMARY))
    assert payload["form"] is None
    assert payload["summary"] == SUMMARY
    analysis = payload["analysis"]
    assert (analysis["status"], analysis["model"], analysis["error"]) == (
        "done",
        "offline/scripted",
        None,
    )
    assert analysis["success"] is None  # no rubric configured
    assert analysis["usage"]["completion_tokens"] > 0


async def test_a_model_that_answers_in_words_still_gives_the_summary(tmp_path: Path) -> None:
    payload = await billing_payload(tmp_path, say(SUMMARY))
    assert (payload["summary"], payload["analysis"]["status"]) == (SUMMARY, "done")


@pytest.mark.parametrize(
    ("scale", "verdict", "expected"),
    [
        ("pass_fail", {"passed": True}, {"passed": True, "score": None}),
        ("pass_fail", {"passed": False}, {"passed": False, "score": None}),
        ("score_1_5", {"score": 4}, {"passed": None, "score": 4}),
    ],
)
async def test_the_success_evaluation_follows_the_rubric(
    tmp_path: Path, scale: str, verdict: dict[str, Any], expected: dict[str, Any]
) -> None:
    asked: list[Request] = []

    def judge(r: Request) -> Any:
        asked.append(r)
        return call(ANALYSIS_TOOL, summary=SUMMARY, reason="Billing took the issue.", **verdict)

    payload = await billing_payload(
        tmp_path,
        judge,
        call_record={"call_success_question": QUESTION, "call_success_scale": scale},
    )
    success = payload["analysis"]["success"]
    assert success == {
        "question": QUESTION,
        "scale": scale,
        "reason": "Billing took the issue.",
        **expected,
    }
    assert QUESTION in asked[0].instructions  # the rubric is what the model is asked


@pytest.mark.parametrize("verdict", [{"score": 9}, {"score": True}, {"passed": "yes"}, {}])
async def test_an_invalid_verdict_is_reported_not_invented(
    tmp_path: Path, verdict: dict[str, Any]
) -> None:
    scale = "pass_fail" if "passed" in verdict else "score_1_5"
    payload = await billing_payload(
        tmp_path,
        call(ANALYSIS_TOOL, summary=SUMMARY, reason="because", **verdict),
        call_record={"call_success_question": QUESTION, "call_success_scale": scale},
    )
    analysis = payload["analysis"]
    assert (analysis["status"], analysis["success"]) == ("done", None)
    assert analysis["error"] == "the model gave no valid success evaluation"
    assert payload["summary"] == SUMMARY


async def test_a_summary_that_times_out_is_delivered_without_it(tmp_path: Path) -> None:
    receiver = Receiver()
    await receiver.start()
    try:
        async with offline_call(
            billing_call(slow(call(ANALYSIS_TOOL, summary=SUMMARY), 5.0)),
            settings=load_settings(call_record={"call_analysis_timeout": 0.2}),
            database_path=tmp_path / "c.db",
        ) as c:
            await c.start()
            await c.caller_says("yes")
            await c.caller_says("my bill is wrong")
            await c.hang_up()
            await c.settle()  # the record is stored without waiting for the slow model
            sender = OutboxSender(c.store, delivery_settings(receiver.url))
            try:
                stats = await sender.drain(max_seconds=10)
            finally:
                await sender.aclose()
    finally:
        await receiver.stop()

    assert stats.delivered == 1
    [bodies] = receiver.accepted.values()
    payload = json.loads(bodies[0])
    assert payload["summary"] is None
    analysis = payload["analysis"]
    assert (analysis["status"], analysis["error"]) == ("timed_out", "timed out after 0.2s")
    assert (payload["status"], payload["ended_reason"]) == ("caller_hung_up", "caller_hung_up")


async def test_a_failing_model_is_reported_and_the_record_stored(tmp_path: Path) -> None:
    error = APIStatusError("overloaded", status_code=529, retryable=False)
    payload = await billing_payload(tmp_path, fail(error))
    analysis = payload["analysis"]
    assert analysis["status"] == "failed"
    assert analysis["error"].startswith("APIStatusError: message='overloaded'")
    assert payload["summary"] is None


async def test_the_analysis_can_be_turned_off(tmp_path: Path) -> None:
    payload = await billing_payload(
        tmp_path, call(ANALYSIS_TOOL, summary=SUMMARY), call_record={"call_analysis": False}
    )
    assert (payload["analysis"]["status"], payload["summary"]) == ("off", None)


async def test_a_form_that_says_no_summary_gets_none(tmp_path: Path) -> None:
    form = one_field_form("string")
    form = form.model_copy(update={"ending": form.ending.model_copy(update={"summary": False})})
    script = form_model()
    answer(script, "record_detail", "blue", value="blue")
    async with offline_call(script, database_path=tmp_path / "c.db", selected_form=form) as c:
        await c.start()
        await c.caller_says("yes")
        await c.caller_says("blue")
        await c.wait_closed()
        payload = await the_payload(c)
        asked = [r for r in c.llm.requests if SUMMARY_MARKER in r.instructions]
    assert (payload["analysis"]["status"], payload["summary"], asked) == ("off", None, [])


def test_the_old_forms_summary_variables_are_still_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMS_SUMMARY", "false")
    monkeypatch.setenv("FORMS_SUMMARY_TIMEOUT", "2")
    settings = load_settings().call_record
    assert (settings.call_analysis, settings.call_analysis_timeout) == (False, 2.0)

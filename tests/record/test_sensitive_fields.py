"""A form field marked `sensitive: true`: in `results` for the integrator, masked in the
transcript and the summary (the analysis model never even sees it)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from call.analysis import ANALYSIS_TOOL
from call.redaction import Redactor
from forms.loader import parse_form
from offline.scripted_llm import Request, call
from tests.forms.scripts import answer, form_model, the_payload
from tests.harness import offline_call

VERIFY = parse_form(
    yaml.safe_load(
        r"""
name: account_check
instructions: Verify the caller's account.
fields:
  - {name: full_name, type: string, description: the caller's full name, ask: "Your full name?"}
  - name: ssn
    type: string
    description: the caller's social security number
    sensitive: true
    pattern: '^\d{3}-\d{2}-\d{4}$'
    ask: "Your social security number, please?"
  - {name: notes, type: string, description: anything else, required: false, ask: "Anything else?"}
ending:
  final_words: Thank you, you're verified. Goodbye.
"""
    ),
    source="account_check (test)",
)
SSN = "123-45-6789"
LEAKY_SUMMARY = f"Jane Doe verified her account with SSN {SSN}; she repeated 123 45 6789."


def verify_script(analysis_requests: list[Request]) -> Any:
    s = form_model()

    def analysis(r: Request) -> Any:
        analysis_requests.append(r)
        return call(ANALYSIS_TOOL, summary=LEAKY_SUMMARY)  # a model that repeats the number

    s.rules.insert(0, s.rules[0].__class__(lambda r: r.offers(ANALYSIS_TOOL), analysis))
    answer(s, "record_full_name", "Jane", value="Jane Doe")
    answer(s, "record_ssn", "one two three", value=SSN)
    answer(s, "record_notes", "that was", value="Caller repeated their number 123 45 6789")
    return s


async def run_verify_call(tmp_path: Path, **settings: Any) -> tuple[dict[str, Any], list[Request]]:
    requests: list[Request] = []
    from config.settings import load_settings

    async with offline_call(
        verify_script(requests),
        settings=load_settings(**settings),
        database_path=tmp_path / "c.db",
        selected_form=VERIFY,
    ) as c:
        await c.start()
        await c.caller_says("yes")
        await c.caller_says("Jane Doe")
        await c.caller_says("It's one two three, forty-five, six seven eight nine")
        await c.caller_says(f"No. Just to be sure, that was {SSN.replace('-', ' ')}")
        await c.wait_closed()
        payload = await the_payload(c)
    return payload, requests


async def test_a_sensitive_answer_is_in_results_and_nowhere_else(tmp_path: Path) -> None:
    payload, analysis_requests = await run_verify_call(tmp_path)

    assert payload["results"]["ssn"] == SSN  # where the integrator asked for it
    assert (payload["status"], payload["ended_reason"]) == ("complete", "form_completed")
    transcript = payload["transcript"]
    assert transcript["masked_fields"] == ["ssn"]
    lines = transcript["lines"]
    [answer_line] = [
        x for x in lines if x["kind"] == "speech" and x["field"] == "ssn" and x["role"] == "caller"
    ]
    assert (answer_line["text"], answer_line["withheld"]) == (None, "sensitive")
    [recorded] = [x for x in lines if x.get("name") == "record_ssn"]
    assert recorded["arguments"] == {"value": "[masked: ssn]"}
    [repeated] = [
        x
        for x in lines
        if x["kind"] == "speech" and x["field"] == "notes" and x["role"] == "caller"
    ]
    assert repeated["text"] == "No. Just to be sure, that was [masked: ssn]"
    assert repeated["masked"] is True
    [notes] = [x for x in lines if x.get("name") == "record_notes"]
    assert notes["arguments"] == {"value": "Caller repeated their number [masked: ssn]"}
    # the summary: the model's words, masked again
    assert payload["summary"] == (
        "Jane Doe verified her account with SSN [masked: ssn]; she repeated [masked: ssn]."
    )
    # the value appears once in the whole payload: in results
    outside = json.dumps({k: v for k, v in payload.items() if k != "results"})
    assert not re.search(r"6\D{0,3}7\D{0,3}8\D{0,3}9", outside)
    assert "Jane Doe" in outside  # what isn't sensitive stays readable
    # the analysis model was never shown the number
    [request] = analysis_requests
    shown = "\n".join(i.text_content or "" for i in request.items if i.type == "message")
    assert "6789" not in shown and "6 7 8 9" not in shown
    assert "[masked: ssn]" in shown


async def test_transcripts_can_be_turned_off(tmp_path: Path) -> None:
    payload, _ = await run_verify_call(tmp_path, call_record={"call_record_transcript": False})
    assert payload["transcript"] == {
        "included": False,
        "withheld_reason": "disabled",
        "lines": [],
        "masked_fields": [],
        "withheld_after": None,
    }
    assert payload["summary"] is not None  # the analysis still runs (CALL_ANALYSIS)
    assert "6789" not in payload["summary"]


separators = st.sampled_from(["", " ", "-", ".", " - ", "  "])


@given(
    digits=st.text("0123456789", min_size=4, max_size=16),
    seps=st.lists(separators, min_size=16, max_size=16),
    before=st.text(st.characters(blacklist_categories=["Nd"]), max_size=20),
    after=st.text(st.characters(blacklist_categories=["Nd"]), max_size=20),
)
def test_a_sensitive_number_is_masked_however_it_is_spaced(
    digits: str, seps: list[str], before: str, after: str
) -> None:
    redactor = Redactor.for_call(VERIFY, {"ssn": digits})
    spoken = "".join(d + s for d, s in zip(digits, seps, strict=False)).rstrip(" -.")
    masked, changed = redactor.text(f"{before}{spoken}{after}")
    assert changed
    assert digits not in re.sub(r"\D", "", masked)


@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ '-.", min_size=3).filter(
        lambda v: len(v.strip()) >= 3
    )
)
def test_a_sensitive_text_is_masked_in_any_case_and_spacing(value: str) -> None:
    redactor = Redactor.for_call(VERIFY, {"ssn": value})
    plain = value.strip()
    for variant in (plain, plain.upper(), plain.lower(), "  ".join(plain.split())):
        masked, changed = redactor.text(f"I said {variant} ok")
        assert changed
        assert masked.startswith("I said [masked: ssn]")

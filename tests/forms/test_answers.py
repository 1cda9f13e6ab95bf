"""How answers behave on a call: corrections, bad values, declines, refusals, hang-ups."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from forms.loader import parse_form
from forms.model import Form
from offline.scripted_llm import Rule, Script, call
from tests.forms.scripts import answer, ask, assert_matches_schema, form_model, heard, the_payload
from tests.harness import offline_call, tool_calls

BOOKING = parse_form(
    yaml.safe_load(
        """
name: booking
instructions: Book a table at the restaurant.
fields:
  - {name: email, type: email, description: an email for the confirmation}
  - name: party_size
    type: number
    description: how many people are coming
    integer: true
    min: 1
    max: 12
  - name: guests
    type: list
    description: the guests' names and diets
    item_name: guest
    fields:
      - {name: name, type: string, description: the guest's name}
      - name: diet
        type: choice
        description: a dietary need
        choices: [none, vegetarian, vegan, gluten_free]
        required: false
  - {name: notes, type: string, description: anything the restaurant should know, required: false}
ending:
  final_words: All booked. Goodbye.
  incomplete_words: Sorry, I can't book without that. Goodbye.
  summary: false
"""
    ),
    source="booking (test)",
)


def booking_script() -> Script:
    s = form_model()
    ask(s, "update_email_address", "What email should we send the confirmation to?")
    answer(s, "update_email_address", "ann@", email="ann@example.com")
    answer(s, "update_email_address", "bob@", email="bob@example.com")
    ask(s, "record_party_size", "How many people?")
    answer(s, "record_party_size", "four", value=4)
    ask(s, "add_guest", "Who's coming?")
    answer(s, "add_guest", "Ann", name="Ann", diet="vegan")
    answer(s, "add_guest", "Bob", name="Bob")
    answer(s, "add_guest", "Cy", name="Cy", diet="none")
    answer(s, "finish_guests", "that's everyone")
    s.when(lambda r: r.offers("finish_guests") and r.last_tool_output is not None, "Anyone else?")
    ask(s, "record_notes", "Anything we should know?")
    answer(s, "decline_notes", "no", reason="nothing to add")
    return s


def booking_call(script: Script, tmp_path: Path, form: Form = BOOKING):
    return offline_call(script, database_path=tmp_path / "c.db", selected_form=form)


async def test_a_correction_goes_back_to_the_earlier_field(tmp_path: Path) -> None:
    script = booking_script()
    # The caller notices a mistake while asked for the party size: the model regresses.
    script.rules.insert(
        0,
        Rule(
            lambda r: r.offers("out_of_scope") and r.user_said("wrong email"),
            call("out_of_scope", task_ids=["email"]),
        ),
    )
    async with booking_call(script, tmp_path) as c:
        await c.start()
        await c.caller_says("yes")
        await c.caller_says("ann@example.com")
        back = await c.caller_says("Wait, that's the wrong email")
        assert ("out_of_scope", {"task_ids": ["email"]}) in tool_calls(back)
        assert heard(c)[-1] == "What email should we send the confirmation to?"
        await c.caller_says("bob@example.com")
        assert heard(c)[-1] == "How many people?"  # then on from where the caller was
        for words in ("four", "Ann", "Bob", "Cy", "that's everyone", "no"):
            await c.caller_says(words)
        await c.wait_closed()
        payload = await the_payload(c)

    assert (payload["status"], payload["ended_reason"]) == ("complete", "form_completed")
    assert payload["results"]["email"] == "bob@example.com"
    assert set(payload["results"]) == {"email", "party_size", "guests", "notes"}
    assert_matches_schema(payload, BOOKING)


async def test_a_bad_value_goes_back_to_the_model_then_a_good_one_is_kept(
    tmp_path: Path,
) -> None:
    script = booking_script()
    script.rules.insert(
        0,
        Rule(
            lambda r: r.offers("record_party_size") and r.user_said("twenty"),
            call("record_party_size", value=20),
        ),
    )
    script.rules.insert(
        0,
        Rule(
            lambda r: (
                r.offers("record_party_size")
                and r.last_tool_output is not None
                and r.last_tool_output.is_error
            ),
            "We can seat up to twelve. How many people?",
        ),
    )
    async with booking_call(script, tmp_path) as c:
        await c.start()
        await c.caller_says("yes")
        await c.caller_says("ann@example.com")
        refused = await c.caller_says("twenty of us")
        errors = [e.item for e in refused.events if e.type == "function_call_output"]
        assert errors[0].is_error
        assert "less than or equal to 12" in errors[0].output
        assert heard(c)[-1] == "We can seat up to twelve. How many people?"
        kept = await c.caller_says("four then")
        assert tool_calls(kept)[0] == ("record_party_size", {"value": 4})
        assert c.state.outcome.results["party_size"] == 4


async def test_a_declined_optional_field_is_null_and_the_form_goes_on(tmp_path: Path) -> None:
    async with booking_call(booking_script(), tmp_path) as c:
        await c.start()
        for words in ("yes", "ann@example.com", "four", "Ann", "that's everyone"):
            await c.caller_says(words)
        declined = await c.caller_says("no, nothing")
        assert tool_calls(declined) == [("decline_notes", {"reason": "nothing to add"})]
        await c.wait_closed()
        assert heard(c)[-1] == "All booked. Goodbye."
        payload = await the_payload(c)
    assert (payload["status"], payload["ended_reason"]) == ("complete", "form_completed")
    assert payload["results"]["notes"] is None
    assert payload["results"]["guests"] == [{"name": "Ann", "diet": "vegan"}]
    assert_matches_schema(payload, BOOKING)


async def test_a_required_field_is_not_skipped_on_the_first_refusal(tmp_path: Path) -> None:
    script = form_model()
    answer(script, "decline_email_capture", "no email", reason="doesn't want to give it")
    script.when(
        lambda r: (
            r.offers("decline_email_capture")
            and r.last_tool_output is not None
            and r.last_tool_output.is_error
        ),
        "We need an email to send your confirmation. Could you share one?",
    )
    ask(script, "update_email_address", "What email should we send the confirmation to?")
    async with booking_call(script, tmp_path) as c:
        await c.start()
        await c.caller_says("yes")
        first = await c.caller_says("no email, thanks")
        refusal = next(e.item for e in first.events if e.type == "function_call_output")
        assert refusal.is_error and "required" in refusal.output
        assert heard(c)[-1].startswith("We need an email")
        await c.caller_says("no email, I said")
        await c.wait_closed()
        assert heard(c)[-1] == "Sorry, I can't book without that. Goodbye."
        payload = await the_payload(c)
    assert (payload["status"], payload["ended_reason"]) == ("declined", "form_refused")
    assert payload["results"] == {}
    refused = [e for e in payload["events"] if e["type"] == "form_refused"]
    assert refused[0]["field"] == "email"
    assert_matches_schema(payload, BOOKING)


async def test_hanging_up_mid_form_stores_what_was_collected(tmp_path: Path) -> None:
    async with booking_call(booking_script(), tmp_path) as c:
        await c.start()
        for words in ("yes", "ann@example.com", "four", "Ann", "Bob"):
            await c.caller_says(words)
        await c.hang_up()
        payload = await the_payload(c)
    assert (payload["status"], payload["ended_reason"], payload["ended_stage"]) == (
        "caller_hung_up",
        "caller_hung_up",
        "form",
    )
    assert payload["results"] == {
        "email": "ann@example.com",
        "party_size": 4,
        "guests": [{"name": "Ann", "diet": "vegan"}, {"name": "Bob", "diet": None}],
    }
    assert_matches_schema(payload, BOOKING)


SCORE = parse_form(
    {
        "name": "score",
        "instructions": "Ask for a score.",
        "fields": [
            {"name": "score", "type": "number", "description": "any score", "ask": "Score?"}
        ],
        "ending": {"final_words": "Thanks.", "summary": False},
    },
    source="score (test)",
)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
async def test_a_number_answer_that_is_not_finite_is_asked_again(
    tmp_path: Path, bad: float
) -> None:
    script = form_model()
    script.when(
        lambda r: r.offers("record_score") and r.last_tool_output is not None,
        "Sorry, what number?",
    )
    answer(script, "record_score", "lots", value=bad)
    answer(script, "record_score", "seven", value=7.5)
    async with booking_call(script, tmp_path, SCORE) as c:
        await c.start()
        await c.caller_says("yes")
        refused = await c.caller_says("lots and lots")
        [output] = [e.item for e in refused.events if e.type == "function_call_output"]
        assert output.is_error and "finite" in output.output
        assert heard(c)[-1] == "Sorry, what number?"
        await c.caller_says("seven and a half")
        await c.wait_closed()
        payload = await the_payload(c)
    assert (payload["status"], payload["ended_reason"]) == ("complete", "form_completed")
    assert payload["results"] == {"score": 7.5}
    assert_matches_schema(payload, SCORE)

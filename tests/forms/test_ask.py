"""A field's `ask`: its question is spoken verbatim, so answer → next question is one model
round trip (the one that records the answer) instead of two."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from forms.loader import parse_form
from forms.model import Form
from forms.schema import payload_schema, results_schema
from offline.scripted_llm import Rule, Script, call
from tests.forms.scripts import answer, assert_matches_schema, form_model, heard, the_payload
from tests.forms.test_answers import BOOKING, booking_script
from tests.harness import offline_call, spoken, tool_calls

ASKED_BOOKING_YAML = """
name: booking
instructions: Book a table at {company}.
fields:
  - name: email
    type: email
    description: an email for the confirmation
    ask: What email should we send the confirmation to?
  - name: party_size
    type: number
    description: how many people are coming
    integer: true
    min: 1
    max: 12
    ask: How many people are coming?
  - name: guests
    type: list
    description: the guests' names and diets
    item_name: guest
    ask: Who's coming? One name at a time, please.
    ask_another: Anyone else?
    fields:
      - {name: name, type: string, description: the guest's name}
      - name: diet
        type: choice
        description: a dietary need
        choices: [none, vegetarian, vegan, gluten_free]
        required: false
  - name: card
    type: object
    description: the card holding the booking
    required: false
    ask: Which card should hold the table? The name on it and the last four digits.
    fields:
      - {name: holder, type: string, description: the name on the card}
      - {name: last_four, type: string, description: the last four digits, pattern: "^[0-9]{4}$"}
  - name: notes
    type: string
    description: anything the restaurant should know
    required: false
    ask: Anything {company} should know?
ending:
  final_words: All booked. Goodbye.
  summary: false
"""
ASKED_BOOKING = parse_form(yaml.safe_load(ASKED_BOOKING_YAML), source="asked booking (test)")
ASKS = {f.name: f.ask for f in ASKED_BOOKING.fields}
NOTES_ASK = "Anything Acme Health should know?"  # {company} filled in, as in instructions


def asked_script() -> Script:
    """The model records answers; it is never asked to word a question."""
    s = form_model()
    answer(s, "update_email_address", "ann@", email="ann@example.com")
    answer(s, "record_party_size", "four", value=4)
    answer(
        s,
        "add_guest",
        "Ann and Bob",
        reply=call("add_guest", name="Ann").then(call("add_guest", name="Bob")),
    )
    answer(s, "add_guest", "Ann", name="Ann", diet="vegan")
    answer(s, "add_guest", "Bob", name="Bob")
    answer(s, "finish_guests", "that's everyone")
    answer(s, "record_card", "Visa", holder="Ann Smith", last_four="4242")
    answer(s, "record_notes", "window", value="A table by the window")
    return s


def asked_call(script: Script, db: Path, form: Form = ASKED_BOOKING, **kwargs: Any):
    return offline_call(script, database_path=db, selected_form=form, **kwargs)


async def turn(c, words: str) -> tuple[int, list[str]]:
    """The caller speaks: the model requests it took, and what the caller heard."""
    before = len(c.llm.requests)
    result = await c.caller_says(words)
    return len(c.llm.requests) - before, spoken(result)


async def test_each_question_is_spoken_in_exactly_the_asked_words(
    tmp_path: Path, make_settings
) -> None:
    settings = make_settings(persona={"company_name": "Acme Health"})
    async with asked_call(asked_script(), tmp_path / "c.db", settings=settings) as c:
        await c.start()
        opened = await c.caller_says("yes")
        assert spoken(opened)[-1] == ASKS["email"]
        # No request ever offered the email tools before the caller answered: the question
        # was not the model's.
        assert not any(r.offers("update_email_address") for r in c.llm.requests)

        steps = [
            ("ann@example.com", ASKS["party_size"]),  # a prebuilt collector's answer
            ("four of us", ASKS["guests"]),  # a typed field's answer; a list opens
            ("Ann, she's vegan", "Anyone else?"),  # an item: the fixed follow-up
            ("and Bob", "Anyone else?"),
            ("that's everyone", ASKS["card"]),  # the list ends; an object opens
            ("my Visa, Ann Smith, 4242", NOTES_ASK),
        ]
        for words, question in steps:
            requests, said = await turn(c, words)
            assert said == [question], words
            assert requests == 1, f"{words!r}: {requests} model round trips"
        await c.caller_says("a window table please")
        await c.wait_closed()
        assert heard(c)[-1] == "All booked. Goodbye."
        payload = await the_payload(c)

    assert (payload["status"], payload["ended_reason"]) == ("complete", "form_completed")
    assert payload["results"] == {
        "email": "ann@example.com",
        "party_size": 4,
        "guests": [{"name": "Ann", "diet": "vegan"}, {"name": "Bob", "diet": None}],
        "card": {"holder": "Ann Smith", "last_four": "4242"},
        "notes": "A table by the window",
    }
    assert_matches_schema(payload, ASKED_BOOKING)


async def test_answer_to_next_question_is_one_round_trip_with_ask_and_two_without(
    tmp_path: Path,
) -> None:
    # The same answer (the party size) on the same form, with and without `ask`.
    async with asked_call(asked_script(), tmp_path / "asked.db", ASKED_BOOKING) as c:
        await c.start()
        for words in ("yes", "ann@example.com"):
            await c.caller_says(words)
        with_ask = await turn(c, "four of us")
    async with asked_call(booking_script(), tmp_path / "model.db", BOOKING) as c:
        await c.start()
        for words in ("yes", "ann@example.com"):
            await c.caller_says(words)
        without_ask = await turn(c, "four of us")

    assert with_ask == (1, [ASKS["guests"]])
    assert without_ask == (2, ["Who's coming?"])  # the model worded it: a second request


async def test_a_correction_asks_the_fields_again_in_their_words(tmp_path: Path) -> None:
    script = asked_script()
    script.rules.insert(
        0,
        Rule(
            lambda r: r.offers("out_of_scope") and r.user_said("wrong email"),
            call("out_of_scope", task_ids=["email"]),
        ),
    )
    answer(script, "update_email_address", "bob@", email="bob@example.com")
    async with asked_call(script, tmp_path / "c.db") as c:
        await c.start()
        for words in ("yes", "ann@example.com"):
            await c.caller_says(words)
        assert await turn(c, "Wait, that's the wrong email") == (1, [ASKS["email"]])
        assert await turn(c, "bob@example.com") == (1, [ASKS["party_size"]])
        await c.hang_up()
        assert c.state.outcome.results == {"email": "bob@example.com"}


async def test_several_items_at_once_get_one_follow_up(tmp_path: Path) -> None:
    async with asked_call(asked_script(), tmp_path / "c.db") as c:
        await c.start()
        for words in ("yes", "ann@example.com", "four"):
            await c.caller_says(words)
        requests, said = await turn(c, "Ann and Bob")
        assert said == ["Anyone else?"]
        assert requests == 1
        assert [name for name, _ in tool_calls(await c.caller_says("that's everyone"))] == [
            "finish_guests"
        ]
        assert c.state.outcome.results["guests"] == [
            {"name": "Ann", "diet": None},
            {"name": "Bob", "diet": None},
        ]
        await c.hang_up()


COLLECTORS = {  # type: the tool a rule-following model calls on the caller's answer
    "email": ("update_email_address", {"email": "ann@example.com"}),
    "phone": ("update_phone_number", {"phone_number": "+14155550123"}),
    "address": (
        "update_address",
        {
            "street_address": "1 Main St",
            "unit_number": "",
            "locality": "Springfield",
            "country": "US",
        },
    ),
    "person_name": ("update_name", {"first_name": "Ann", "last_name": "Lee"}),
    "date_of_birth": ("update_dob", {"year": 1980, "month": 3, "day": 4}),
    "keypad_digits": ("record_inputs", {"inputs": ["4", "2"]}),
}


@pytest.mark.parametrize("kind", sorted(COLLECTORS))
async def test_a_prebuilt_collector_asks_in_the_asked_words(tmp_path: Path, kind: str) -> None:
    data = {
        "name": "one",
        "instructions": "Collect one answer.",
        "fields": [
            {
                "name": "it",
                "type": kind,
                "description": f"the caller's {kind}",
                "ask": f"May I have your {kind.replace('_', ' ')}?",
                "confirm": False,
            }
            | ({"digits": 2} if kind == "keypad_digits" else {}),
            {"name": "then", "type": "boolean", "description": "ok", "ask": "All good?"},
        ],
        "ending": {"final_words": "Bye.", "summary": False},
    }
    form = parse_form(data, source=kind)
    tool, args = COLLECTORS[kind]
    script = form_model()
    answer(script, tool, "here", **args)
    async with asked_call(script, tmp_path / "c.db", form) as c:
        await c.start()
        opened = await c.caller_says("yes")
        assert spoken(opened)[-1] == f"May I have your {kind.replace('_', ' ')}?"
        assert not any(r.offers(tool) for r in c.llm.requests)
        assert await turn(c, "here it is") == (1, ["All good?"])
        await c.hang_up()
        assert "it" in c.state.outcome.results


def _without_asks(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_asks(v) for k, v in data.items() if k not in ("ask", "ask_another")}
    if isinstance(data, list):
        return [_without_asks(v) for v in data]
    return data


TEMPLATES = Path(__file__).resolve().parents[2] / "forms" / "templates"


@pytest.mark.parametrize("name", sorted(p.stem for p in TEMPLATES.glob("*.yaml")))
def test_asks_change_neither_the_schema_nor_the_payload_schema(name: str) -> None:
    data = yaml.safe_load((TEMPLATES / f"{name}.yaml").read_text())
    form, bare = parse_form(data, source=name), parse_form(_without_asks(data), source=name)
    assert form != bare  # every template field has its question
    assert all(f.ask for f in form.fields)
    for partial in (False, True):
        assert results_schema(form, partial=partial) == results_schema(bare, partial=partial)
    assert payload_schema(form) == payload_schema(bare)

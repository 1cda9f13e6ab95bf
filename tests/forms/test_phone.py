"""Phone answers are stored in E.164, read in the line's region (PHONE_DEFAULT_REGION).

However the caller says it and however the model writes it down ("(415) 555-0123",
"415.555.0123", "+1 415 555 0123"), `results` holds `+14155550123`; a number that can't be
a phone number is asked again instead of being stored as typed. The same for a `phone`
field (LiveKit's collector) and a `phone` inside an object or a list item.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest

from config.settings import SettingsError, load_settings
from forms.loader import parse_form
from forms.model import Form
from forms.schema import results_schema
from offline.scripted_llm import Request, Script, call, say
from tests.forms.scripts import assert_matches_schema, form_model, heard, the_payload
from tests.harness import offline_call, tool_calls

ASK = "What number can we reach you on?"
AGAIN = "Sorry, I didn't get a full phone number. Could you say it again with the area code?"
THANKS = "Thanks, goodbye."


def contact_form(where: str) -> Form:
    """A form whose phone is the field itself (`field`), an object's sub-field (`object`)
    or a list item's sub-field (`list`)."""
    phone = {"name": "phone", "type": "phone", "description": "a phone number"}
    if where == "field":
        field: dict[str, Any] = phone | {"ask": ASK, "confirm": False}
    else:
        field = {
            "name": "contact",
            "type": where,
            "description": "who to call back and on which number",
            "ask": ASK,
            "fields": [{"name": "who", "type": "string", "description": "their name"}, phone],
        }
        if where == "list":
            field |= {"item_name": "contact", "max_items": 1}
    return parse_form(
        {
            "name": "callback",
            "instructions": "Take a number to call back.",
            "fields": [field],
            "ending": {"final_words": THANKS, "summary": False},
        },
        source=f"{where} (test)",
    )


TOOLS = {"field": "update_phone_number", "object": "record_contact", "list": "add_contact"}


def records(where: str, said: str) -> Any:
    """The model writes down what the caller said, as the caller said it."""
    if where == "field":
        return call("update_phone_number", phone_number=said)
    return call(TOOLS[where], who="Ann", phone=said)


def phone_model(where: str) -> Script:
    tool = TOOLS[where]
    s = form_model()

    def rejected(r: Request) -> bool:
        out = r.last_tool_output
        return r.offers(tool) and out is not None and out.is_error

    s.when(rejected, say(AGAIN))
    s.when(
        lambda r: r.offers(tool) and r.answering_user, lambda r: records(where, r.last_user_text)
    )
    return s


def stored_phone(where: str, results: dict[str, Any]) -> Any:
    if where == "field":
        return results["phone"]
    if where == "object":
        return results["contact"]["phone"]
    return results["contact"][0]["phone"]


async def collect(where: str, said: list[str], tmp_path: Path, **kwargs: Any):
    form = contact_form(where)
    async with offline_call(
        phone_model(where), database_path=tmp_path / "c.db", selected_form=form, **kwargs
    ) as c:
        await c.start()
        await c.caller_says("yes")  # consent
        assert heard(c)[-1] == ASK
        outputs = []
        for words in said:
            result = await c.caller_says(words)
            assert [name for name, _ in tool_calls(result)] == [TOOLS[where]]
            outputs += [e.item for e in result.events if e.type == "function_call_output"]
        await c.wait_closed()
        payload = await the_payload(c)
    assert_matches_schema(payload, form)
    return payload, outputs, heard(c)


WHERE = ["field", "object", "list"]


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize(
    "said", ["(415) 555-0123", "415-555-0123", "415.555.0123", "4155550123", "+1 415 555 0123"]
)
async def test_a_phone_answer_is_stored_in_e164(tmp_path: Path, where: str, said: str) -> None:
    payload, _, heard_ = await collect(where, [said], tmp_path)
    assert (payload["status"], payload["ended_reason"]) == ("complete", "form_completed")
    assert stored_phone(where, payload["results"]) == "+14155550123"
    assert heard_[-1] == THANKS


@pytest.mark.parametrize("where", WHERE)
async def test_a_number_without_country_code_is_read_in_the_line_region(
    tmp_path: Path, where: str, make_settings
) -> None:
    settings = make_settings(telephony={"phone_default_region": "GB"})
    payload, _, _ = await collect(where, ["020 7946 0958"], tmp_path, settings=settings)
    assert stored_phone(where, payload["results"]) == "+442079460958"


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("bad", ["555-0123", "12", "call me maybe", "+1 555 555 5555"])
async def test_a_number_that_is_not_a_phone_number_is_asked_again(
    tmp_path: Path, where: str, bad: str
) -> None:
    payload, outputs, heard_ = await collect(where, [bad, "(415) 555-0123"], tmp_path)
    assert outputs[0].is_error
    assert "phone number" in outputs[0].output
    assert AGAIN in heard_  # the caller was asked again
    assert stored_phone(where, payload["results"]) == "+14155550123"


def test_the_results_schema_promises_e164() -> None:
    for where in WHERE:
        schema = results_schema(contact_form(where))
        good = {
            "field": {"phone": "+14155550123"},
            "object": {"contact": {"who": "Ann", "phone": "+14155550123"}},
            "list": {"contact": [{"who": "Ann", "phone": "+14155550123"}]},
        }[where]
        jsonschema.validate(good, schema)
        bad = {
            "field": {"phone": "4155550123"},
            "object": {"contact": {"who": "Ann", "phone": "4155550123"}},
            "list": {"contact": [{"who": "Ann", "phone": "4155550123"}]},
        }[where]
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


@pytest.mark.parametrize("region", ["XX", "ZZ", "us", "USA"])
def test_an_unknown_default_region_stops_the_agent_at_start(region: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(telephony={"phone_default_region": region})
    [problem] = caught.value.problems
    assert problem.startswith("PHONE_DEFAULT_REGION")

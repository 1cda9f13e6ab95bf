"""The maximum call duration, through the real AgentSession, on a clock the test moves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from forms.loader import parse_form
from offline.scripted_llm import Script
from tests.call.scripts import HOW_CAN_I_HELP, front_desk
from tests.fakes.clock import FakeClock
from tests.forms.scripts import answer, ask, assert_matches_schema, form_model
from tests.harness import offline_call, spoken

WARNING = "We're nearly out of time for this call, so let's wrap up in the next minute."
GOODBYE = (
    "We've reached the time limit for this call, so I have to end it now. Anything you've "
    "told me is saved. Thank you for calling, goodbye."
)

BOOKING = parse_form(
    yaml.safe_load(
        """
name: booking
instructions: Book a table.
fields:
  - {name: email, type: email, description: an email for the confirmation}
  - {name: party_size, type: number, description: how many people, integer: true}
  - name: guests
    type: list
    description: the guests' names
    item_name: guest
    fields:
      - {name: name, type: string, description: the guest's name}
  - {name: notes, type: string, description: anything else}
ending:
  final_words: All booked. Goodbye.
  summary: false
"""
    ),
    source="booking (test)",
)


def booking_script() -> Script:
    s = form_model()
    ask(s, "update_email_address", "What email should we send the confirmation to?")
    answer(s, "update_email_address", "ann@", email="ann@example.com")
    ask(s, "record_party_size", "How many people?")
    answer(s, "record_party_size", "four", value=4)
    ask(s, "add_guest", "Who's coming?")
    answer(s, "add_guest", "Ann", name="Ann")
    s.when(lambda r: r.offers("finish_guests") and r.last_tool_output is not None, "Anyone else?")
    return s


async def test_a_long_form_call_is_warned_then_ended_and_its_answers_are_kept(
    tmp_path: Path, make_settings: Any
) -> None:
    clock = FakeClock()
    settings = make_settings(limits={"max_call_seconds": 1800, "max_call_warning_seconds": 60})
    async with offline_call(
        booking_script(),
        settings=settings,
        database_path=tmp_path / "c.db",
        selected_form=BOOKING,
        clock=clock,
    ) as c:
        await c.start()
        for words in ("yes", "ann@example.com", "four"):
            await c.caller_says(words)
        assert c.heard()[-1] == "Who's coming?"

        await clock.advance(1739)
        assert WARNING not in c.heard()
        await clock.advance(1)  # 29 minutes in
        await c.until_heard(WARNING)
        assert spoken(await c.caller_says("Ann")) == ["Anyone else?"]  # the call goes on

        await clock.advance(60)  # 30 minutes in
        await c.wait_closed()

        assert c.heard()[-1] == GOODBYE
        [record] = await c.stored_records()
    assert (record["status"], record["ended_reason"]) == ("timed_out", "max_duration")
    assert record["form"] == "booking"
    assert record["results"] == {
        "email": "ann@example.com",
        "party_size": 4,
        "guests": [{"name": "Ann"}],
    }
    events = [e["type"] for e in record["events"]]
    assert events.index("max_duration_warning") < events.index("max_duration")
    assert [e["status"] for e in record["events"] if e["type"] == "form_ended"] == ["timed_out"]
    assert_matches_schema(record, BOOKING)


async def test_a_call_without_wrap_up_words_ends_at_the_limit(
    tmp_path: Path, make_settings: Any
) -> None:
    clock = FakeClock()
    settings = make_settings(limits={"max_call_seconds": 600, "max_call_warning_seconds": 0})
    async with offline_call(
        front_desk(), settings=settings, database_path=tmp_path / "c.db", clock=clock
    ) as c:
        await c.start()
        assert spoken(await c.caller_says("yes")) == [HOW_CAN_I_HELP]

        await clock.advance(600)
        await c.wait_closed()

        assert c.heard()[-2:] == [HOW_CAN_I_HELP, GOODBYE]
        [consent] = await c.consent_records()
        assert consent.decision is True
        [record] = await c.stored_records()
    assert (record["status"], record["ended_reason"]) == ("timed_out", "max_duration")
    assert "max_duration_warning" not in [e["type"] for e in record["events"]]


async def test_with_no_limit_set_time_alone_never_ends_a_call(
    tmp_path: Path, make_settings: Any
) -> None:
    clock = FakeClock()
    settings = make_settings(limits={"max_call_seconds": None})
    async with offline_call(
        front_desk(), settings=settings, database_path=tmp_path / "c.db", clock=clock
    ) as c:
        await c.start()
        await c.caller_says("yes")
        await clock.advance(24 * 3600)
        assert GOODBYE not in c.heard()
        assert not c.closed.is_set()
        assert c.state.outcome.limit is None


def test_a_form_payload_schema_knows_every_status_a_record_can_have() -> None:
    from typing import get_args

    from forms.schema import payload_schema
    from store.call_record import CallStatus

    assert payload_schema(BOOKING)["properties"]["status"]["enum"] == list(get_args(CallStatus))

"""Calls outside business hours: consent first, a greeting that says so, no person offered,
a call back or a message instead, and a record that says the call was after hours."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from offline.scripted_llm import Script, call, say
from tests.call.scripts import HOW_CAN_I_HELP, QUESTION, at_front_desk, front_desk
from tests.forms.scripts import form_model
from tests.harness import offline_call, spoken, tool_calls

CLOSED_LINE = (
    "Our office is closed right now, but I can still help you, take a message, or arrange a "
    "call back."
)
AFTER_HOURS_QUESTION = QUESTION.replace(
    "Thank you for calling Acme Corp.", f"Thank you for calling Acme Corp. {CLOSED_LINE}"
)
ALWAYS_OPEN = """
time_zone: Europe/Paris
weekly: {monday: 00:00-24:00, tuesday: 00:00-24:00, wednesday: 00:00-24:00,
         thursday: 00:00-24:00, friday: 00:00-24:00, saturday: 00:00-24:00,
         sunday: 00:00-24:00}
"""
NEVER_OPEN = """
time_zone: America/New_York
weekly: {}
"""


def with_schedule(make_settings: Any, tmp_path: Path, text: str, **more: Any) -> Any:
    path = tmp_path / "hours.yaml"
    path.write_text(text)
    return make_settings(hours={"business_hours_file": str(path)}, **more)


async def test_without_a_schedule_the_line_is_always_open(tmp_path: Path) -> None:
    async with offline_call(front_desk(), database_path=tmp_path / "c.db") as c:
        assert spoken(await c.start()) == [QUESTION]
        await c.caller_says("yes")
        front_desk_told = c.llm.requests[-1].instructions
        await c.hang_up()
        [record] = await c.stored_records()
    assert "After hours" not in front_desk_told
    assert record["after_hours"] is False


async def test_inside_business_hours_nothing_changes(tmp_path: Path, make_settings: Any) -> None:
    settings = with_schedule(make_settings, tmp_path, ALWAYS_OPEN)
    async with offline_call(front_desk(), settings=settings, database_path=tmp_path / "c.db") as c:
        assert spoken(await c.start()) == [QUESTION]
        await c.hang_up()
        [record] = await c.stored_records()
    assert record["after_hours"] is False


async def test_after_hours_consent_comes_first_and_its_greeting_says_the_office_is_closed(
    tmp_path: Path, make_settings: Any
) -> None:
    settings = with_schedule(make_settings, tmp_path, NEVER_OPEN)
    async with offline_call(front_desk(), settings=settings, database_path=tmp_path / "c.db") as c:
        assert spoken(await c.start()) == [AFTER_HOURS_QUESTION]
        assert spoken(await c.caller_says("yes")) == [HOW_CAN_I_HELP]
        front_desk_told = c.llm.requests[-1].instructions
        await c.hang_up()
        [consent] = await c.consent_records()
        [record] = await c.stored_records()
    assert consent.decision is True
    assert consent.wording == AFTER_HOURS_QUESTION  # the exact words played
    assert "never offer to\nput them through to a person" in front_desk_told
    assert record["after_hours"] is True


async def test_the_after_hours_greeting_can_be_turned_off(
    tmp_path: Path, make_settings: Any
) -> None:
    path = tmp_path / "hours.yaml"
    path.write_text(NEVER_OPEN)
    settings = make_settings(
        hours={"business_hours_file": str(path), "after_hours_announce": False}
    )
    async with offline_call(front_desk(), settings=settings, database_path=tmp_path / "c.db") as c:
        assert spoken(await c.start()) == [QUESTION]
        await c.hang_up()
        [record] = await c.stored_records()
    assert record["after_hours"] is True


def message_script() -> Script:
    s = front_desk(form_model())
    s.when(
        lambda r: at_front_desk(r) and r.user_said("message"),
        call("escalate_to_manager", reason="wants to leave a message after hours"),
    )
    s.when(
        lambda r: r.offers("take_message") and not r.answering_user and r.last_tool_output is None,
        say("I'm the manager. I can take a message for the team."),
    )
    s.when(lambda r: r.offers("take_message") and r.user_said("yes"), call("take_message"))
    s.when(
        lambda r: r.offers("record_name") and r.user_said("Ann"), call("record_name", value="Ann")
    )
    s.when(
        lambda r: r.offers("decline_phone_number_capture") and r.user_said("this one"),
        call("decline_phone_number_capture", reason="the number they are calling from"),
    )
    s.when(
        lambda r: r.offers("record_message") and r.user_said("invoice"),
        call("record_message", value="Please resend invoice 42."),
    )
    return s


async def test_after_hours_the_manager_takes_a_message_with_the_message_form(
    tmp_path: Path, make_settings: Any
) -> None:
    settings = with_schedule(make_settings, tmp_path, NEVER_OPEN)
    async with offline_call(
        message_script(), settings=settings, database_path=tmp_path / "c.db"
    ) as c:
        await c.start()
        await c.caller_says("yes")
        escalated = await c.caller_says("I'd like to leave a message")
        assert ("escalate_to_manager", {"reason": "wants to leave a message after hours"}) in (
            tool_calls(escalated)
        )
        manager_told = c.llm.requests[-1].instructions
        assert "never offer a\ntransfer to a person" in manager_told
        assert "`take_message`" in manager_told
        started = await c.caller_says("yes please")
        assert spoken(started)[-2:] == [
            "I'll take a message for the team.",
            "May I have your name?",
        ]
        for words in ("Ann", "this one is fine", "Tell them to resend invoice 42"):
            await c.caller_says(words)
        await c.wait_closed()
        [record] = await c.stored_records()
    assert record["form"] == "message"
    assert record["status"] == "complete"
    assert record["results"] == {
        "name": "Ann",
        "phone": None,
        "message": "Please resend invoice 42.",
    }
    assert record["after_hours"] is True

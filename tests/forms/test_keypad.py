"""Keypad digits on a phone line: LiveKit's GetDtmfTask reads the caller's key presses."""

from __future__ import annotations

import asyncio
from pathlib import Path

from livekit import rtc
from livekit.agents.testing import fake_job_context

from tests.forms.scripts import heard, the_payload
from tests.forms.test_templates import feedback_call_script
from tests.harness import offline_call


async def test_the_order_number_is_entered_on_the_keypad(tmp_path: Path, make_settings) -> None:
    settings = make_settings()
    form = settings.forms.library.get("customer_feedback")
    script = feedback_call_script()
    room = rtc.Room()
    with fake_job_context(room=room):
        async with offline_call(
            script, settings=settings, database_path=tmp_path / "c.db", selected_form=form
        ) as c:
            await c.start()
            await c.caller_says("yes")
            await c.caller_says("It was a repair")
            # The template's `ask`, said verbatim: FormDtmfTask listens to the keypad without
            # GetDtmfTask's model turn (the digits below check that the listeners are on).
            assert heard(c)[-1] == form.field("order_number").ask
            assert not any(r.offers("record_inputs") for r in c.llm.requests)
            rating_asked = asyncio.Event()

            def on_item(ev) -> None:
                if ev.item.text_content == form.field("rating").ask:
                    rating_asked.set()

            c.session.on("conversation_item_added", on_item)
            for digit in "442109#":  # pound ends the entry at once
                room.emit("sip_dtmf_received", rtc.SipDTMF(code=0, digit=digit))
            await asyncio.wait_for(rating_asked.wait(), 5)  # the form moved on by itself
            assert c.state.outcome.results["order_number"] == "442109"
            await c.hang_up()
            payload = await the_payload(c)
    assert payload["results"]["order_number"] == "442109"
    assert (payload["status"], payload["ended_reason"], payload["ended_stage"]) == (
        "caller_hung_up",
        "caller_hung_up",
        "form",
    )

"""Each shipped template, driven end to end as a call: consent, the form, the record."""

from __future__ import annotations

import json
from pathlib import Path

from config.settings import Settings
from offline.harness import offline_call, spoken, tool_calls
from tests.call.scripts import QUESTION
from tests.forms.scripts import (
    SUMMARY,
    answer,
    ask,
    assert_matches_schema,
    form_model,
    heard,
    is_summary_request,
    the_payload,
)


def feedback_call_script():
    s = form_model()
    ask(s, "record_service_type", "Which service did we provide?")
    answer(s, "record_service_type", "repair", value="repair")
    ask(s, "record_inputs", "What's your six-digit order number? You can also skip it.")
    answer(s, "record_inputs", "4 4 2 1 0 9", inputs=["4", "4", "2", "1", "0", "9"])
    ask(s, "record_rating", "From one to five, how would you rate us?")
    answer(s, "record_rating", "four", value=4)
    ask(s, "record_went_well", "What went well?")
    answer(s, "record_went_well", "on time", value="The technician was on time and tidy.")
    ask(s, "record_went_badly", "Anything we could do better?")
    answer(s, "decline_went_badly", "nothing", reason="nothing to add")
    ask(s, "record_may_follow_up", "May we contact you about this feedback?")
    answer(s, "record_may_follow_up", "yes", value=True)
    return s


async def test_customer_feedback_chosen_by_dispatch_metadata(tmp_path: Path, make_settings) -> None:
    settings: Settings = make_settings()
    from forms.selection import select_form

    form = select_form(settings.forms, job_metadata=json.dumps({"form": "customer_feedback"}))
    assert form is not None and form.name == "customer_feedback"

    async with offline_call(
        feedback_call_script(),
        settings=settings,
        database_path=tmp_path / "calls.db",
        selected_form=form,
    ) as c:
        assert spoken(await c.start()) == [QUESTION]
        opened = await c.caller_says("yes")
        assert spoken(opened) == [
            "Thanks for taking a minute to tell us how we did.",
            "Which service did we provide?",
        ]
        await c.caller_says("It was a repair")
        await c.caller_says("4 4 2 1 0 9")
        await c.caller_says("I'd say four")
        await c.caller_says("They were on time")
        await c.caller_says("nothing really")
        before = len(c.llm.requests)
        last = await c.caller_says("yes, that's fine")

        assert tool_calls(last)[0] == ("record_may_follow_up", {"value": True})
        await c.wait_closed()  # the call ends by itself after the final words
        assert heard(c)[-1] == "Thank you for your feedback, it really helps. Goodbye."
        # The final words are verbatim: after the last answer the only model call is the
        # summary, written while the caller hears them.
        after = c.llm.requests[before:]
        assert [is_summary_request(r) for r in after] == [False, True]
        payload = await the_payload(c)

    assert payload["status"] == "complete"
    assert payload["form"] == "customer_feedback"
    assert payload["results"] == {
        "service_type": "repair",
        "order_number": "442109",
        "rating": 4,
        "went_well": "The technician was on time and tidy.",
        "went_badly": None,
        "may_follow_up": True,
    }
    assert payload["summary"] == SUMMARY  # FORMS_SUMMARY is on by default
    assert payload["consent"]["decision"] is True
    assert_matches_schema(payload, form)

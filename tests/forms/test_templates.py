"""Each shipped template, driven end to end as a call: consent, the form, the record.

Every template field has an `ask`, so the scripted model only records answers: each
question is the template's own words, heard right after the answer before it."""

from __future__ import annotations

import json
from pathlib import Path

from config.settings import Settings
from offline.scripted_llm import say
from tests.call.scripts import QUESTION, front_desk
from tests.forms.scripts import (
    SUMMARY,
    answer,
    assert_matches_schema,
    form_model,
    heard,
    is_summary_request,
    the_payload,
)
from tests.harness import offline_call, spoken, tool_calls


def feedback_call_script():
    s = form_model()
    answer(s, "record_service_type", "repair", value="repair")
    answer(s, "record_inputs", "4 4 2 1 0 9", inputs=["4", "4", "2", "1", "0", "9"])
    answer(s, "record_rating", "four", value=4)
    answer(s, "record_went_well", "on time", value="The technician was on time and tidy.")
    answer(s, "decline_went_badly", "nothing", reason="nothing to add")
    answer(s, "record_may_follow_up", "yes", value=True)
    return s


async def test_customer_feedback_chosen_by_dispatch_metadata(tmp_path: Path, make_settings) -> None:
    settings: Settings = make_settings()
    from tasks.form_selection import select_form

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
            form.field("service_type").ask,
        ]
        for words, next_field in (
            ("It was a repair", "order_number"),
            ("4 4 2 1 0 9", "rating"),
            ("I'd say four", "went_well"),
            ("They were on time", "went_badly"),
            ("nothing really", "may_follow_up"),
        ):
            assert spoken(await c.caller_says(words)) == [form.field(next_field).ask]
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

    assert (payload["status"], payload["ended_reason"]) == ("complete", "form_completed")
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


def intake_call_script():
    s = form_model()
    answer(s, "update_name", "Jane Doe", first_name="Jane", last_name="Doe")
    answer(s, "update_dob", "March 4", year=1980, month=3, day=4)
    answer(s, "update_phone_number", "555", phone_number="+14155550123")
    answer(s, "record_reason_for_visit", "cough", value="A cough that won't go away")
    answer(s, "record_symptoms_since", "January", value="2024-01-15")
    answer(s, "add_medication", "lisinopril", name="Lisinopril", dose="10 mg", frequency="daily")
    answer(s, "add_medication", "metformin", name="Metformin", dose="500 mg")
    answer(s, "add_medication", "vitamin", name="Vitamin D")
    answer(s, "finish_medications", "that's all")
    answer(
        s, "add_allergy", "penicillin", substance="penicillin", reaction="rash", severity="moderate"
    )
    answer(s, "finish_allergies", "no others")
    answer(
        s,
        "record_insurance",
        "Aetna",
        provider="Aetna",
        member_id="W123-456",
        policy_holder="John Doe",
    )
    return s


async def test_patient_intake_collects_a_list_of_three_and_a_nested_object(
    tmp_path: Path, make_settings
) -> None:
    settings: Settings = make_settings()
    form = settings.forms.library.get("patient_intake")
    async with offline_call(
        intake_call_script(),
        settings=settings,
        database_path=tmp_path / "c.db",
        selected_form=form,
    ) as c:
        await c.start()
        opened = await c.caller_says("yes")
        assert spoken(opened)[-1] == "First, what's the patient's full name?"
        another_medication = form.field("medications").ask_another
        for words, question in (
            ("Jane Doe", form.field("date_of_birth").ask),
            ("March 4th 1980", form.field("phone").ask),
            ("555 012 3456", form.field("reason_for_visit").ask),
            ("I have a cough", form.field("symptoms_since").ask),
            ("Since January 15", form.field("medications").ask),
            ("Lisinopril 10 mg daily", another_medication),
            ("Metformin 500 mg", another_medication),
            ("and vitamin D", another_medication),
            ("that's all", form.field("allergies").ask),
            ("penicillin, it gives me a rash", "Any other allergies?"),
            ("no others", form.field("insurance").ask),
        ):
            assert spoken(await c.caller_says(words)) == [question], words
        await c.caller_says("Aetna, member W123-456, my husband John Doe holds it")
        await c.wait_closed()
        assert heard(c)[-1].startswith("Thank you, that's everything we need.")
        payload = await the_payload(c)

    assert (payload["status"], payload["ended_reason"]) == ("complete", "form_completed")
    assert payload["results"] == {
        "patient_name": {"first_name": "Jane", "last_name": "Doe"},
        "date_of_birth": "1980-03-04",
        "phone": "+14155550123",
        "reason_for_visit": "A cough that won't go away",
        "symptoms_since": "2024-01-15",
        "medications": [
            {"name": "Lisinopril", "dose": "10 mg", "frequency": "daily"},
            {"name": "Metformin", "dose": "500 mg", "frequency": None},
            {"name": "Vitamin D", "dose": None, "frequency": None},
        ],
        "allergies": [{"substance": "penicillin", "reaction": "rash", "severity": "moderate"}],
        "insurance": {
            "provider": "Aetna",
            "member_id": "W123-456",
            "group_number": None,
            "policy_holder": "John Doe",
        },
    }
    assert payload["summary"] == SUMMARY
    assert_matches_schema(payload, form)


def lead_call_script():
    s = form_model()
    s.when(
        lambda r: r.offers("start_lead_qualification") and not r.answering_user,
        say("Happy to help with that. May I ask a few quick questions so sales can follow up?"),
    )
    answer(s, "start_lead_qualification", "sure")
    answer(s, "route_to", "buy", department="sales")
    front_desk(s)
    answer(s, "update_name", "Sam Lee", first_name="Sam", last_name="Lee")
    answer(s, "record_company", "Northwind", value="Northwind Traders")
    answer(s, "decline_role", "rather not", reason="prefers not to say")
    answer(s, "update_email_address", "sam at", email="sam@northwind.example")
    answer(s, "decline_phone_number_capture", "this one", reason="use the number calling")
    answer(s, "record_need", "support", value="Phone support for 40 agents")
    answer(s, "record_team_size", "forty", value=40)
    answer(s, "record_budget", "20", value="10k_to_50k")
    answer(s, "record_timeline", "quarter", value="this_quarter")
    answer(s, "record_decision_maker", "yes I am", value=True)
    return s


async def test_lead_qualification_started_by_the_sales_specialist(
    tmp_path: Path, make_settings
) -> None:
    settings: Settings = make_settings()
    async with offline_call(
        lead_call_script(), settings=settings, database_path=tmp_path / "c.db"
    ) as c:
        await c.start()
        await c.caller_says("yes")
        await c.caller_says("I'd like to buy your product for my team")
        started = await c.caller_says("sure, go ahead")
        assert ("start_lead_qualification", {}) in tool_calls(started)
        assert spoken(started)[-2:] == [
            "Great, I'll ask a few quick questions so the right person on our sales team "
            "can follow up.",
            "First, may I have your first and last name?",
        ]
        form = settings.forms.library.get("lead_qualification")
        questions = [f.ask for f in form.fields[1:]] + [None]
        for words, question in zip(
            (
                "Sam Lee",
                "Northwind Traders",
                "I'd rather not say",
                "sam at northwind dot example",
                "this one is fine",
                "phone support for our agents",
                "about forty people",
                "maybe 20 thousand",
                "this quarter",
                "yes I am",
            ),
            questions,
            strict=True,
        ):
            said = spoken(await c.caller_says(words))
            if question is not None:
                assert said == [question], words
        await c.wait_closed()
        assert heard(c)[-1].startswith("Thank you, that's all I need.")
        payload = await the_payload(c)

    assert payload["form"] == "lead_qualification"
    assert (payload["status"], payload["ended_reason"]) == ("complete", "form_completed")
    assert payload["results"] == {
        "contact_name": {"first_name": "Sam", "last_name": "Lee"},
        "company": "Northwind Traders",
        "role": None,
        "email": "sam@northwind.example",
        "phone": None,
        "need": "Phone support for 40 agents",
        "team_size": 40,
        "budget": "10k_to_50k",
        "timeline": "this_quarter",
        "decision_maker": True,
    }
    assert any(e["type"] == "form_requested" and e["by"] for e in payload["events"])
    assert_matches_schema(payload, form)

"""Live evals of each shipped form template: the real model asks each field in turn."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.evals

TEMPLATES = Path(__file__).resolve().parents[2] / "forms" / "templates"
FIRST_ANSWERS = {  # a plausible answer to each template's first field
    "customer_feedback": "It was a repair.",
    "lead_qualification": "My name is John Smith.",
    "patient_intake": "My name is Jane Doe.",
}


def _last_words(result):
    """The assertion for the last thing the agent said in a run (the question it ends on)."""
    said = [i for i, e in enumerate(result.events) if e.type == "message"]
    assert said, "the agent said nothing"
    return result.expect[said[-1]].is_message(role="assistant")


def _template_names() -> list[str]:
    return sorted(p.stem for p in TEMPLATES.glob("*.yaml"))


@pytest.mark.parametrize("name", _template_names())
async def test_each_form_asks_its_fields_in_order(live_call, judge, make_settings, name) -> None:
    form = make_settings().forms.library.get(name)
    first, second = form.fields[0], form.fields[1]
    async with live_call(selected_form=form) as call:
        opened = await call.caller_says("Yes, that's fine.")
        await (
            opened.expect[-1]
            .is_message(role="assistant")
            .judge(judge, intent=f"Asks the caller for {first.description}.")
        )

        answered = await call.caller_says(FIRST_ANSWERS.get(name, "Yes."))
        await (
            answered.expect[-1]
            .is_message(role="assistant")
            .judge(
                judge,
                intent=f"Asks the caller for {second.description}, or briefly confirms or "
                f"clarifies their previous answer about {first.description}.",
            )
        )

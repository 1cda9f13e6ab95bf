"""One decision for `status` and `ended_reason`, over every combination of what happened.

The paths themselves (a refusal, each hang-up, a form, a transfer, a limit) are driven
through real calls in their own tests; this checks the decision's rules hold for every
combination of facts a call can leave behind.
"""

from __future__ import annotations

from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from call.ending import (
    DECLARABLE,
    ENDINGS,
    ConsentState,
    Declaration,
    EndingFacts,
    decide_ending,
)
from call.outcome import CallOutcome
from store.call_record import Stage

stages = st.sampled_from(get_args(Stage))
declarations = st.builds(
    Declaration, reason=st.sampled_from(sorted(DECLARABLE)), stage=stages, detail=st.just({})
)
facts = st.builds(
    EndingFacts,
    declared=st.lists(declarations, max_size=3).map(tuple),
    consent=st.sampled_from(get_args(ConsentState)),
    caller_left=st.booleans(),
    left_stage=st.none() | stages,
    close_reason=st.none()
    | st.sampled_from(
        ["error", "job_shutdown", "participant_disconnected", "user_initiated", "task_completed"]
    ),
    session_error=st.booleans(),
    stage=stages,
)


@given(facts)
def test_status_and_who_ended_it_always_come_from_the_table(f: EndingFacts) -> None:
    ending = decide_ending(f)
    assert (ending.status, ending.ended_by) == ENDINGS[ending.reason]


@given(facts, st.lists(declarations, min_size=1, max_size=3))
def test_the_first_cause_wins(f: EndingFacts, later: list[Declaration]) -> None:
    first = decide_ending(f)
    if any(d.reason not in ("declined", "caller_hung_up") for d in f.declared):
        assert decide_ending(EndingFacts(**{**f.__dict__, "declared": (*f.declared, *later)})) == (
            first
        )


@given(facts)
def test_a_claimed_hang_up_is_not_taken_on_trust(f: EndingFacts) -> None:
    only_claims = EndingFacts(
        **{
            **f.__dict__,
            "declared": tuple(Declaration("caller_hung_up", d.stage) for d in f.declared),
            "caller_left": False,
            "close_reason": "user_initiated",
        }
    )
    assert decide_ending(only_claims).reason != "caller_hung_up"


@given(facts)
def test_a_caller_who_left_hung_up_unless_something_ended_the_call_first(f: EndingFacts) -> None:
    left = EndingFacts(
        **{
            **f.__dict__,
            "declared": (),
            "caller_left": True,
            "session_error": False,
            "close_reason": "participant_disconnected",
        }
    )
    ending = decide_ending(left)
    assert (ending.status, ending.reason, ending.ended_by) == (
        "caller_hung_up",
        "caller_hung_up",
        "caller",
    )
    assert ending.stage == (f.left_stage or f.stage)


@given(facts)
def test_a_decline_needs_a_no_or_no_answer_to_the_consent_question(f: EndingFacts) -> None:
    declined = EndingFacts(**{**f.__dict__, "declared": (Declaration("declined", f.stage),)})
    ending = decide_ending(declined)
    if f.consent == "refused":
        assert (ending.reason, ending.status, ending.stage) == (
            "consent_refused",
            "declined",
            "consent",
        )
    elif f.consent == "unanswered":
        assert (ending.reason, ending.status) == ("consent_unanswered", "unanswered")
    else:
        assert ending.reason not in ("consent_refused", "consent_unanswered")


def test_an_unknown_ending_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(ValueError, match="'hung_up' is not an ending: use one of"):
        CallOutcome().end("hung_up")  # type: ignore[arg-type]

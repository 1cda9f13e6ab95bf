"""Benchmark 1: LLM round trips on each critical path, ours vs the documented recipe.

How it is measured: each side runs a real `AgentSession` in text mode (no room, no STT/TTS,
`vad=None`, no turn detection, the offline harness's connection options) on a
`ScriptedLLM` driven by the same `rule_following_model`. A timeline records every model
answer (with its words, if any) and every `session.say` of fixed words as it is queued.
For each path we count the model round trips between the caller's words and (a) the
agent's next words (the request that produced them included; fixed words count from when
they are queued), (b) the words the path is for (the manager's greeting), and (c) the
whole turn, until nothing new happens for 150 ms. Zero-latency model: these are counts,
not times; each round trip costs a real model's time to first token (typically 0.3-1 s)
of silence on the phone line.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from livekit.agents import AgentSession

from benchmarks.baseline import recipe
from benchmarks.common import (
    MANAGER_HELLO,
    Mark,
    TimelineLLM,
    rule_following_model,
    settle,
    watch_speech,
)
from config.settings import load_settings
from tests.harness import FAST_CONN, offline_call

HOW = (
    "model requests answered by the scripted LLM between the caller's words and the words "
    "(fixed words count from when they are queued); same rule-following script and session "
    "settings for both sides"
)


@dataclass
class RoundTripRow:
    path: str
    until: str
    ours: int | None
    baseline: int | None
    target: str
    met: bool | None
    how: str = HOW
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Side:
    """One conversation on one side, with its timeline."""

    def __init__(self, timeline: list[Mark], says: Callable[[str], Any]) -> None:
        self.timeline = timeline
        self._says = says

    async def turn(self, text: str) -> list[Mark]:
        start = len(self.timeline)
        await self._says(text)
        await settle(self.timeline)
        return self.timeline[start:]


@contextlib.asynccontextmanager
async def ours(policy: str) -> AsyncIterator[Side]:
    timeline: list[Mark] = []
    model = TimelineLLM(rule_following_model, timeline, label="ours")
    settings = load_settings(consent={"consent_denial_policy": policy})
    with tempfile.TemporaryDirectory() as tmp:
        async with offline_call(
            rule_following_model,
            session_llm=model,
            settings=settings,
            database_path=Path(tmp) / "bench.db",
        ) as call:
            watch_speech(call.session, timeline)
            await call.start()
            await settle(timeline)
            yield Side(timeline, call.caller_says)


@contextlib.asynccontextmanager
async def baseline(policy: str) -> AsyncIterator[Side]:
    timeline: list[Mark] = []
    model = TimelineLLM(rule_following_model, timeline, label="baseline")
    session: AgentSession = AgentSession(
        llm=model, vad=None, turn_handling={"turn_detection": None}, conn_options=FAST_CONN
    )
    watch_speech(session, timeline)
    try:
        await session.start(recipe.CustomerServiceAgent(policy), capture_run=True)  # type: ignore[arg-type]
        await settle(timeline)
        yield Side(timeline, lambda text: session.run(user_input=text))
    finally:
        with contextlib.suppress(Exception):
            await session.aclose()


def before_words(marks: list[Mark], *, text: str | None = None) -> int | None:
    """Model round trips the caller waits through before words start: the requests answered
    up to and including the one that produced the words, or before fixed words (`say`)
    were queued. With `text`, only those words count."""
    count = 0
    for mark in marks:
        if mark.kind == "llm":
            count += 1
        if (mark.text or mark.kind == "say") and (text is None or mark.text == text):
            return count
    return None  # the words never came


def whole_turn(marks: list[Mark]) -> int:
    return sum(1 for m in marks if m.kind == "llm")


async def _consent_turn(side_factory, policy: str, answer: str) -> list[Mark]:
    async with side_factory(policy) as side:
        marks = await side.turn(answer)
        if answer.startswith("Hmm"):
            # Answer the clarification, so neither side is closed with the question open
            # (the recipe's task raises an unhandled ToolError when that happens).
            await side.turn("yes")
        return marks


async def _manager_turn(side_factory) -> list[Mark]:
    async with side_factory("hang_up") as side:
        await side.turn("yes")
        return await side.turn("I want a manager")


def _row(path: str, until: str, o: int | None, b: int | None, note: str = "") -> RoundTripRow:
    if o is None or b is None:
        return RoundTripRow(path, until, o, b, "≤ recipe", None, note=note or "words never came")
    target = "≤ recipe, and fewer where the recipe needs two"
    met = o <= b and (b < 2 or o < b)
    return RoundTripRow(path, until, o, b, target, met, note=note)


async def measure(*, forms_available: bool = False) -> list[RoundTripRow]:
    rows: list[RoundTripRow] = []
    consent_cases = [
        ("consent: yes", "hang_up", "Yes, that's fine"),
        ("consent: no (policy hang_up)", "hang_up", "No, I don't want that"),
        ("consent: no (policy continue_unrecorded)", "continue_unrecorded", "No thanks"),
        ("consent: ambiguous answer", "hang_up", "Hmm, what is it for?"),
    ]
    for label, policy, answer in consent_cases:
        o = await _consent_turn(ours, policy, answer)
        b = await _consent_turn(baseline, policy, answer)
        rows.append(_row(label, "agent's next words", before_words(o), before_words(b)))
        rows.append(_row(label, "end of the agent's turn", whole_turn(o), whole_turn(b)))
    o = await _manager_turn(ours)
    b = await _manager_turn(baseline)
    rows.append(_row('"I want a manager"', "agent's next words", before_words(o), before_words(b)))
    rows.append(
        _row(
            '"I want a manager"',
            "manager's first words",
            before_words(o, text=MANAGER_HELLO),
            before_words(b, text=MANAGER_HELLO),
        )
    )
    rows += await _form_rows(forms_available)
    return rows


# -- forms --------------------------------------------------------------------------------

# Our shipped customer_feedback template, answered field by field: (caller's words, the tool
# a rule-following model calls, its arguments).
FEEDBACK_ANSWERS = [
    ("It was a repair", "record_service_type", {"value": "repair"}),
    ("4 4 2 1 0 9", "record_inputs", {"inputs": ["4", "4", "2", "1", "0", "9"]}),
    ("I'd say four", "record_rating", {"value": 4}),
    ("The technician was on time", "record_went_well", {"value": "The technician was on time."}),
    ("Nothing really", "decline_went_badly", {"reason": "nothing to add"}),
    ("Yes, you may", "record_may_follow_up", {"value": True}),
]
BASELINE_ANSWERS = [
    ("My email is jane@example.com", "record_email", {"email": "jane@example.com"}),
    ("Ship it to 1 Main Street, Springfield", "record_address", {"address": "1 Main Street"}),
]
FORM_SUMMARY = "The caller answered every question."


def form_model(answers: list[tuple[str, str, dict[str, Any]]]) -> Callable[[Any], Any]:
    from call.analysis import SUMMARY_MARKER
    from offline.scripted_llm import call, say

    by_words = {words: (tool, args) for words, tool, args in answers}

    def brain(r: Any) -> Any:
        if SUMMARY_MARKER in r.instructions or r.is_summary:
            return say(FORM_SUMMARY)
        field_tools = [
            t
            for t in r.tool_names
            if t.startswith(("record_", "decline_")) and t != "record_consent"
        ]
        if field_tools:
            if r.answering_user and r.last_user_text in by_words:
                tool, args = by_words[r.last_user_text]
                return call(tool, **args)
            return say(f"Question: {field_tools[0]}?")  # a field's task opens: ask
        if "Confirm the order" in r.instructions:
            return say("Your order goes to jane@example.com at 1 Main Street.")
        return rule_following_model(r)

    return brain


async def _form_turns(side: str) -> list[list[Mark]]:
    """Every turn of a form, from its first answer to its last, on one side."""
    timeline: list[Mark] = []
    answers = FEEDBACK_ANSWERS if side == "ours" else BASELINE_ANSWERS
    from call.analysis import SUMMARY_MARKER

    model = TimelineLLM(
        form_model(answers),
        timeline,
        label=side,
        unspoken=lambda r: r.is_summary or SUMMARY_MARKER in r.instructions,
    )
    turns: list[list[Mark]] = []
    if side == "ours":
        import json

        from tasks.form_selection import select_form

        settings = load_settings()
        form = select_form(settings.forms, job_metadata=json.dumps({"form": "customer_feedback"}))
        with tempfile.TemporaryDirectory() as tmp:
            async with offline_call(
                model,
                session_llm=model,
                settings=settings,
                database_path=Path(tmp) / "bench.db",
                selected_form=form,
            ) as call:
                watch_speech(call.session, timeline)
                await call.start()
                await settle(timeline)
                s = Side(timeline, call.caller_says)
                await s.turn("yes")
                for words, _, _ in answers:
                    turns.append(await s.turn(words))
        return turns
    session: AgentSession = AgentSession(
        llm=model, vad=None, turn_handling={"turn_detection": None}, conn_options=FAST_CONN
    )
    watch_speech(session, timeline)
    try:
        await session.start(recipe.CheckoutAgent(), capture_run=True)
        await settle(timeline)
        s = Side(timeline, lambda text: session.run(user_input=text))
        for words, _, _ in answers:
            turns.append(await s.turn(words))
    finally:
        with contextlib.suppress(Exception):
            await session.aclose()
    return turns


async def _form_rows(forms_available: bool) -> list[RoundTripRow]:
    path = "form: a field's answer"
    if not forms_available:
        reason = "not measured: forms/ not committed (no form templates to drive)"
        return [
            RoundTripRow(path, until, None, None, "≤ recipe", None, note=reason)
            for until in ("next question", "end of the form")
        ]
    ours_turns = await _form_turns("ours")
    base_turns = await _form_turns("baseline")
    note = (
        "ours: the customer_feedback template (rating → next question; last answer → final "
        "words); baseline: seed 001's TaskGroup of GetEmailTask/GetAddressTask (email → "
        "next question; address → confirmation)"
    )
    ours_next = before_words(ours_turns[2])  # the rating's answer; a plain field follows
    base_next = before_words(base_turns[0])
    rows = [_row(path, "next question", ours_next, base_next, note=note)]
    if base_next is None:
        rows[0] = RoundTripRow(
            path,
            "next question",
            ours_next,
            None,
            "≤ recipe",
            None,
            note=note + ". No baseline figure: the recipe never asks, its next task has no "
            "on_enter, so the caller hears silence until they speak",
        )
    rows.append(
        _row(
            path,
            "end of the form",
            before_words(ours_turns[-1]),
            before_words(base_turns[-1]),
            note=note,
        )
    )
    rows.append(
        _row(
            "form: last answer",
            "end of the agent's turn",
            whole_turn(ours_turns[-1]),
            whole_turn(base_turns[-1]),
            note=note
            + "; ours: the summary is the call's analysis, one model call after the call has "
            "ended (not counted on any path here: no one is on the line)",
        )
    )
    return rows

"""Every answer in tests/consent/answers.py, read as a call would read it, with the rule that
matched: the table in docs/consent.md is this test's output (UPDATE_DOCS=1 rewrites it)."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from tests.consent.answers import CASES, NEVER_YES, Case
from tests.consent.grammars import grammar

DOC = Path(__file__).resolve().parents[2] / "docs" / "consent.md"
START, END = "<!-- decision-table:start -->", "<!-- decision-table:end -->"
WHAT_HAPPENS = {
    "yes": "**YES recorded**",
    "no": "NO recorded",
    "question": "the model picks the topic; the settings answer; asked again",
    "confirm": "one fixed confirmation question",
    "condition": "we can't take conditions: yes or no? (fixed)",
    "unclear": "fixed clarification: a plain yes or no?",
}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.language}:{c.answer or '(empty)'}")
def test_each_answer_is_read_as_expected(case: Case) -> None:
    reading = grammar(case.language).read(case.answer, keypad=case.keypad)
    assert reading.kind == case.expected, f"{case.answer!r} read as {reading}"
    if reading.kind in ("yes", "no"):
        assert reading.rule, "a decision always names the rule that matched"


def test_no_refusal_condition_or_question_is_ever_a_yes() -> None:
    wrong = [
        c.answer
        for c in CASES
        if c.category in NEVER_YES
        and grammar(c.language).read(c.answer, keypad=c.keypad).kind == "yes"
    ]
    assert wrong == []
    assert len(CASES) >= 80


def _visible(text: str) -> str:
    """Invisible and combining characters written as escapes, so the table shows them."""
    return "".join(
        f"\\u{ord(ch):04x}" if unicodedata.category(ch) in ("Cf", "Mn") else ch for ch in text
    )


def render_table() -> str:
    rows = [
        "| # | category | lang | caller says | keypad offered | what happens | rule that matched |",
        "|---|---|---|---|---|---|---|",
    ]
    for i, c in enumerate(CASES, 1):
        r = grammar(c.language).read(c.answer, keypad=c.keypad)
        said = _visible(c.answer).replace("|", "\\|") or "(nothing)"
        rows.append(
            f"| {i} | {c.category} | {c.language} | {said} | {'yes' if c.keypad else ''} "
            f"| {WHAT_HAPPENS[r.kind]} | {f'`{r.rule}`' if r.rule else ''} |"
        )
    return "\n".join(rows)


def test_the_table_in_docs_consent_md_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    before, rest = text.split(START)
    _, after = rest.split(END)
    current = f"{before}{START}\n{render_table()}\n{END}{after}"
    if os.environ.get("UPDATE_DOCS") == "1":
        DOC.write_text(current, encoding="utf-8")
    assert text == current, "run `UPDATE_DOCS=1 python -m pytest tests/consent` and commit"

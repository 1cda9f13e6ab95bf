"""What the consent task does next, decided from the conversation so far, never from flags.

Each caller answer is taken with the line the caller had *just heard*: a yes counts only as
the answer to one of our own fixed lines (the question, the clarification, the
confirmation), heard to the end. (Not the keypad hint alone: "okay" to "you can also press
1" acknowledges the hint.) While the question is open the model never speaks in its own
words: it picks the topic of a caller's question and the settings' answer is spoken
(tasks/consent.py). Should any other line come before a yes ("Would you prefer we do NOT
record?"), the caller's "yes" is met with the fixed confirmation question. Because the decision
is recomputed from the history on every turn, a reply that was generated and thrown away
(preemptive generation, or a caller talking over the agent) leaves nothing behind: no
count, no pending confirmation.

No LiveKit import: the task (`tasks/consent.py`) turns its chat context into `Exchange`s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from consent.reading import Grammar

Action = Literal[
    "record_yes",  # the caller's plain yes to our own question: record it
    "record_no",  # a plain refusal: record it
    "confirm",  # sounds like a yes but isn't one to record as heard: ask the confirmation
    "clarify",  # unclear: ask for a plain yes or no, in fixed words
    "clarify_condition",  # a condition: we can't take one; ask for a plain yes or no
    "answer_question",  # a question: the model answers from settings, then we ask again
    "give_up_unclear",  # too many unclear answers: no consent
    "give_up_turns",  # too many turns on the question: no consent
]


@dataclass(frozen=True)
class Exchange:
    """One caller answer, with what they had just heard (None: nothing heard to the end)."""

    heard: str | None
    answer: str
    confidence: float | None = None  # speech-to-text confidence, where reported


@dataclass(frozen=True)
class Step:
    action: Action
    rule: str | None = None  # the rule that matched, for record_yes / record_no
    confirmed: bool = False  # record_yes: the yes answered the confirmation question
    asked: str | None = None  # record_yes/record_no: the line the decisive answer followed


@dataclass(frozen=True)
class Policy:
    grammar: Grammar
    keypad: bool
    question: str  # the fixed lines a yes may answer
    clarify: str
    confirm: str
    condition: str
    max_unclear: int
    max_turns: int
    min_confidence: float

    def _kind(self, ex: Exchange) -> tuple[str, str | None, bool]:
        reading = self.grammar.read(ex.answer, keypad=self.keypad)
        heard = (ex.heard or "").strip()
        confirming = _ends_with(heard, self.confirm)
        ours = confirming or any(
            _ends_with(heard, line) for line in (self.question, self.clarify, self.condition)
        )
        if reading.kind == "yes":
            unsure = ex.confidence is not None and ex.confidence < self.min_confidence
            if ours and not unsure:
                return "yes", reading.rule, confirming
            return "confirm", None, False
        if reading.kind == "confirm" and confirming:
            return "unclear", None, False
        return reading.kind, reading.rule, False

    def next_step(self, exchanges: list[Exchange]) -> Step:
        """What to do about the newest answer (the last exchange)."""
        kinds = [self._kind(ex) for ex in exchanges]
        kind, rule, confirming = kinds[-1]
        asked = exchanges[-1].heard
        if kind == "yes":
            return Step("record_yes", rule, confirmed=confirming, asked=asked)
        if kind == "no":
            return Step("record_no", rule, asked=asked)
        unclear = sum(1 for k, _, _ in kinds if k in ("unclear", "condition"))
        if kind in ("unclear", "condition") and unclear >= self.max_unclear:
            return Step("give_up_unclear")
        if len(exchanges) >= self.max_turns:
            return Step("give_up_turns")
        if kind == "question":
            return Step("answer_question")
        if kind == "condition":
            return Step("clarify_condition")
        return Step("confirm" if kind == "confirm" else "clarify")


def _ends_with(heard: str, line: str) -> bool:
    """The caller heard our `line` last (and it is a line: never an empty one)."""
    line = line.strip()
    return bool(line) and heard.endswith(line)
